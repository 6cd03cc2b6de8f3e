"""Data-subject requests: erasure leaves nothing of the person anywhere and survives re-landing; access
exports everything; every step is logged with its legal deadline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cdp.privacy import due_at

from .conftest import relaxed_quality_suites

CDP = str(Path(sys.executable).with_name("cdp"))
ERASED = {"email": "zora.quimby@x.com", "first": "Zora", "last": "Quimby", "digits": "4155550101"}

SHOP = """shop_customer_id,email,phone,first_name,last_name,created_at
sc1,Zora.Quimby+shop@x.com,(415) 555-0101,Zora,Quimby,2025-01-01T00:00:00Z
sc2,al.bern@x.com,415-555-0202,Al,Bern,2025-01-01T00:00:00Z
"""
CRM = """contact_id,source_system,first_name,last_name,email,phone,street_address,city
c1,salesforce,Zora,Quimby,zora.quimby@x.com,+1 415 555 0101,1 Elm St,Springfield
"""
WEB = [
    {"message_id": "w1", "type": "identify", "timestamp": "2026-01-01T00:00:00Z", "anonymous_id": "anon-z",
     "user_id": "u-zora", "traits": {"email": "zora.quimby@x.com", "first_name": "Zora"}},
    {"message_id": "w2", "type": "page", "timestamp": "2026-01-01T00:01:00Z", "anonymous_id": "anon-z",
     "context": {"page": {"path": "/"}}},
]
EMAIL = """event_id,email,event_type,occurred_at
e1,zora.quimby@x.com,open,2026-01-02T00:00:00Z
e2,zora.quimby@x.com,click,not a time
e3,al.bern@x.com,open,2026-01-02T00:00:00Z
"""
TICKETS = [{"ticket_id": "t1", "opened_at": "2026-01-03T00:00:00Z", "email": "zora.quimby@x.com",
            "transcript": "Hello, this is Zora Quimby calling about my order"}]
CONSENT = [{"consent_event_id": "k1", "subject_type": "email", "subject_id": "zora.quimby@x.com",
            "purpose": "email_marketing", "status": "granted", "captured_at": "2026-01-01T00:00:00Z"},
           {"consent_event_id": "k2", "subject_type": "email", "subject_id": "al.bern@x.com",
            "purpose": "email_marketing", "status": "granted", "captured_at": "2026-01-01T00:00:00Z"}]
REQUESTS = """request_id,subject_type,subject_id,request_type,received_at
r-access,email,al.bern@x.com,access,2026-01-31T10:00:00Z
r-erase,email,Zora.Quimby@X.com,erasure,2026-01-31T10:00:00Z
r-dns,email,al.bern@x.com,do_not_sell,2026-02-01T00:00:00Z
"""


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def cdp_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run([CDP, "run"], env={**os.environ, **env}, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def mentions(path: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(table, needle) for every table of the DuckDB file whose rows mention a needle, as text."""
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        for schema, table in tables:
            text = 'lower(cast(t as varchar))'
            digits = "regexp_replace(cast(t as varchar), '[^0-9]', '', 'g')"
            for needle in needles:
                column = digits if needle.isdigit() else text
                hit = con.execute(
                    f'select count(*) from "{schema}"."{table}" as t where contains({column}, $n)',
                    {"n": needle.lower()},
                ).fetchone()[0]
                if hit:
                    found.append((f"{schema}.{table}", needle))
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("privacy")
    env = {"CDP_LANDING_DIR": str(tmp / "landing"), "CDP_WAREHOUSE": str(tmp / "wh" / "cdp.duckdb"),
           "CDP_OUTBOX_DIR": str(tmp / "outbox"), "DBT_TARGET_PATH": str(tmp / "target"),
           "DBT_LOG_PATH": str(tmp / "logs"),
           "CDP_QUALITY_SUITES_DIR": str(relaxed_quality_suites(tmp / "quality-suites"))}
    write(tmp / "landing", {
        "shop_customers/a.csv": SHOP, "crm_contacts/a.csv": CRM, "web_events/a.jsonl": jsonl(WEB),
        "email_events/a.csv": EMAIL, "support_tickets/a.jsonl": jsonl(TICKETS),
        "consent_events/a.jsonl": jsonl(CONSENT), "privacy_requests/a.csv": REQUESTS,
    })
    first = cdp_run(env)
    return {"tmp": tmp, "env": env, "first": first, "wh": tmp / "wh" / "cdp.duckdb"}


