"""The five-V suites (expectations/), each proven to catch the fault it names and to pass on clean data.

One small clean landing zone is generated and built per module (as `cdp generate` + `cdp ingest` + `dbt build`
do it). Landing faults (a source missing, a batch cut to a tenth, stale timestamps) are landed into a copy of
that zone and built once; warehouse faults (duplicated ids, a junk email shared by hundreds of records, an
unknown consent status, a new JSON key, an audience ten times larger) are written into a copy of the clean
warehouse. Every run of the suites appends to quality.check_results and writes Data Docs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from cdp.config import Settings
from cdp.landing import ingest
from expectations.dagster_asset import QUALITY_KEY, build_quality_asset
from expectations.run import RESULTS_TABLE, SuitesResult, load_suites, main, prune_data_docs, run_suites

from .conftest import run_dbt

CDP = str(Path(sys.executable).with_name("cdp"))
AS_OF = datetime.now(UTC).date()
# The suites judge freshness against `now`: pinned to 06:00 UTC on the generator's as-of day, so that the
# result does not depend on the hour the tests run.
NOW = datetime.combine(AS_OF, time(6, 0))


# What the suites read today: staging, the landing marts and the seeds (the blocklist). The later stages
# (identity, customer_360, consent, audiences, activation) are left out on purpose: their checks are then
# reported skipped, and the tests stay fast and do not depend on stages being built by others.
BUILD_SELECT = ["path:models/staging", "path:models/marts/landing", "resource_type:seed"]


def build(landing: Path, warehouse: Path, target: Path) -> None:
    """Collect and build as `cdp run` does: copy the landing files, then `dbt build` (BUILD_SELECT)."""
    env = {**os.environ, "CDP_LANDING_DIR": str(landing), "CDP_WAREHOUSE": str(warehouse)}
    result = subprocess.run([CDP, "ingest"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dbt(["build", "--select", *BUILD_SELECT, "--indirect-selection", "cautious"], warehouse, landing, target)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("quality_clean")
    landing = tmp / "landing"
    result = subprocess.run(
        [CDP, "generate", "--out", str(landing), "--customers", "2000", "--seed", "42",
         "--as-of", AS_OF.isoformat(), "--quiet"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    build(landing, tmp / "wh" / "cdp.duckdb", tmp / "target")
    return {"landing": landing, "warehouse": tmp / "wh" / "cdp.duckdb", "target": tmp / "target"}


def copy_warehouse(clean: dict[str, Path], tmp_path: Path) -> Path:
    warehouse = tmp_path / "wh" / "cdp.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copy(clean["warehouse"], warehouse)
    return warehouse


def run(warehouse: Path, suites: list[str] | None = None) -> SuitesResult:
    return run_suites(warehouse, warehouse.parent / "data_docs", suites, now=NOW)


def execute(warehouse: Path, *statements: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for sql in statements:
            con.execute(sql)


def failed_subjects(result: SuitesResult, check: str) -> list[str]:
    return sorted(s.subject for s in result.check(check).failures)


# ---------------------------------------------------------------------------------------------------------
# clean data
# ---------------------------------------------------------------------------------------------------------


def test_clean_data_passes_every_check_that_can_run_and_writes_data_docs(clean: dict, tmp_path: Path) -> None:
    result = run(copy_warehouse(clean, tmp_path))
    assert result.success, result.summary()
    assert result.blocking_failures == []
    assert result.warnings == [], result.summary()
    assert [c.check for c in result.checks if c.status == "error"] == []
    assert [s.name for s in result.suites] == ["volume", "velocity", "variety", "veracity", "value"]
    for suite in result.suites:
        assert any(c.status == "passed" for c in suite.checks), f"{suite.name} has no check that ran"
    assert result.data_docs_index is not None and result.data_docs_index.name == "index.html"
    html = result.data_docs_index.read_text()
    for suite in ("volume", "velocity", "variety", "veracity", "value"):
        assert suite in html


def test_a_check_on_a_stage_not_built_yet_is_reported_skipped_never_passed(clean: dict, tmp_path: Path) -> None:
    result = run(copy_warehouse(clean, tmp_path), ["veracity", "value"])
    skipped = result.check("veracity.customer_360_one_row_per_customer")
    assert skipped.status == "skipped" and not skipped.success
    assert "requires main.customer_360" in skipped.message and "not passed" in skipped.message
    assert "value.audience_sizes" in {c.check for c in result.skipped}
    assert "skipped" in result.summary()


def test_a_stage_that_lands_with_other_columns_errors_and_blocks_never_passes(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, "create table main.customer_360 as select 'c1' as person_key")
    result = run(warehouse, ["veracity"])
    check = result.check("veracity.customer_360_one_row_per_customer")
    assert check.status == "error" and not result.success
    assert "the check's query failed" in check.message and "customer_id" in check.message


def test_results_history_grows_by_one_run_per_run(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    first = run(warehouse, ["volume"])
    second = run(warehouse, ["volume"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute(f"select run_id, count(*) from {RESULTS_TABLE} group by run_id").fetchall()
        skipped = con.execute(
            f"select status, message from {RESULTS_TABLE} where check_name = 'volume.customer_growth'"
        ).fetchall()
    assert {r for r, _ in runs} == {first.run_id, second.run_id}
    assert all(n > 17 for _, n in runs)
    assert skipped == [("skipped", first.check("volume.customer_growth").message)] * 2
    # the second run compares its staged rows with the first run's, read back from the history table
    assert first.check("volume.rows_growth").observed["orders"] is None
    assert second.check("volume.rows_growth").observed["orders"] == pytest.approx(1.0)
    # each run wrote its own validation pages beside the Data Docs index
    pages = warehouse.parent / "data_docs" / "validations" / "volume"
    assert sorted(p.name for p in pages.iterdir()) == sorted([first.run_id, second.run_id])


def test_data_docs_keep_the_pages_of_the_newest_runs_only(tmp_path: Path) -> None:
    runs = [f"202611{day:02d}T060000-abcd{day:04d}" for day in range(1, 6)]
    for suite in ("volume", "value"):
        for age, run_id in enumerate(reversed(runs)):  # the folder of the last run id is the newest
            folder = tmp_path / "validations" / suite / run_id
            (folder / "20261101T060000Z").mkdir(parents=True)
            os.utime(folder, (1_800_000_000 - age * 3600, 1_800_000_000 - age * 3600))
    deleted = prune_data_docs(tmp_path, keep=2)
    assert len(deleted) == 6
    for suite in ("volume", "value"):
        assert sorted(p.name for p in (tmp_path / "validations" / suite).iterdir()) == runs[-2:]
    assert prune_data_docs(tmp_path, keep=2) == []


def test_every_check_has_a_reason_a_blocking_flag_and_a_known_expectation() -> None:
    suites = load_suites()
    assert list(suites) == ["volume", "velocity", "variety", "veracity", "value"]
    for checks in suites.values():
        for check in checks:
            assert len(check.reason) > 40, check.qualified
            assert isinstance(check.blocking, bool)
            assert all(e.type.startswith("expect_") for e in check.expectations), check.qualified


# ---------------------------------------------------------------------------------------------------------
# landing faults: volume, velocity, variety
# ---------------------------------------------------------------------------------------------------------


def cut_to_a_tenth(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for i, line in enumerate(lines) if i % 10 == 0))


def shift_back(path: Path, field: str, days: int) -> None:
    out = []
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
            record[field] = (datetime.fromisoformat(record[field]) - timedelta(days=days)).isoformat()
            line = json.dumps(record)
        except (ValueError, TypeError, KeyError):
            pass
        out.append(line)
    path.write_text("\n".join(out) + "\n")


FAULTY_SOURCES = ["b2b_accounts", "web_events", "email_events"]


@pytest.fixture(scope="module")
def faulty(clean: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The clean landing zone with three faults, one per source: b2b_accounts never delivered, the newest
    web_events batch cut to a tenth of its rows, every email_events timestamp ten days older.

    To stay fast, only those three sources are landed again: a copy of the clean warehouse forgets them
    (manifest and landing tables), `cdp.landing.ingest` copies their faulty files, and dbt rebuilds their
    staging models and the landing marts, exactly as a full build would for them."""
    tmp = tmp_path_factory.mktemp("quality_faulty")
    landing = tmp / "landing"
    for source in FAULTY_SOURCES:
        shutil.copytree(clean["landing"] / source, landing / source)
    shutil.rmtree(landing / "b2b_accounts")
    cut_to_a_tenth(max((landing / "web_events").glob("*.jsonl")))
    for path in (landing / "email_events").glob("*.jsonl"):
        shift_back(path, "occurred_at", days=10)

    warehouse = tmp / "wh" / "cdp.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copy(clean["warehouse"], warehouse)
    execute(warehouse, f"delete from landing._files where source in ({', '.join(repr(s) for s in FAULTY_SOURCES)})",
            *(f"delete from landing.{source}" for source in FAULTY_SOURCES))
    ingest(landing, warehouse, sources=FAULTY_SOURCES, progress=False)
    run_dbt(["build", "--select", *(f"path:models/staging/{source}" for source in FAULTY_SOURCES),
             "path:models/marts/landing", "--indirect-selection", "cautious"], warehouse, landing, clean["target"])
    return {"warehouse": warehouse, "result": run(warehouse)}


