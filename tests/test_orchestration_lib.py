"""The pure helpers behind the Dagster code location: groups, manifest freshness, landing-file bookkeeping,
dbt failure messages, figures and the writer lock. Fast: no dbt, no Dagster run."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from cdp.writer_lock import WarehouseBusyError, writer_lock
from orchestration.lib import dbt_results, figures
from orchestration.lib import landing_files as lf
from orchestration.lib.dbt_groups import group_for_node, group_for_path, layer_for_node
from orchestration.lib.dbt_manifest import dbt_inputs, is_stale, keep_partial_parse, run_target_path
from orchestration.lib.env import scoped_environ


@pytest.mark.parametrize(
    ("path", "resource_type", "group"),
    [
        ("models/staging/orders/stg_orders__orders.sql", "model", "staging"),
        ("models/staging/orders/base_orders__rows.sql", "model", "staging"),
        ("models/intermediate/identity/int_identifiers_matched.sql", "model", "identity"),
        ("models/marts/identity/customer_360.sql", "model", "identity"),
        ("models/marts/consent/consent_current.sql", "model", "consent"),
        ("models/marts/traits/dim_customer_traits.sql", "model", "traits"),
        ("models/marts/audiences/audience_membership.sql", "model", "audiences"),
        ("models/marts/activation/sync_webhook__vip.sql", "model", "activation"),
        ("models/marts/landing/fct_quarantined_rows.sql", "model", "landing_quality"),
        ("models/marts/fct_orphan.sql", "model", "marts"),
        ("models/marts/b2b-accounts/dim_accounts.sql", "model", "b2b_accounts"),
        ("seeds/purposes.csv", "seed", "reference"),
        ("snapshots/consent/consent_snapshot.sql", "snapshot", "consent"),
        ("snapshots/snap.sql", "snapshot", "snapshots"),
    ],
)
def test_groups_follow_the_folder_of_the_dbt_node(path: str, resource_type: str, group: str) -> None:
    assert group_for_path(path, resource_type) == group


def test_an_explicit_dagster_group_in_meta_wins_and_sources_group_by_source_name() -> None:
    node = {"resource_type": "model", "original_file_path": "models/staging/x/stg_x__y.sql",
            "config": {"meta": {"dagster": {"group": "Identity"}}}}
    assert group_for_node(node) == "identity"
    assert group_for_node({"resource_type": "source", "source_name": "landing", "name": "orders"}) == "landing"
    assert layer_for_node({"resource_type": "model", "original_file_path": "models/marts/a/b.sql"}) == "marts"


def test_manifest_is_stale_when_missing_or_older_than_an_input(tmp_path: Path) -> None:
    assert is_stale(None, [])
    assert is_stale(10.0, [5.0, 11.0])
    assert not is_stale(10.0, [5.0, 9.0])
    (tmp_path / "models" / "a").mkdir(parents=True)
    (tmp_path / "models" / "a" / "m.sql").write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    (tmp_path / "README.md").write_text("not an input")
    assert sorted(p.name for p in dbt_inputs(tmp_path)) == ["dbt_project.yml", "m.sql"]


def test_run_targets_are_fresh_seeded_with_the_latest_parse_state_and_pruned(tmp_path: Path) -> None:
    base, manifest = tmp_path / "runs", tmp_path / "code" / "manifest.json"
    manifest.parent.mkdir()
    (manifest.parent / "partial_parse.msgpack").write_bytes(b"from-load")
    first = run_target_path(base, "run-one-id", manifest)
    assert (first / "partial_parse.msgpack").read_bytes() == b"from-load"
    (first / "partial_parse.msgpack").write_bytes(b"from-run")
    keep_partial_parse(first, base)
    second = run_target_path(base, "run-two-id", manifest)
    assert second != first and (second / "partial_parse.msgpack").read_bytes() == b"from-run"
    for i in range(25):
        run_target_path(base, f"run{i:04d}", manifest)
    assert len([p for p in base.iterdir() if p.is_dir()]) == 20


def landed(path: str, modified_at: float = 0.0) -> lf.LandedFile:
    return lf.LandedFile(path, path.split("/")[0], modified_at, 1)


def test_scan_lists_landed_files_and_skips_hidden_and_in_progress_ones(tmp_path: Path) -> None:
    for rel in ("orders/a.csv", "orders/sub/b.jsonl", "orders/.hidden.csv", "orders/_tmp.csv",
                "orders/c.csv.part", "web_events/x.jsonl", "unknown_source/z.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = lf.scan(tmp_path, ["orders", "web_events", "crm_contacts"])
    assert [f.path for f in found] == ["orders/a.csv", "orders/sub/b.jsonl", "web_events/x.jsonl"]
    assert [f.source for f in found] == ["orders", "orders", "web_events"]


def test_each_new_file_is_new_once_and_the_run_key_names_the_file_set() -> None:
    files = [landed("orders/a.csv"), landed("web_events/b.jsonl")]
    fresh = lf.new_files(files, seen=set())
    assert fresh == files and lf.sources_of(fresh) == ["orders", "web_events"]
    seen = lf.decode_cursor(lf.encode_cursor({f.path for f in fresh}))
    assert lf.new_files(files, seen) == []
    more = [*files, landed("orders/c.csv")]
    assert lf.new_files(more, seen) == [landed("orders/c.csv")]
    assert lf.run_key(files) == lf.run_key(list(reversed(files)))
    assert lf.run_key(files) != lf.run_key(more)
    assert lf.run_key(files).startswith("landing-")


def test_the_cursor_compresses_when_long_and_an_unreadable_cursor_means_nothing_seen() -> None:
    many = {f"web_events/2026-11-{i:05d}.jsonl" for i in range(3000)}
    cursor = lf.encode_cursor(many)
    assert cursor.startswith("z:") and len(cursor) < 20000
    assert lf.decode_cursor(cursor) == many
    assert lf.decode_cursor(lf.encode_cursor({"a/b.csv"})) == {"a/b.csv"}
    assert lf.decode_cursor(None) == set()
    assert lf.decode_cursor("not json") == set()
    assert lf.decode_cursor('{"v": 99, "files": ["x"]}') == set()


def test_privacy_files_wait_until_a_full_build_starts_after_them_and_are_due_after_the_max_wait() -> None:
    now = datetime(2026, 11, 2, 12, tzinfo=UTC)
    old = landed("privacy_requests/old.jsonl", (now - timedelta(hours=13)).timestamp())
    new = landed("privacy_requests/new.jsonl", (now - timedelta(hours=1)).timestamp())
    assert lf.pending_privacy_files([old, new], covered_until=None) == [new, old]
    build_started = now - timedelta(hours=5)
    assert lf.pending_privacy_files([old, new], covered_until=build_started) == [new]
    assert lf.overdue([old, new], now, timedelta(hours=12)) == [old]
    assert lf.overdue([new], now, timedelta(hours=12)) == []


MANIFEST = {
    "nodes": {
        "model.cdp.base_orders__rows": {"name": "base_orders__rows", "resource_type": "model"},
        "model.cdp.stg_orders__orders": {"name": "stg_orders__orders", "resource_type": "model"},
        "test.cdp.unique_base_orders__rows__row_id.1": {
            "name": "unique_base_orders__rows__row_id", "resource_type": "test",
            "attached_node": "model.cdp.base_orders__rows",
        },
        "model.cdp.broken": {"name": "broken", "resource_type": "model"},
    }
}
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.cdp.base_orders__rows", "status": "success"},
        {"unique_id": "test.cdp.unique_base_orders__rows__row_id.1", "status": "fail", "failures": 2,
         "message": "Got 2 results, configured to fail if != 0"},
        {"unique_id": "model.cdp.stg_orders__orders", "status": "skipped"},
        {"unique_id": "model.cdp.broken", "status": "error",
         "message": "Runtime Error in model broken (models/broken.py)\n  Python model failed:\n  Traceback:\n"
                    "  ValueError: column x not found\n  compiled code at target/compiled/broken.py"},
    ]
}


def test_a_dbt_failure_message_names_the_failing_test_what_it_skipped_and_what_to_do_next() -> None:
    found = dbt_results.problems(RUN_RESULTS, MANIFEST)
    assert [(p.name, p.status, p.attached_to, p.failures) for p in found] == [
        ("unique_base_orders__rows__row_id", "fail", "base_orders__rows", 2),
        ("broken", "error", None, None),
    ]
    skipped = dbt_results.skipped(RUN_RESULTS, MANIFEST)
    assert skipped == ["stg_orders__orders"]
    text = dbt_results.failure_description(found, skipped)
    assert "unique_base_orders__rows__row_id on base_orders__rows, 2 failing row(s)" in text
    assert "model broken: Runtime Error in model broken (models/broken.py) ... ValueError: column x not found" in text
    assert "dbt skipped 1 downstream model(s): stg_orders__orders." in text
    assert "dbt test --select unique_base_orders__rows__row_id --store-failures" in text
    assert "BI readers still see the last good published copy" in text


def test_a_build_that_cannot_lock_the_warehouse_says_which_process_to_close() -> None:
    results = {"results": [{"unique_id": "model.cdp.broken", "status": "error",
                            "message": 'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held'}]}
    text = dbt_results.failure_description(dbt_results.problems(results, MANIFEST), [])
    assert "pointed at the warehouse instead of its published copy" in text


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema previous_copy")
    con.execute(
        """
        create table main.fct_landing_reconciliation as select * from (values
            ('orders', 2, 10, 8, 2, true, true), ('web_events', 0, 0, 0, 0, true, false),
            ('crm_contacts', 1, 5, 4, 0, false, true)
        ) t(source_name, files_landed, rows_landed, rows_staged, rows_quarantined, is_balanced, has_data)
        """
    )
    con.execute(
        """
        create table main.fct_quarantined_rows as select * from (values
            ('orders', 'orders/a.csv', 'missing_required', 'order_id is required'),
            ('orders', 'orders/a.csv', 'invalid_required', 'ordered_at is not a timestamp'),
            ('orders', 'orders/b.csv', 'missing_required', 'order_id is required')
        ) t(source_name, file_path, quarantine_category, quarantine_reason)
        """
    )
    con.execute(
        """
        create table main.customer_source_records as select * from (values
            ('crm_contacts', 'c1', 'K1'), ('shop_customers', 's1', 'K1'), ('loyalty_members', 'l1', 'K2')
        ) t(source, source_record_id, customer_id)
        """
    )
    con.execute(
        """
        create table main.customer_identifiers as select * from (values
            ('K1', 'email', 'a@x.com'), ('K1', 'phone', '+1415'), ('K2', 'email', 'a@x.com')
        ) t(customer_id, identifier_type, identifier_value)
        """
    )
    con.execute(
        """
        create table main.audience_membership as select * from (values
            ('vip', 'K1'), ('vip', 'K2'), ('lapsed', 'K3')
        ) t(audience, customer_id)
        """
    )
    con.execute(
        """
        create table previous_copy.audience_membership as select * from (values
            ('vip', 'K1'), ('vip', 'K9'), ('winback', 'K4')
        ) t(audience, customer_id)
        """
    )
    return con


def test_every_model_gets_its_row_count_and_its_change_since_the_published_copy(con) -> None:
    got = figures.figures_for(con, "audience_membership", "main.audience_membership",
                              "previous_copy.audience_membership")
    assert got["dagster/row_count"] == 3 and got["rows_in_published_copy"] == 3 and got["row_count_change"] == 0
    assert figures.figures_for(con, "some_model", "main.customer_identifiers", None) == {"dagster/row_count": 3}


def test_reconciliation_figures_sum_the_sources_and_name_the_unbalanced_ones(con) -> None:
    got = figures.landing_reconciliation(con, "main.fct_landing_reconciliation", None)
    assert (got["rows_landed"], got["rows_staged"], got["rows_quarantined"]) == (15, 12, 2)
    assert got["sources_with_data"] == 2 and got["sources_without_data"] == "web_events"
    assert got["unbalanced_sources"] == "crm_contacts"
    assert "| orders | 2 | 10 | 8 | 2 | yes |" in got["per_source"]
    assert isinstance(got["per_source"], figures.Markdown)


def test_quarantine_figures_count_by_category_and_show_the_worst_files(con) -> None:
    got = figures.quarantined_rows(con, "main.fct_quarantined_rows", None)
    assert got["quarantined_rows"] == 3
    assert "| orders | missing_required | 2 |" in got["by_source_and_category"]
    assert "| orders/a.csv | 2 |" in got["files_with_most_quarantined_rows"]


def test_identity_figures_measure_merges_and_identifiers_claimed_by_several_customers(con) -> None:
    records = figures.customer_source_records(con, "main.customer_source_records", None)
    assert (records["source_records"], records["customers"], records["records_per_customer"]) == (3, 2, 1.5)
    assert records["customers_with_several_records_pct"] == 50.0
    identifiers = figures.customer_identifiers(con, "main.customer_identifiers", None)
    assert identifiers["identifiers_per_customer"] == 1.5
    assert identifiers["identifier_values_on_several_customers"] == 1


def test_audience_figures_give_sizes_and_who_joined_and_left_since_the_published_copy(con) -> None:
    got = figures.audience_membership(con, "main.audience_membership", "previous_copy.audience_membership")
    assert (got["audiences"], got["members_joined"], got["members_left"]) == (2, 2, 2)
    table = got["audience_sizes"]
    assert "| vip | 2 | 1 | 1 |" in table and "| lapsed | 1 | 1 | 0 |" in table and "| winback | 0 | 0 | 1 |" in table
    first = figures.audience_membership(con, "main.audience_membership", None)
    assert first["members_joined"] == 3 and first["members_left"] == 0


def test_the_writer_lock_lets_one_writer_in_and_tells_the_next_whom_it_waits_for(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    inside, waited = [], []

    def second_writer() -> None:
        with writer_lock(warehouse, "run B", timeout_s=10, poll_s=0.02, on_wait=waited.append):
            inside.append(("B", time.monotonic()))

    with writer_lock(warehouse, "run A"):
        inside.append(("A", time.monotonic()))
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)
        assert [who for who, _ in inside] == ["A"]
        released = time.monotonic()
    thread.join(5)
    assert [who for who, _ in inside] == ["A", "B"] and inside[1][1] >= released
    assert waited and waited[0].startswith("run A (pid ")


def test_a_writer_that_waits_too_long_gets_a_message_saying_what_to_do(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    result: list[BaseException] = []

    def late_writer() -> None:
        try:
            with writer_lock(warehouse, "run B", timeout_s=0.2, poll_s=0.05):
                pass
        except WarehouseBusyError as exc:
            result.append(exc)

    with writer_lock(warehouse, "run A"):
        thread = threading.Thread(target=late_writer)
        thread.start()
        thread.join(5)
    assert result and "written by run A" in str(result[0]) and "terminate it in the Dagster UI" in str(result[0])


def test_scoped_environ_restores_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDP_TEST_KEEP", "before")
    monkeypatch.delenv("CDP_TEST_NEW", raising=False)
    with scoped_environ({"CDP_TEST_KEEP": "during", "CDP_TEST_NEW": "x"}):
        assert os.environ["CDP_TEST_KEEP"] == "during" and os.environ["CDP_TEST_NEW"] == "x"
    assert os.environ["CDP_TEST_KEEP"] == "before" and "CDP_TEST_NEW" not in os.environ
