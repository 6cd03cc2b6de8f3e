"""Sync semantics against a real HTTP server, real files and a real PostgreSQL server (docs/activation.md):
diffs, retries, rejections, crashes, gates, dry runs."""

from __future__ import annotations

import csv
import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from cdp import hashing
from cdp.activation.destinations import backoff, retry_after_seconds
from cdp.activation.sync import ActivationRun, activate, idempotency_key, redact
from expectations.run import CheckResult, run_suites
from tests.activation_fixtures import (
    Postgres,
    Warehouse,
    crashing_sync,
    grant,
    person,
    postgres_session,
    start_webhook,
    write_config,
)


@pytest.fixture(scope="session")
def pg() -> Iterator[Postgres]:
    yield from postgres_session()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[dict]:
    config = write_config(tmp_path)
    wh = Warehouse(tmp_path / "wh.duckdb", config)
    server, receiver, url = start_webhook()
    env = {"TEST_WEBHOOK_URL": url, "TEST_WEBHOOK_AUTH": "Bearer s3cret"}
    sleeps: list[float] = []

    def sync(only: list[str] | None = None, dry_run: bool = False, extra_env: dict | None = None) -> ActivationRun:
        return activate(wh.path, tmp_path / "outbox", {**env, **(extra_env or {})}, dry_run=dry_run, config=config,
                        only=["hook"] if only is None else only, sleep=sleeps.append, log=lambda _: None)

    yield {"wh": wh, "receiver": receiver, "sync": sync, "sleeps": sleeps, "tmp": tmp_path, "env": env,
           "config": config, "url": url}
    server.shutdown()


def five_people() -> tuple[list[dict], list[dict]]:
    people = [person(n) for n in range(1, 6)]
    return people, [grant(p, "email_marketing") for p in people]


