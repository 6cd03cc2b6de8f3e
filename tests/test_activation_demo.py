"""The shipped audiences and destinations on the demo warehouse (the session `demo` fixture: 600 people, seed 11):
every audience has members, `cdp run` activated, a second activation sends nothing, a dry run sends nothing,
and the Dagster sync asset reports its diff and delivery counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from cdp.activation.config import load_config
from tests.conftest import cdp


@pytest.fixture
def copy(demo: dict, tmp_path: Path) -> dict:
    """A copy of the demo warehouse and outbox (tests here write activation state)."""
    wh = tmp_path / "warehouse" / "cdp.duckdb"
    wh.parent.mkdir()
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], wh)
    outbox = tmp_path / "outbox"
    shutil.copytree(demo["env"]["CDP_OUTBOX_DIR"], outbox)
    env = {**demo["env"], "CDP_WAREHOUSE": str(wh), "CDP_OUTBOX_DIR": str(outbox)}
    return {"env": env, "wh": wh, "outbox": outbox}


def q(path: str | Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_shipped_audience_has_members_on_the_demo(demo: dict) -> None:
    sizes = dict(q(demo["env"]["CDP_WAREHOUSE"],
                   "select audience, count(*) from main.audience_membership group by audience"))
    assert set(sizes) == set(load_config().audiences)
    assert all(n > 0 for n in sizes.values()), sizes


def test_cdp_run_activated_and_a_second_activation_sends_nothing(demo: dict, copy: dict) -> None:
    assert "activation, sync" in demo["result"].stdout
    assert "webhook_demo" in demo["result"].stderr and "CDP_WEBHOOK_URL is not set" in demo["result"].stderr
    logged = q(copy["wh"], "select destination, sync_status, count(*) from main.activation_log group by all")
    files = sorted(p.parent.name for p in copy["outbox"].rglob("*.csv"))
    assert {d for d, _, _ in logged} == set(files)  # customer-match files written, one log row per record
    before = q(copy["wh"], "select count(*) from main.activation_log")
    again = cdp(["activate"], copy["env"])
    assert again.returncode == 0, again.stderr[-2000:]
    assert "+0 ~0 -0" in again.stdout and "+1" not in again.stdout
    assert q(copy["wh"], "select count(*) from main.activation_log") == before


def test_dry_run_shows_the_diff_and_sends_nothing(copy: dict) -> None:
    with duckdb.connect(str(copy["wh"])) as con:
        con.execute("drop table if exists activation.sync_state")
        con.execute("drop table if exists main.activation_log")
    files = sorted(copy["outbox"].rglob("*.csv"))
    result = cdp(["activate", "--dry-run"], copy["env"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dry run (nothing sent)" in result.stdout
    assert "would add" in result.stdout or "+0 ~0 -0" in result.stdout
    assert sorted(copy["outbox"].rglob("*.csv")) == files
    assert q(copy["wh"], "select count(*) from information_schema.tables where table_name = 'activation_log'") == [
        (0,)]


def test_the_dagster_sync_asset_reports_diff_and_delivery_counts(copy: dict) -> None:
    from orchestration.defs.activation import defs, sync_key
    from orchestration.defs.resources import WarehouseResource

    with duckdb.connect(str(copy["wh"])) as con:
        # every member of high_predicted_value grants advertising: the sync has something to send
        con.execute("delete from activation.sync_state where destination = 'google_customer_match'")
        con.execute("""
            insert into main.consent_current by name
            select customer_id, 'advertising' as purpose, 'personal' as consent_context,
                'granted' as consent_status, true as is_granted
            from main.audience_membership
            where audience = 'high_predicted_value' and customer_id not in (
                select customer_id from main.consent_current
                where purpose = 'advertising' and consent_context = 'personal')""")
        con.execute("update main.consent_current set is_granted = true, consent_status = 'granted' "
                    "where purpose = 'advertising' and consent_context = 'personal'")
        (expected,) = con.execute("""
            select count(*) from main.audience_membership as m
            inner join main.customer_360 as c on m.customer_id = c.customer_id
            where m.audience = 'high_predicted_value' and (c.email is not null or c.phone is not null)
                and m.customer_id not in (select customer_id from main.suppressions
                    where is_active and suppression_scope in ('advertising', 'all') and customer_id is not null)
        """).fetchall()[0]
    assert expected > 0
    assets = [a for a in defs.assets if sync_key("google_customer_match") in a.keys]
    result = dg.materialize(assets, resources={"warehouse": WarehouseResource(
        warehouse=str(copy["wh"]), outbox_dir=str(copy["outbox"]), landing_dir=copy["env"]["CDP_LANDING_DIR"])})
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["adds"].value == expected and metadata["delivered"].value == expected
    assert metadata["removes"].value == 0 and metadata["failed"].value == 0


def test_an_erasure_landed_after_a_sync_removes_the_person_from_the_destination_it_was_sent_to(
        demo: dict, tmp_path: Path) -> None:
    """End to end: a person already sent to Google Customer Match asks for erasure (a privacy_requests file in the
    landing zone); the next `cdp run` erases them everywhere and sends the destination a removal carrying the
    hashes it was sent, and no trace of them stays in the activation state."""
    import csv
    import json

    landing = tmp_path / "landing"
    shutil.copytree(demo["env"]["CDP_LANDING_DIR"], landing)
    wh = tmp_path / "warehouse" / "cdp.duckdb"
    wh.parent.mkdir()
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], wh)
    outbox = tmp_path / "outbox"
    shutil.copytree(demo["env"]["CDP_OUTBOX_DIR"], outbox)
    env = {**demo["env"], "CDP_LANDING_DIR": str(landing), "CDP_WAREHOUSE": str(wh), "CDP_OUTBOX_DIR": str(outbox)}
    # a customer whose email was sent to Google, and that email in plain text (from identity)
    rows = q(wh, """
        select s.customer_id, s.audience, s.record_key, i.identifier_value
        from activation.sync_state as s
        inner join main.customer_identifiers as i
            on s.customer_id = i.customer_id and i.identifier_type = 'email'
        where s.destination = 'google_customer_match' and s.record_key like '%"email"%'
        order by s.customer_id, i.identifier_value""")
    assert rows, "the demo sent nobody with an email to google_customer_match"
    customer_id, audience, record_key, email = rows[0]
    email_hash = json.loads(record_key)["email"]
    (landing / "privacy_requests").mkdir(exist_ok=True)
    (landing / "privacy_requests" / "privacy_requests_9001_20261116.csv").write_text(
        "request_id,subject_type,subject_id,request_type,received_at\n"
        f"req-e2e-1,email,{email},erasure,2026-11-16T05:00:00Z\n")

    result = cdp(["run"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert email not in result.stdout + result.stderr  # no PII in logs
    # the destination got a removal file with the hash it had been sent
    removed = set()
    for path in (outbox / "google_customer_match").glob(f"{audience}__remove__*.csv"):
        with path.open() as handle:
            removed |= {row["Email"] for row in csv.DictReader(handle)}
    assert email_hash in removed
    # nothing of the person is left in the activation state or in identity, and the removal is logged
    assert q(wh, f"select count(*) from activation.sync_state where record_key like '%{email_hash}%'") == [(0,)]
    assert q(wh, f"select count(*) from main.customer_identifiers where identifier_value = '{email}'") == [(0,)]
    assert q(wh, "select count(*) from main.activation_log where destination = 'google_customer_match' "
                 f"and operation = 'remove' and customer_id = '{customer_id}' and sync_status = 'success'") == [(1,)]
    steps = {step for (step,) in q(wh, "select step from privacy.request_log where request_id = 'req-e2e-1'")}
    assert "completed" in steps, steps
