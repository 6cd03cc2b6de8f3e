"""Consent: the ledger, the state in force and its precedence, suppression everywhere, and the audit trail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cdp.landing import ingest

from .conftest import run_dbt

SHOP = """shop_customer_id,email,first_name,last_name,created_at
sc1,p1@x.com,Pat,One,2025-01-01T00:00:00Z
sc2,p2@x.com,Sam,Two,2025-01-01T00:00:00Z
sc3,p3@x.com,Kim,Three,2025-01-01T00:00:00Z
"""
IDENTIFY = {"type": "identify", "timestamp": "2025-06-01T00:00:00Z", "anonymous_id": "an1", "user_id": "u1",
            "traits": {"email": "p1@x.com"}}
CONSENT_FIRST = [
    ("k1", "email", "p1@x.com", "email_marketing", "granted", "2026-01-01T00:00:00Z", "personal"),
    ("k2", "email", "P1+news@x.com", "email_marketing", "withdrawn", "2026-03-01T00:00:00Z", "personal"),
    ("k3", "user_id", "u1", "personalization", "granted", "2026-01-01T00:00:00Z", "personal"),
    ("k4", "user_id", "u1", "advertising", "granted", "2026-02-01T00:00:00Z", "work"),
    ("k5", "email", "p2@x.com", "email_marketing", "granted", "2026-02-01T00:00:00Z", "personal"),
    ("k6", "email", "p2@x.com", "analytics", "denied", "2026-02-01T10:00:00Z", "personal"),
    ("k7", "email", "p2@x.com", "analytics", "granted", "2026-02-01T10:00:00Z", "personal"),
]
CONSENT_LATE = [
    # an old grant that arrives after the withdrawal it predates
    ("k8", "email", "p1@x.com", "email_marketing", "granted", "2025-12-01T00:00:00Z", "personal"),
    # p2 re-subscribes after unsubscribing
    ("k11", "email", "p2@x.com", "email_marketing", "granted", "2026-04-01T00:00:00Z", "personal"),
]
EMAIL_EVENTS = """event_id,email,event_type,occurred_at
e1,P2@x.com,unsubscribe,2026-03-01T00:00:00Z
e2,p3@x.com,bounce_hard,2026-03-01T00:00:00Z
e3,p1@x.com,complaint,2026-03-05T00:00:00Z
"""
PRIVACY = """request_id,subject_type,subject_id,request_type,received_at
r1,email,p3@x.com,do_not_sell,2026-03-02T00:00:00Z
"""


def consent_jsonl(rows: list[tuple]) -> str:
    keys = ("consent_event_id", "subject_type", "subject_id", "purpose", "status", "captured_at", "context")
    return "".join(json.dumps(dict(zip(keys, r, strict=True)) | {"proof_ref": f"form:{r[0]}"}) + "\n" for r in rows)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def build(tmp: Path) -> Path:
    wh = tmp / "cdp.duckdb"
    ingest(tmp / "landing", wh, progress=False)
    run_dbt(["build"], wh, tmp / "landing", tmp / "target")
    return wh


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("consent")
    write(tmp / "landing", {
        "shop_customers/a.csv": SHOP,
        "web_events/a.jsonl": json.dumps({"message_id": "w1", **IDENTIFY}) + "\n",
        "consent_events/a.jsonl": consent_jsonl(CONSENT_FIRST),
        "email_events/a.csv": EMAIL_EVENTS,
        "privacy_requests/a.csv": PRIVACY,
    })
    first = build(tmp)
    shutil.copyfile(first, tmp / "before_late.duckdb")
    write(tmp / "landing", {"consent_events/b.jsonl": consent_jsonl(CONSENT_LATE)})
    build(tmp)
    return tmp


def q(warehouse: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def customer(warehouse: Path, email: str) -> str:
    (row,) = q(warehouse, "select customer_id from customer_identifiers where identifier_type = 'email' "
                          "and identifier_value = $email", {"email": email})
    return row[0]


def current(warehouse: Path, email: str) -> dict[tuple[str, str], tuple]:
    rows = q(warehouse, """
        select purpose, consent_context, consent_status, is_granted, consent_event_id, granted_addresses
        from consent_current where customer_id = $c""", {"c": customer(warehouse, email)})
    return {(p, c): tuple(rest) for p, c, *rest in rows}


def test_an_old_grant_arriving_after_a_withdrawal_does_not_override_it(tmp: Path) -> None:
    wh = tmp / "cdp.duckdb"
    assert current(wh, "p1@x.com")[("email_marketing", "personal")] == ("withdrawn", False, "k2", [])
    assert current(tmp / "before_late.duckdb", "p1@x.com")[("email_marketing", "personal")][2] == "k2"


def test_an_address_consent_applies_to_the_mailbox_whatever_its_plus_tag(tmp: Path) -> None:
    rows = q(tmp / "cdp.duckdb", """
        select address, consent_status, consent_event_id from fct_address_consent
        where purpose = 'email_marketing' order by address""")
    assert rows == [("p1@x.com", "withdrawn", "k2"), ("p2@x.com", "granted", "k11")]


def test_person_purposes_apply_to_the_person_and_work_context_never_implies_personal(tmp: Path) -> None:
    p1 = current(tmp / "cdp.duckdb", "p1@x.com")
    assert p1[("personalization", "personal")] == ("granted", True, "k3", [])
    assert p1[("advertising", "work")] == ("granted", True, "k4", [])
    assert ("advertising", "personal") not in p1


def test_at_the_same_capture_time_a_denial_beats_a_grant(tmp: Path) -> None:
    assert current(tmp / "cdp.duckdb", "p2@x.com")[("analytics", "personal")] == ("denied", False, "k6", [])


def test_no_consent_record_means_not_granted(tmp: Path) -> None:
    assert current(tmp / "cdp.duckdb", "p3@x.com") == {}


def test_unsubscribe_complaint_and_bounce_suppress_the_address_and_a_later_grant_lifts_an_unsubscribe(
    tmp: Path,
) -> None:
    rows = q(tmp / "cdp.duckdb", """
        select identifier_value, suppression_scope, reason, is_active from suppressions
        where source_name = 'email_events' order by identifier_value""")
    assert rows == [
        ("p1@x.com", "email", "complaint", True),
        ("p2@x.com", "email", "unsubscribe", False),
        ("p3@x.com", "email", "bounce_hard", True),
    ]
    before = q(tmp / "before_late.duckdb", "select is_active from suppressions where reason = 'unsubscribe'")
    assert before == [(True,)]


def test_do_not_sell_suppresses_the_person_for_advertising_and_data_sale(tmp: Path) -> None:
    wh = tmp / "cdp.duckdb"
    rows = q(wh, """
        select customer_id, suppression_scope, is_active from suppressions
        where reason = 'do_not_sell' order by suppression_scope""")
    p3 = customer(wh, "p3@x.com")
    assert rows == [(p3, "advertising", True), (p3, "data_sale", True)]


def test_the_ledger_keeps_every_event_and_only_appends(tmp: Path) -> None:
    columns = "consent_event_id, subject_type, subject_id, purpose, consent_status, consent_context, captured_at"
    before = q(tmp / "before_late.duckdb", f"select {columns} from consent_events order by 1")
    after = q(tmp / "cdp.duckdb", f"select {columns} from consent_events order by 1")
    assert [r[0] for r in after] == sorted(["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k11"])
    assert set(before) <= set(after)
    (proof,) = q(tmp / "cdp.duckdb", "select proof_ref, landed_file, landed_line from consent_events "
                                    "where consent_event_id = 'k8'")
    assert proof == ("form:k8", "consent_events/b.jsonl", 1)


def test_the_audit_answers_what_consent_held_at_a_time_and_on_what_evidence(tmp: Path) -> None:
    wh = tmp / "cdp.duckdb"
    p1 = customer(wh, "p1@x.com")
    audit = """
        select consent_status, consent_event_id, proof_ref from fct_consent_history
        where customer_id = $c and purpose = 'email_marketing' and consent_context = 'personal'
            and valid_from <= $at and (valid_to is null or valid_to > $at)"""
    assert q(wh, audit, {"c": p1, "at": "2025-12-15"}) == [("granted", "k8", "form:k8")]
    assert q(wh, audit, {"c": p1, "at": "2026-02-15"}) == [("granted", "k1", "form:k1")]
    assert q(wh, audit, {"c": p1, "at": "2026-03-15"}) == [("withdrawn", "k2", "form:k2")]
    assert q(wh, audit, {"c": p1, "at": "2025-11-01"}) == []
