"""Staging: typed, normalized, deduplicated, and every landed row either staged or quarantined with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cdp.landing import ingest

from .conftest import run_dbt

WEB_A = [
    {"message_id": "m1", "type": "page", "timestamp": "2026-11-01T12:00:00+02:00", "anonymous_id": "a1",
     "context": {"page": {"path": "/shoes"}}, "received_at": "2026-11-01T10:00:01Z"},
    {"message_id": "m2", "type": "identify", "timestamp": "2026-11-01T10:05:00", "anonymous_id": "a1",
     "user_id": "u1", "traits": {"email": " Jo.Smith+shop@Example.COM ", "phone": "(415) 555-0134"}},
    {"type": "page", "timestamp": "2026-11-01T10:06:00Z"},
    {"message_id": "m4", "type": "click", "timestamp": "2026-11-01T10:07:00Z"},
    {"message_id": "m5", "type": "track", "timestamp": "yesterday"},
]
WEB_B = [{"message_id": "m1", "type": "page", "timestamp": "2026-11-01T10:00:00Z"}]

CRM_A = """contact_id,source_system,first_name,email,phone,date_of_birth,updated_at,lead_source
c1,salesforce,Jo,JO@x.com,415-555-0134,1990-04-30,2026-01-01T00:00:00Z,web
c2,salesforce,Al,al@x.com,+44 7700 900123,1990-04-31,2026-01-01T00:00:00Z,fair
c3,,Bo,bo@x.com,0044 7700 900124,,2026-01-01T00:00:00Z,
c4,hubspot,Cy,cy@x,1-415-555-0135,,2026-01-01T00:00:00Z,
c5,hubspot,Di,di@x.com,001 415 555 0136,,2026-01-01T00:00:00Z,
c6,hubspot,Ed,ed@x.com,call me,,2026-01-01T00:00:00Z,
c7,hubspot,Fa,fa@x.com,4155550137,,2026-01-01T00:00:00Z,
"""
CRM_B = """contact_id,source_system,first_name,email,phone,date_of_birth,updated_at,lead_source
c1,salesforce,Joanne,JO@x.com,415-555-0134,1990-04-30,2026-02-01T00:00:00Z,web
c2,salesforce,Al,al@x.com,+44 7700 900123,1990-04-31,2026-01-01T00:00:00Z,fair
"""
EMAIL = """event_id,email,event_type,occurred_at
e1,not-an-email,open,2026-11-01T00:00:00Z
e2,Ann@X.com,OPEN,2026-11-01T00:00:00Z
"""
ORDERS_A = """order_id,ordered_at,status,order_total,currency
o1,2026-10-01T09:00:00Z,placed,12.50,eur
o2,2026-10-02T09:00:00Z,placed,"12,50 EUR",EUR
"""
ORDERS_B = """order_id,ordered_at,status,order_total,currency
o1,2026-10-01T09:00:00Z,shipped,12.50,eur
"""


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("staging")
    land = tmp / "landing"
    files = {
        "web_events/2026-11-01.jsonl": jsonl(WEB_A) + "{not json\n",
        "web_events/2026-11-02.jsonl": jsonl(WEB_B),
        "crm_contacts/a.csv": CRM_A,
        "crm_contacts/b.csv": CRM_B,
        "email_events/a.csv": EMAIL,
        "orders/a.csv": ORDERS_A,
        "orders/b.csv": ORDERS_B,
        "consent_events/a.jsonl": jsonl([{"consent_event_id": "k1", "subject_type": "email",
                                           "subject_id": " Jo@X.com", "purpose": "email_marketing",
                                           "status": "granted", "captured_at": "2026-01-01"}]),
    }
    for rel, text in files.items():
        (land / rel).parent.mkdir(parents=True, exist_ok=True)
        (land / rel).write_text(text)
    wh = tmp / "cdp.duckdb"
    ingest(land, wh, progress=False)
    run_dbt(["build"], wh, land, tmp / "target")
    return wh


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_timestamps_are_utc_whatever_the_offset_and_no_offset_means_utc(warehouse: Path) -> None:
    got = dict(query(warehouse, "select message_id, occurred_at::varchar from staging.stg_web_events__events"))
    assert got == {"m1": "2026-11-01 10:00:00", "m2": "2026-11-01 10:05:00"}


def test_event_traits_and_context_are_extracted_and_normalized(warehouse: Path) -> None:
    got = query(warehouse, """
        select trait_email, trait_phone, page_path, extra::varchar
        from staging.stg_web_events__events order by message_id""")
    assert got == [
        (None, None, "/shoes", '{"received_at":"2026-11-01T10:00:01Z"}'),
        ("jo.smith+shop@example.com", "+14155550134", None, None),
    ]


def test_unusable_rows_are_quarantined_with_file_line_and_reason(warehouse: Path) -> None:
    got = query(warehouse, """
        select file_path, line_number, quarantine_category, quarantine_reason
        from fct_quarantined_rows where source_name = 'web_events' order by file_path, line_number""")
    assert got == [
        ("web_events/2026-11-01.jsonl", 3, "missing_required", 'missing required field "message_id"'),
        ("web_events/2026-11-01.jsonl", 4, "invalid_required",
         "invalid required field \"type\": 'click' is not one of page, track, identify"),
        ("web_events/2026-11-01.jsonl", 5, "invalid_required",
         "invalid required field \"timestamp\": 'yesterday' is not a valid timestamp"),
        ("web_events/2026-11-01.jsonl", 6, "malformed_row",
         "malformed JSON: the line is not a valid JSON document"),
        ("web_events/2026-11-02.jsonl", 1, "duplicate_delivery",
         "duplicate delivery of message_id first landed in web_events/2026-11-01.jsonl line 1"),
    ]


def test_the_landed_record_is_kept_in_staging_for_quarantined_rows_only(warehouse: Path) -> None:
    # a staged row is its typed columns (landing keeps the record); a quarantined row keeps what it said
    kept = query(warehouse, """
        select _quarantine_reason is null as is_staged, count(*), count(_record), count(_raw)
        from staging.base_web_events__rows group by all order by all""")
    assert kept == [(False, 5, 4, 1), (True, 2, 0, 0)]
    raw = dict(query(warehouse, """
        select line_number, raw_record from fct_quarantined_rows
        where source_name = 'web_events' and (file_path like '%11-02.jsonl' or line_number = 6)"""))
    assert raw == {1: json.dumps(WEB_B[0]), 6: "{not json"}


def test_phones_in_national_and_international_formats_become_e164(warehouse: Path) -> None:
    got = dict(query(warehouse, "select contact_id, phone from staging.stg_crm_contacts__contacts where is_current"))
    assert got == {
        "c1": "+14155550134", "c2": "+447700900123", "c3": "+447700900124", "c4": "+14155550135",
        "c5": "+14155550136", "c6": None, "c7": "+14155550137",
    }


def test_a_value_that_does_not_parse_is_kept_as_text_and_flagged_without_losing_the_row(warehouse: Path) -> None:
    got = query(warehouse, """
        select contact_id, birth_date, phone, email, _invalid_fields, _invalid_values::varchar
        from staging.stg_crm_contacts__contacts
        where contact_id in ('c2', 'c4', 'c6') order by contact_id""")
    assert got == [
        ("c2", None, "+447700900123", "al@x.com", ["date_of_birth"], '{"date_of_birth":"1990-04-31"}'),
        ("c4", None, "+14155550135", None, ["email"], '{"email":"cy@x"}'),
        ("c6", None, None, "ed@x.com", ["phone"], '{"phone":"call me"}'),
    ]
    (order,) = query(warehouse, """
        select order_total, _invalid_values::varchar from staging.stg_orders__orders where order_id = 'o2'""")
    assert order == (None, '{"order_total":"12,50 EUR"}')


def test_a_new_version_of_an_entity_becomes_current_and_an_identical_redelivery_is_quarantined(
    warehouse: Path,
) -> None:
    versions = query(warehouse, """
        select first_name, is_current from staging.stg_crm_contacts__contacts
        where contact_id = 'c1' order by updated_at""")
    assert versions == [("Jo", False), ("Joanne", True)]
    statuses = query(warehouse, """
        select order_status, is_current from staging.stg_orders__orders where order_id = 'o1' order by _file""")
    assert statuses == [("placed", False), ("shipped", True)]
    (dup,) = query(warehouse, """
        select file_path, line_number, quarantine_reason from fct_quarantined_rows
        where source_name = 'crm_contacts'""")
    assert dup == ("crm_contacts/b.csv", 3,
                   "duplicate delivery of an identical record first landed in crm_contacts/a.csv line 3")


def test_undeclared_columns_and_defaults(warehouse: Path) -> None:
    got = query(warehouse, """
        select contact_id, source_system, crm_contact_key, extra::varchar
        from staging.stg_crm_contacts__contacts where contact_id in ('c2', 'c3') and is_current
        order by contact_id""")
    assert got == [
        ("c2", "salesforce", "salesforce:c2", '{"lead_source":"fair"}'),
        ("c3", "crm", "crm:c3", None),
    ]
    (consent,) = query(warehouse, """
        select consent_context, subject_id, normalized_subject_id from staging.stg_consent_events__consent_events""")
    assert consent == ("personal", "Jo@X.com", "jo@x.com")


def test_a_required_field_that_is_not_valid_after_normalization_is_quarantined(warehouse: Path) -> None:
    assert query(warehouse, "select email, event_type from staging.stg_email_events__events") == [("ann@x.com", "open")]
    (reason,) = query(warehouse, "select quarantine_reason from fct_quarantined_rows where source_name = 'email_events'")
    expected = "invalid required field \"email\": the value (withheld: personal data; see raw_record) is not a valid email"
    assert reason == (expected,)


def test_every_source_is_reconciled_and_missing_sources_are_reported_absent(warehouse: Path) -> None:
    got = {r[0]: r[1:] for r in query(warehouse, """
        select source_name, rows_landed, rows_staged, rows_quarantined, is_balanced, has_data
        from fct_landing_reconciliation""")}
    assert got["web_events"] == (7, 2, 5, True, True)
    assert got["crm_contacts"] == (9, 8, 1, True, True)
    assert got["survey_responses"] == (0, 0, 0, True, False)
    assert len(got) == 17


def test_the_reconciliation_test_fails_when_a_landed_row_is_neither_staged_nor_quarantined(
    warehouse: Path, tmp_path: Path,
) -> None:
    tampered = tmp_path / "tampered.duckdb"
    tampered.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(tampered)) as con:
        con.execute("""
            insert into landing.orders (_file, _line, _format, _record)
            values ('orders/c.csv', 2, 'csv', '{"order_id": "o9", "ordered_at": "2026-10-05"}')""")
    result = run_dbt(["test", "--select", "assert_landed_rows_are_staged_or_quarantined"], tampered,
                     tmp_path / "landing", tmp_path / "target", check=False)
    assert result.returncode != 0
    assert "FAIL 1 assert_landed_rows_are_staged_or_quarantined" in result.stdout