def test_a_missing_source_fails_the_blocking_variety_check(faulty: dict) -> None:
    result = faulty["result"]
    check = result.check("variety.expected_sources")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "variety.expected_sources") == ["b2b_accounts"]
    assert "b2b_accounts: no data: no file landed in CDP_LANDING_DIR/b2b_accounts/" in check.message


def test_a_batch_cut_to_a_tenth_fails_the_learned_volume_bounds(faulty: dict) -> None:
    result = faulty["result"]
    check = result.check("volume.batch_rows_vs_history")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "volume.batch_rows_vs_history") == ["web_events"]
    assert "web_events: newest batch web_events/web_events_0006" in check.message
    assert "expected observed between 0.2 and 5" in check.message
    (web,) = [s for s in check.subjects if s.subject == "web_events"]
    assert web.observed < 0.2 and web.metric == 7


def test_stale_timestamps_fail_the_blocking_freshness_check(faulty: dict) -> None:
    result = faulty["result"]
    check = result.check("velocity.event_source_freshness")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "velocity.event_source_freshness") == ["email_events"]
    assert "email_events: newest row at" in check.message and "limit 192 hours" in check.message


def test_a_blocking_failure_fails_the_run_and_the_command(faulty: dict, capsys: pytest.CaptureFixture) -> None:
    result = faulty["result"]
    assert not result.success
    assert {c.check for c in result.blocking_failures} == {
        "variety.expected_sources", "volume.batch_rows_vs_history", "velocity.event_source_freshness",
    }
    assert "activation must not run" in result.summary()
    docs = faulty["warehouse"].parent / "cli_docs"
    code = main(["--warehouse", str(faulty["warehouse"]), "--data-docs", str(docs), "--suite", "variety"])
    assert code == 1
    assert "BLOCKING variety.expected_sources" in capsys.readouterr().out
    assert (docs / "index.html").exists()