def q(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_person_is_there_before_erasure(tmp_path: Path) -> None:
    # The scan itself must find the person when present, or the erasure test below proves nothing.
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create table t as select 'Hello Zora Quimby' as a, '(415) 555-0101' as b")
    assert mentions(wh, ["zora", "4155550101", "al.bern@x.com"]) == [("main.t", "zora"), ("main.t", "4155550101")]


def test_after_erasure_no_table_and_no_output_holds_the_persons_data(run: dict) -> None:
    needles = [ERASED["email"], ERASED["first"], ERASED["last"], ERASED["digits"]]
    assert mentions(run["wh"], needles) == []
    assert mentions(run["wh"].with_name("cdp_published.duckdb"), needles) == []
    for path in (run["tmp"] / "outbox").rglob("*"):
        if path.is_file():
            text = path.read_text().lower()
            assert not any(n.lower() in text for n in needles), path
    # the other person is untouched
    assert q(run["wh"], "select count(*) from staging.stg_shop_customers__customers where email = 'al.bern@x.com'") \
        == [(1,)]


def test_erased_identifiers_are_kept_only_as_salted_hashes(run: dict) -> None:
    rows = q(run["wh"], "select identifier_type, identifier_hash from privacy.erased_identifiers")
    assert {t for t, _ in rows} >= {"email", "phone"}
    assert all(len(h) == 64 and ERASED["email"] not in h for _, h in rows)


def test_data_landed_again_for_an_erased_person_is_dropped_not_resurrected(run: dict) -> None:
    write(run["tmp"] / "landing", {
        "shop_customers/b.csv": "shop_customer_id,email,first_name,last_name\nsc9,zora.quimby@x.com,Zora,Quimby\n",
        "email_events/b.csv": "event_id,email,event_type,occurred_at\ne9,zora.quimby@x.com,open,2026-02-02\n",
    })
    cdp_run(run["env"])
    assert mentions(run["wh"], [ERASED["email"], ERASED["last"]]) == []
    assert q(run["wh"], "select bool_and(is_balanced) from fct_landing_reconciliation") == [(True,)]


def test_an_access_request_exports_everything_held_in_the_documented_layout(run: dict) -> None:
    export = json.loads((run["tmp"] / "outbox" / "privacy" / "access_r-access.json").read_text())
    assert set(export) == {"layout_version", "request", "customer_id", "identifiers", "records",
                           "consent_events", "suppressions"}
    assert {"identifier_type": "email", "identifier_value": "al.bern@x.com"} in export["identifiers"]
    assert [r["shop_customer_id"] for r in export["records"]["shop_customers"]] == ["sc2"]
    assert [r["event_id"] for r in export["records"]["email_events"]] == ["e3"]
    assert [c["consent_event_id"] for c in export["consent_events"]] == ["k2"]


def test_every_request_is_logged_step_by_step_with_its_legal_deadline(run: dict) -> None:
    rows = q(run["wh"], """
        select privacy_request_id, regime, due_at, bool_or(step = 'completed')
        from privacy_request_log group by all order by 1""")
    assert rows == [
        ("r-access", "GDPR", datetime(2026, 2, 28, 10, 0), True),
        ("r-dns", "CCPA", datetime(2026, 3, 18, 0, 0), True),
        ("r-erase", "GDPR", datetime(2026, 2, 28, 10, 0), True),
    ]
    steps = [s for (s,) in q(run["wh"], "select step from privacy_request_log where privacy_request_id = 'r-erase' "
                                        "order by logged_at, step")]
    assert steps[0] == "resolved" and steps[-1] == "completed"
    assert {"identifiers_hashed", "landed_rows_deleted", "warehouse_rebuilt", "destinations"} <= set(steps)


def test_do_not_sell_suppresses_advertising_and_data_sale(run: dict) -> None:
    rows = q(run["wh"], "select suppression_scope from suppressions where reason = 'do_not_sell' order by 1")
    assert rows == [("advertising",), ("data_sale",)]


def test_a_completed_request_is_not_carried_out_twice(run: dict) -> None:
    before = q(run["wh"], "select count(*) from privacy.request_log")
    cdp_run(run["env"])
    assert q(run["wh"], "select count(*) from privacy.request_log") == before


def test_gdpr_deadline_is_one_calendar_month_and_ccpa_45_days() -> None:
    assert due_at("erasure", datetime(2026, 1, 31, 9)) == datetime(2026, 2, 28, 9)
    assert due_at("access", datetime(2026, 12, 15)) == datetime(2027, 1, 15)
    assert due_at("do_not_sell", datetime(2026, 1, 1)) == datetime(2026, 2, 15)


def test_dbt_creates_the_same_privacy_tables_as_the_privacy_step(tmp_path: Path) -> None:
    from cdp.privacy import ensure_privacy_tables

    from .conftest import run_dbt

    by_python, by_dbt = tmp_path / "python.duckdb", tmp_path / "dbt.duckdb"
    with duckdb.connect(str(by_python)) as con:
        ensure_privacy_tables(con)
    run_dbt(["run-operation", "create_privacy_tables"], by_dbt, tmp_path / "landing", tmp_path / "target")
    shape = """select table_name, column_name, data_type, ordinal_position from information_schema.columns
               where table_schema = 'privacy' order by all"""
    assert q(by_dbt, shape) == q(by_python, shape) != []