def test_first_sync_sends_everyone_once_and_a_second_sync_with_no_change_sends_nothing(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    first = setup["sync"]()
    assert first.ok, first.summary()
    assert [(r.adds, r.updates, r.removes, r.delivered) for r in first.results] == [(5, 0, 0, 5)]
    receiver = setup["receiver"]
    assert len(receiver.posts()) == 3  # batch_size 2
    assert {r["auth"] for r in receiver.requests} == {"Bearer s3cret"}
    assert receiver.members["engaged/cus_0001"] == {"email": "person.1@gmail.com", "first_name": "First1",
                                                    "score": 61.0}
    second = setup["sync"]()
    assert [(r.adds, r.updates, r.removes, r.delivered) for r in second.results] == [(0, 0, 0, 0)]
    assert len(receiver.posts()) == 3
    assert setup["wh"].rows("select sync_status, operation, count(*) from main.activation_log group by all") == [
        ("success", "add", 5)]


def test_a_changed_trait_sends_exactly_the_changed_row(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    setup["sync"]()
    people[2]["engagement_score"] = 99.0
    setup["wh"].load(people, consents)
    run = setup["sync"]()
    records = setup["receiver"].posts()[-1]["body"]["records"]
    assert [(r["customer_id"], r["op"], r["fields"]["score"]) for r in records] == [("cus_0003", "update", 99.0)]
    assert (run.results[0].updates, run.results[0].adds, run.results[0].removes) == (1, 0, 0)


def test_withdrawn_consent_and_unsubscribe_remove_the_person_at_the_next_sync(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    setup["sync"]()
    consents[1] = {**consents[1], "consent_status": "withdrawn", "is_granted": False, "granted_addresses": []}
    unsubscribed = [{"suppression_scope": "email", "identifier_type": "email",
                     "identifier_value": people[3]["email"], "reason": "unsubscribe"}]
    setup["wh"].load(people, consents, unsubscribed)
    run = setup["sync"]()
    records = setup["receiver"].posts()[-1]["body"]["records"]
    assert sorted((r["customer_id"], r["op"], r["fields"]) for r in records) == [
        ("cus_0002", "remove", None), ("cus_0004", "remove", None)]
    assert run.results[0].eligible == 3 and run.results[0].blocked == 2
    assert sorted(setup["receiver"].members) == ["engaged/cus_0001", "engaged/cus_0003", "engaged/cus_0005"]
    assert setup["wh"].rows("select count(*) from activation.sync_state") == [(3,)]


def test_no_consent_record_means_not_sent_deny_by_default(setup: dict) -> None:
    people, consents = five_people()
    other_address = {**consents[0], "granted_addresses": ["someone.else@example.com"]}
    setup["wh"].load(people, [other_address, *consents[2:]])  # cus_0001 granted another address, cus_0002 nothing
    setup["sync"]()
    assert sorted(setup["receiver"].members) == ["engaged/cus_0003", "engaged/cus_0004", "engaged/cus_0005"]


def test_429_and_500_for_a_while_end_with_every_row_delivered_once_per_key(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    receiver = setup["receiver"]
    receiver.script = [(429, {"Retry-After": "7"}), (500, {}), (503, {}), (200, {}), (429, {}), (502, {})]
    run = setup["sync"]()
    assert run.ok, run.summary()
    assert run.results[0].delivered == 5
    assert [r["status"] for r in receiver.requests] == [429, 500, 503, 200, 429, 502, 200, 200]
    assert setup["sleeps"] == [7.0, 0.02, 0.04, 0.01, 0.02]  # Retry-After honoured, else doubling backoff
    assert sorted(receiver.applied.values()) == [1] * 5
    keys = [r["idempotency_key"] for r in receiver.records()]
    assert len(keys) == len(set(keys)) == 5
    assert setup["wh"].rows("select attempts from main.activation_log order by customer_id") == [
        (4,), (4,), (3,), (3,), (1,)]


def test_a_destination_that_stays_down_loses_nothing_and_the_next_run_resumes(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    receiver = setup["receiver"]
    receiver.script = [(200, {})] + [(503, {})] * 6
    run = setup["sync"]()
    assert not run.ok and "unavailable" in (run.results[0].error or "")
    assert (run.results[0].delivered, run.results[0].failed, run.results[0].not_attempted) == (2, 2, 1)
    assert setup["wh"].rows("select sync_status, count(*) from main.activation_log group by all order by 1") == [
        ("failed", 2), ("success", 2)]
    again = setup["sync"]()
    assert again.ok and again.results[0].adds == 3 and again.results[0].delivered == 3
    assert sorted(receiver.applied.values()) == [1] * 5 and len(receiver.members) == 5


def test_rejected_rows_are_logged_with_the_reason_and_retried_next_run(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    setup["receiver"].reject = {"cus_0004": "mailbox on a blocklist"}
    run = setup["sync"]()
    assert (run.results[0].delivered, run.results[0].rejected) == (4, 1)
    assert setup["wh"].rows("select customer_id, reason from main.activation_log where sync_status = 'rejected'") == [
        ("cus_0004", "mailbox on a blocklist")]
    setup["receiver"].reject = {}
    again = setup["sync"]()
    assert (again.results[0].adds, again.results[0].delivered) == (1, 1)
    assert "engaged/cus_0004" in setup["receiver"].members


@pytest.mark.parametrize("crash_at", [("committed", 1), ("sent", 2)])
def test_a_crash_between_batches_loses_nothing_and_sends_nothing_twice(setup: dict, crash_at: tuple) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    child = multiprocessing.get_context("spawn").Process(
        target=crashing_sync,
        args=(str(setup["wh"].path), str(setup["tmp"] / "outbox"), str(setup["tmp"]), setup["env"], crash_at,
              ["hook"]))
    child.start()
    child.join(60)
    assert child.exitcode == 17  # killed at the crash point, no cleanup
    synced_before = setup["wh"].rows("select count(*) from activation.sync_state")[0][0]
    assert synced_before == 2  # batch 1 committed in both cases; batch 2 delivered but not committed in one
    run = setup["sync"]()
    assert run.ok, run.summary()
    assert run.results[0].adds == 3
    receiver = setup["receiver"]
    assert sorted(receiver.applied.values()) == [1] * 5 and len(receiver.members) == 5
    sent = [r["idempotency_key"] for r in receiver.records()]
    resent = len(sent) - len(set(sent))
    assert resent == (0 if crash_at == ("committed", 1) else 2)  # the uncommitted batch again, same keys
    assert setup["wh"].rows("select count(*), count(distinct customer_id) from main.activation_log "
                            "where sync_status = 'success'") == [(5, 5)]


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    run = setup["sync"](dry_run=True)
    assert (run.results[0].adds, run.results[0].delivered) == (5, 0)
    assert run.results[0].preview[0] == ("cus_0001", "add")
    assert setup["receiver"].requests == []
    assert setup["wh"].rows("select count(*) from information_schema.tables where table_name = 'activation_log'") == [
        (0,)]


def test_a_blocking_quality_failure_stops_the_sync(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    with setup["wh"].connect() as con:
        con.execute("insert into quality.check_results values ('r2', now()::timestamp + interval 1 second, "
                    "'value', 'audience_sizes', 'engaged', true, 'failed', 10, 50, 'grew 10x')")
    run = setup["sync"]()
    assert run.refused and "audience_sizes" in run.refused
    assert setup["receiver"].requests == []


def test_an_unconfigured_webhook_is_skipped_with_a_reason(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    run = activate(setup["wh"].path, setup["tmp"] / "outbox", {}, config=setup["config"], only=["hook"],
                   log=lambda _: None)
    assert run.results[0].skipped == "not configured: TEST_WEBHOOK_URL is not set"
    assert setup["receiver"].requests == []


def test_an_erased_person_is_removed_from_customer_match_with_the_hashes_last_sent(setup: dict) -> None:
    people = [person(1, email="Jo.Smith+news@GMail.com"), person(2), person(3, email=None, phone=None)]
    consents = [grant(p, "advertising") for p in people]
    setup["wh"].load(people, consents)
    first = setup["sync"](only=["google"])
    assert (first.results[0].eligible, first.results[0].adds) == (2, 2)  # cus_0003 has no identifier to match
    outbox = setup["tmp"] / "outbox" / "google"
    [added] = [p for p in outbox.iterdir()]
    assert added.name.startswith("ads__add__")
    rows = list(csv.reader(added.open()))
    assert rows[0] == ["Email", "Phone"]
    assert rows[1] == [hashing.sha256_hex("jo.smith+news@gmail.com".replace(".", "", 1)),
                       hashing.sha256_hex("+14155550001")]
    assert rows[1][0] == hashing.google_email_hash("Jo.Smith+news@GMail.com")
    setup["wh"].load(people[1:], consents[1:])  # cus_0001 erased: gone from every table
    second = setup["sync"](only=["google"])
    assert second.results[0].removes == 1
    [removed] = [p for p in outbox.iterdir() if "__remove__" in p.name]
    assert list(csv.reader(removed.open()))[1] == rows[1]
    assert setup["wh"].rows("select customer_id from activation.sync_state") == [("cus_0002",)]
    assert not [p for p in outbox.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_advertising_needs_consent_and_respects_do_not_sell(setup: dict) -> None:
    people = [person(1), person(2), person(3)]
    consents = [grant(people[0], "advertising"), grant(people[1], "advertising")]
    do_not_sell = [{"customer_id": "cus_0002", "suppression_scope": "advertising", "reason": "do_not_sell"}]
    setup["wh"].load(people, consents, do_not_sell)
    run = setup["sync"](only=["google"])
    assert (run.results[0].members, run.results[0].eligible) == (3, 1)


def test_postgres_upsert_update_remove_and_row_rejection(setup: dict, pg: Postgres) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        conn.execute("drop table if exists follow_ups")
        conn.execute("create table follow_ups (audience text not null, customer_id text not null, "
                     "idempotency_key text not null, synced_at timestamptz not null default now(), "
                     "first_name text check (first_name <> 'First4'), primary key (audience, customer_id))")
    env = {"TEST_DESK_DSN": pg.dsn}
    run = setup["sync"](only=["desk"], extra_env=env)
    assert (run.results[0].delivered, run.results[0].rejected) == (4, 1)
    [(reason,)] = setup["wh"].rows("select reason from main.activation_log where sync_status = 'rejected'")
    assert reason.startswith("CheckViolation: new row for relation") and "First4" not in reason
    people[0]["first_name"] = "Firstone"
    people[3]["first_name"] = "Fourth"
    consents[4] = {**consents[4], "is_granted": False}
    setup["wh"].load(people, consents)
    again = setup["sync"](only=["desk"], extra_env=env)
    assert (again.results[0].adds, again.results[0].updates, again.results[0].removes) == (1, 1, 1)
    with psycopg.connect(pg.dsn) as conn:
        rows = conn.execute("select customer_id, first_name, email from follow_ups order by 1").fetchall()
    assert rows == [("cus_0001", "Firstone", "person.1@gmail.com"), ("cus_0002", "First2", "person.2@gmail.com"),
                    ("cus_0003", "First3", "person.3@gmail.com"), ("cus_0004", "Fourth", "person.4@gmail.com")]
    assert setup["sync"](only=["desk"], extra_env=env).results[0].delivered == 0


def test_idempotency_keys_are_stable_and_differ_by_change() -> None:
    change = {"customer_id": "c1", "operation": "add", "payload_hash": 1, "old_payload_hash": None}
    assert idempotency_key("d", "a", change) == idempotency_key("d", "a", dict(change))
    assert idempotency_key("d", "a", change) != idempotency_key("d", "a", {**change, "payload_hash": 2})
    remove = {**change, "operation": "remove", "payload_hash": None, "old_payload_hash": 1}
    assert idempotency_key("d", "a", remove) != idempotency_key("d", "a", change)



def test_retry_after_in_seconds_or_as_an_http_date_and_doubling_backoff() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert [backoff(n, 0.5, None) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff(1, 0.5, 9.0) == 9.0


def test_reasons_are_logged_without_addresses_or_phone_numbers() -> None:
    assert redact("bad address jo@example.com, call +1 415 555 0134") == "bad address [redacted], call [redacted]"


def test_a_database_that_is_down_is_an_error_not_a_skip_and_loses_nothing(setup: dict) -> None:
    from tests.activation_fixtures import free_port

    people, consents = five_people()
    setup["wh"].load(people, consents)
    run = setup["sync"](only=["desk"], extra_env={"TEST_DESK_DSN": f"postgresql://cdp@127.0.0.1:{free_port()}/x"})
    assert not run.ok and run.results[0].skipped is None
    assert "desk unavailable: cannot connect" in (run.results[0].error or "")
    assert setup["wh"].rows("select count(*) from activation.sync_state") == [(0,)]


def _activation_age(wh_path: Path, tmp: Path, hours_later: float) -> CheckResult:

    now = datetime.now(UTC) + timedelta(hours=hours_later)
    return run_suites(wh_path, tmp / "docs", suites=["velocity"], now=now, store=False).check(
        "velocity.activation_age")


def test_a_sync_with_nothing_to_send_keeps_the_destination_fresh_and_one_that_stays_down_goes_stale(
        setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    assert setup["sync"]().ok
    assert setup["sync"]().results[0].adds == 0  # nothing new to send
    assert setup["wh"].rows("select destination, audience, sync_status, changes from activation.sync_runs "
                            "order by finished_at") == [("hook", "engaged", "success", 5), ("hook", "engaged", "success", 0)]
    fresh = _activation_age(setup["wh"].path, setup["tmp"], hours_later=25)
    assert fresh.status == "passed", fresh.message
    stale = _activation_age(setup["wh"].path, setup["tmp"], hours_later=27)
    assert stale.status == "failed" and not stale.blocking, stale.message
    # the destination goes down: every attempt is recorded as failed, and the age runs from the last success
    setup["receiver"].script = [(503, {})] * 20
    people[0]["engagement_score"] = 1.0
    setup["wh"].load(people, consents)
    assert not setup["sync"]().ok
    assert setup["wh"].rows("select sync_status, count(*) from activation.sync_runs group by all order by 1") == [
        ("failed", 1), ("success", 2)]
    assert _activation_age(setup["wh"].path, setup["tmp"], hours_later=27).status == "failed"


def test_a_destination_that_never_succeeded_is_judged_from_its_first_attempt(setup: dict) -> None:
    people, consents = five_people()
    setup["wh"].load(people, consents)
    setup["receiver"].script = [(503, {})] * 20
    assert not setup["sync"]().ok
    assert _activation_age(setup["wh"].path, setup["tmp"], hours_later=1).status == "passed"
    late = _activation_age(setup["wh"].path, setup["tmp"], hours_later=30)
    assert late.status == "failed" and "no successful sync since the first attempt" in late.message, late.message