# ---------------------------------------------------------------------------------------------------------
# warehouse faults: veracity, variety, value
# ---------------------------------------------------------------------------------------------------------


def test_duplicated_ids_fail_the_blocking_key_check(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, """
        insert into staging.base_orders__rows
        select * from staging.base_orders__rows where _is_current order by order_id limit 40""")
    result = run(warehouse, ["veracity"])
    check = result.check("veracity.keys_unique_not_null")
    assert check.status == "failed" and check.blocking and not result.success
    assert failed_subjects(result, "veracity.keys_unique_not_null") == ["staging.stg_orders__orders.order_id"]
    assert "40 duplicate and 0 null key(s)" in check.message and "2 times" in check.message


def test_a_junk_email_shared_by_hundreds_of_records_fails_until_it_is_blocklisted(
    clean: dict, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, """
        update staging.base_crm_contacts__rows set email = 'nobody@shopmail.net'
        where _row_id in (
            select _row_id from staging.base_crm_contacts__rows where _is_current order by _row_id limit 300
        )""")
    result = run(warehouse, ["veracity"])
    check = result.check("veracity.shared_contact_points")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "veracity.shared_contact_points") == ["email n***@shopmail.net"]
    assert "300 current profile records share this email" in check.message
    assert "expected observed at most 25" in check.message

    execute(warehouse, "insert into reference.identifier_blocklist values ('email', 'nobody@shopmail.net', 'junk')")
    assert run(warehouse, ["veracity"]).check("veracity.shared_contact_points").status == "passed"


def test_an_unknown_consent_status_fails_the_blocking_vocabulary_check(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, """
        update landing.consent_events set _record = json_merge_patch(_record, '{"status": "revoked"}')
        where _record ->> 'status' = 'withdrawn'""")
    result = run(warehouse, ["variety"])
    check = result.check("variety.consent_vocabulary")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "variety.consent_vocabulary") == ["consent_events.status"]
    assert "unknown values 'revoked' (" in check.message and "known: granted, denied, withdrawn" in check.message
    assert result.check("variety.vocabulary").status == "passed"


def test_a_new_json_key_is_reported_as_a_warning_that_does_not_block(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, """
        update landing.web_events
        set _record = json_merge_patch(_record, '{"context": {"consent_banner": "v2"}, "schema_version": 3}')
        where _file = (select max(file) from landing._files where source = 'web_events')""")
    result = run(warehouse, ["variety"])
    check = result.check("variety.new_or_vanished_keys")
    assert check.status == "failed" and not check.blocking and result.success
    assert failed_subjects(result, "variety.new_or_vanished_keys") == [
        "web_events: context.consent_banner", "web_events: schema_version",
    ]
    assert 'key "schema_version" is new in web_events/web_events_0006' in check.message


def test_an_audience_suddenly_ten_times_larger_fails_the_blocking_value_check(clean: dict, tmp_path: Path) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    # A stand-in for the audiences stage (CONTRACT.md section 4: one row per audience and customer_id).
    execute(warehouse, """
        create table main.audience_membership as
        select 'lapsed_buyers' as audience, 'c' || i as customer_id from range(100) as t(i)
        union all
        select 'vip', 'c' || i from range(40) as t(i)""")
    first = run(warehouse, ["value"])
    assert first.check("value.audience_sizes").status == "passed", first.summary()
    execute(warehouse, """
        insert into main.audience_membership select 'lapsed_buyers', 'c' || i from range(100, 1000) as t(i)""")
    second = run(warehouse, ["value"])
    check = second.check("value.audience_sizes")
    assert check.status == "failed" and check.blocking and not second.success
    assert failed_subjects(second, "value.audience_sizes") == ["lapsed_buyers"]
    assert "lapsed_buyers: 1000 members, 100 at the previous run" in check.message
    assert "expected observed between 0.3333 and 3" in check.message


def test_a_batch_ten_times_larger_than_its_history_fails_the_learned_volume_bounds(
    clean: dict, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(clean, tmp_path)
    execute(warehouse, """
        update landing._files set row_count = row_count * 10
        where file = (select max(file) from landing._files where source = 'mobile_events')""")
    result = run(warehouse, ["volume"])
    check = result.check("volume.batch_rows_vs_history")
    assert check.status == "failed" and check.blocking
    assert failed_subjects(result, "volume.batch_rows_vs_history") == ["mobile_events"]
    (mobile,) = [s for s in check.subjects if s.subject == "mobile_events"]
    assert mobile.observed > 5


def test_learned_volume_bounds_need_history_and_say_so(clean: dict, tmp_path: Path) -> None:
    result = run(copy_warehouse(clean, tmp_path), ["volume"])
    check = result.check("volume.batch_rows_vs_history")
    (b2b,) = [s for s in check.subjects if s.subject == "b2b_accounts"]
    assert b2b.success and b2b.observed is None
    assert "not enough history: 1 earlier batch(es), need 3" in b2b.detail
    assert any("not enough history" in note for note in check.notes)



# ---------------------------------------------------------------------------------------------------------
# Dagster: the suites as blocking asset checks
# ---------------------------------------------------------------------------------------------------------


class WarehouseStub(dg.ConfigurableResource):
    """The code location's `warehouse` resource, reduced to what the quality asset uses."""

    warehouse: str

    @contextmanager
    def writer(self, context: dg.AssetExecutionContext) -> Iterator[Settings]:
        yield Settings.from_env({"CDP_WAREHOUSE": self.warehouse})


def materialize_with_probe(warehouse: Path) -> tuple[dg.ExecuteInJobResult, list[str]]:
    """Materializes the quality asset and a probe asset downstream of it (where activation sits)."""
    probed: list[str] = []

    @dg.asset(deps=[QUALITY_KEY])
    def activation_probe() -> None:
        probed.append("ran")

    result = dg.materialize(
        [build_quality_asset([]), activation_probe],
        resources={"warehouse": WarehouseStub(warehouse=str(warehouse))},
        raise_on_error=False,
    )
    return result, probed


def test_in_dagster_clean_data_passes_the_five_checks_and_links_the_data_docs(clean: dict, tmp_path: Path) -> None:
    result, probed = materialize_with_probe(copy_warehouse(clean, tmp_path))
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert sorted(checks) == sorted(["volume", "velocity", "variety", "veracity", "value"])
    assert all(e.passed for e in checks.values())
    (materialization,) = result.asset_materializations_for_node("quality__five_v_checks")
    assert materialization.metadata["data_docs"].url.endswith("quality/data_docs/index.html")
    assert probed == ["ran"]


def test_in_dagster_a_blocking_failure_stops_everything_downstream(faulty: dict) -> None:
    result, probed = materialize_with_probe(faulty["warehouse"])
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for suite in ("volume", "velocity", "variety"):
        assert not checks[suite].passed and checks[suite].severity == dg.AssetCheckSeverity.ERROR
    assert "variety.expected_sources" in checks["variety"].description
    assert probed == []


def test_every_check_is_documented(project_root: Path) -> None:
    text = (project_root / "docs" / "quality.md").read_text()
    missing = [c.qualified for checks in load_suites().values() for c in checks if f"`{c.name}`" not in text]
    assert missing == []
