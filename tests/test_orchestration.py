"""The Dagster code location: the definitions load and cover the platform, the whole graph materializes on a
small landing zone into a temporary warehouse (twice: the second run is incremental), readers of the published
copy and builds never block each other, a failing blocking check stops what is downstream of it, and the
sensors and schedules request exactly the runs they should."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from cdp.publish import published_path

from .conftest import ROOT, relaxed_quality_suites

ORDERS = """order_id,ordered_at,status,order_total,currency
o1,2026-10-01T09:00:00Z,placed,12.50,eur
o2,yesterday,placed,3.00,EUR
"""
ORDERS_LATE = """order_id,ordered_at,status,order_total,currency
o3,2026-10-03T09:00:00Z,placed,7.00,EUR
"""
WEB = [
    {"message_id": "m1", "type": "page", "timestamp": "2026-11-01T10:00:00Z", "anonymous_id": "a1"},
    {"message_id": "m2", "type": "identify", "timestamp": "2026-11-01T10:05:00Z", "anonymous_id": "a1",
     "user_id": "u1", "traits": {"email": "jo@example.com"}},
]
CRM = """contact_id,source_system,first_name,email
c1,salesforce,Jo,jo@example.com
"""
PRIVACY = [{"request_id": "r1", "subject_type": "email", "subject_id": "jo@example.com",
            "request_type": "access", "received_at": "2026-11-01T11:00:00Z"}]
LANDING = {
    "orders/2026-10-01.csv": ORDERS,
    "web_events/2026-11-01.jsonl": "".join(json.dumps(r) + "\n" for r in WEB),
    "crm_contacts/contacts.csv": CRM,
    "privacy_requests/2026-11-01.jsonl": "".join(json.dumps(r) + "\n" for r in PRIVACY),
}


@pytest.fixture(scope="session")
def defs() -> dg.Definitions:
    """The code location, loaded once per session: importing it parses dbt once if the manifest is stale."""
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="session")
def manifest(defs: dg.Definitions) -> dict:
    from orchestration.defs.dbt.project import manifest

    return manifest


@dataclass
class Place:
    root: Path
    landing: Path
    warehouse: Path
    instance: dg.DagsterInstance

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CDP_LANDING_DIR", str(self.landing))
        monkeypatch.setenv("CDP_WAREHOUSE", str(self.warehouse))
        monkeypatch.setenv("CDP_OUTBOX_DIR", str(self.root / "outbox"))
        monkeypatch.setenv("DBT_TARGET_PATH", str(self.root / "dbt-target"))
        monkeypatch.setenv("CDP_QUALITY_SUITES_DIR", str(relaxed_quality_suites(self.root / "quality-suites")))

    def copy_to(self, root: Path) -> Place:
        """The same landing zone and warehouse (and published copy) in another folder, to build on further."""
        shutil.copytree(self.landing, root / "landing")
        for path in (self.warehouse, published_path(self.warehouse)):
            shutil.copyfile(path, root / path.name)
        return Place(root, root / "landing", root / self.warehouse.name, dg.DagsterInstance.ephemeral())


def write_landing(landing: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text(text)


def materialize(defs: dg.Definitions, place: Place, extra: list | None = None,
                selection: list[dg.AssetKey] | dg.AssetSelection | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*defs.assets, *(extra or [])],
        resources=defs.resources,
        instance=place.instance,
        selection=selection,
        raise_on_error=False,
    )


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.materialization.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def mart_count(path: Path, sql: str) -> object:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def built(defs: dg.Definitions, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Place, dict]]:
    """A small landing zone built once by `dg.materialize` of the whole graph into a temporary warehouse."""
    root = tmp_path_factory.mktemp("orchestration")
    place = Place(root, root / "landing", root / "cdp.duckdb", dg.DagsterInstance.ephemeral())
    write_landing(place.landing, LANDING)
    with pytest.MonkeyPatch.context() as monkeypatch:
        place.env(monkeypatch)
        result = materialize(defs, place)
    assert result.success, "the first build failed"
    yield place, materializations(result)


# --- the definitions --------------------------------------------------------------------------------------


def test_the_definitions_load_and_validate(defs: dg.Definitions) -> None:
    import orchestration.definitions as entry_point

    dg.Definitions.validate_loadable(defs)
    found = [name for name, value in vars(entry_point).items() if isinstance(value, dg.Definitions)]
    assert found == ["defs"], "dagster -m orchestration.definitions needs exactly one Definitions at module scope"
    assert {j.name for j in defs.jobs} >= {"full_build", "incremental_build"}


def test_every_landing_folder_is_an_asset_in_group_landing_and_dbt_sources_map_onto_it(
    defs: dg.Definitions, manifest: dict
) -> None:
    graph = defs.resolve_asset_graph()
    from cdp.landing import landing_sources

    for source in landing_sources():
        key = dg.AssetKey(["landing", source])
        node = graph.get(key)
        assert node.group_name == "landing" and node.is_materializable, source
        base = dg.AssetKey(f"base_{source}__rows")
        assert graph.get(base).parent_keys == {key}, f"{base} must read landing/{source}"


def test_every_dbt_model_is_an_asset_grouped_by_its_folder(defs: dg.Definitions, manifest: dict) -> None:
    from orchestration.lib.dbt_groups import group_for_node

    graph = defs.resolve_asset_graph()
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in {"model", "seed", "snapshot"}]
    assert nodes
    for node in nodes:
        assert graph.get(dg.AssetKey(node["name"])).group_name == group_for_node(node), node["name"]
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"landing", "staging", "landing_quality", "publish"} <= groups
    assert graph.get(dg.AssetKey("stg_orders__orders")).group_name == "staging"
    assert graph.get(dg.AssetKey("fct_landing_reconciliation")).group_name == "landing_quality"


def test_dbt_tests_are_asset_checks_and_error_severity_ones_block(defs: dg.Definitions, manifest: dict) -> None:
    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name): graph.get_check_spec(k) for k in graph.asset_check_keys}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test" and n.get("attached_node")]
    assert tests
    for test in tests:
        attached = manifest["nodes"][test["attached_node"]]["name"]
        spec = checks[(attached, test["name"])]
        assert spec.blocking == ((test["config"].get("severity") or "error").lower() == "error"), test["name"]
    assert checks[("base_orders__rows", "unique_base_orders__rows__row_id")].blocking


def test_lineage_runs_from_every_landing_source_to_the_published_copy(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey("published_warehouse")
    upstream_of_published = dg.AssetSelection.assets(published).upstream().resolve(graph)
    every_key = set(graph.get_all_asset_keys())
    # the privacy step's own log (privacy.request_log), which dbt reads back into privacy_request_log: an
    # external table written by the asset privacy/requests_carried_out, not a source of data
    step_logs = {dg.AssetKey(["privacy", "request_log"])}
    assert upstream_of_published | step_logs == every_key, "an asset does not lead to the published copy"
    roots = {k for k in every_key - step_logs if not graph.get(k).parent_keys}
    assert {k for k in roots if graph.get(k).group_name != "reference"} == set(
        dg.AssetSelection.groups("landing").resolve(graph)
    ), "only landing sources and reference seeds may start the graph"


def test_every_warehouse_writer_is_in_the_pool_of_one(defs: dg.Definitions, tmp_path: Path) -> None:
    from orchestration.defs.resources import WRITER_POOL

    writers = {a.op.name: a.op.pools for a in defs.assets if isinstance(a, dg.AssetsDefinition)}
    assert writers == {
        "landing_ingest": {WRITER_POOL},
        "dbt_build": {WRITER_POOL},
        "quality__five_v_checks": {WRITER_POOL},
        "privacy__requests_carried_out": {WRITER_POOL},
        "published_warehouse": {WRITER_POOL},
        **{f"activation__{d}": {WRITER_POOL}
           for d in ("google_customer_match", "meta_custom_audience", "service_desk", "webhook_demo")},
    }
    shutil.copyfile(ROOT / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    pools = dg.DagsterInstance.from_config(str(tmp_path)).get_concurrency_config().pool_config
    assert pools.default_pool_limit == 1 and pools.pool_granularity.value == "op"


WRITER_STEP = """
import json, sys, time
from pathlib import Path
import dagster as dg
instance = dg.DagsterInstance.from_config(sys.argv[1])
name, other = sys.argv[2], sys.argv[3]
folder = Path(sys.argv[1])

@dg.asset(name=name, pool="warehouse_writer")
def writer() -> None:
    start = time.time()
    (folder / f"{name}.started").touch()
    # the first writer holds its slot until the other run's step is seen waiting for the pool (or has started
    # beside it, the failure this test catches), at most 60 s
    saw_waiting = False
    while time.time() - start < 60 and not (folder / f"{other}.started").exists():
        info = instance.event_log_storage.get_concurrency_info("warehouse_writer")
        if info.pending_step_count:
            saw_waiting = True
            break
        time.sleep(0.1)
    time.sleep(0.5)
    print(json.dumps([start, time.time(), saw_waiting]), file=sys.stderr)

dg.materialize([writer], instance=instance)
"""


def test_the_instance_runs_one_writer_step_at_a_time_across_runs(tmp_path: Path) -> None:
    """A run's step in the writer pool makes another run's writer step wait: the instance config's pool limit.

    The second run starts once the first holds its slot. Two runs whose steps ask in the same millisecond can
    both get the slot from Dagster's SQLite storage (its claim is a select then an update): the warehouse's OS
    file lock (cdp.writer_lock, tests/test_orchestration_lib.py) is what keeps those apart.
    """
    shutil.copyfile(ROOT / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    # creates the storage and the pool's slots as `make dagster` does (`dagster instance concurrency set`)
    dg.DagsterInstance.from_config(str(tmp_path)).event_log_storage.set_concurrency_slots("warehouse_writer", 1)
    script = tmp_path / "writer.py"
    script.write_text(WRITER_STEP)

    def start(name: str, other: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(script), str(tmp_path), name, other], stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True)

    first = start("writer_a", "writer_b")
    deadline = time.time() + 90
    while not (tmp_path / "writer_a.started").exists() and first.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    second = start("writer_b", "writer_a")
    spans = []
    for run in (first, second):
        _, err = run.communicate(timeout=120)
        lines = [line for line in err.splitlines() if line.startswith("[")]
        assert run.returncode == 0 and lines, err[-3000:]
        spans.append(json.loads(lines[-1]))
    (_, first_end, saw_waiting), (second_start, _, _) = spans
    assert second_start >= first_end, f"writer steps overlapped: {spans}"
    assert saw_waiting, "the second run's writer step was never seen waiting for the pool"


# --- materialize -----------------------------------------------------------------------------------------


def test_the_first_build_lands_stages_checks_and_publishes_with_figures(built: tuple[Place, dict]) -> None:
    place, mats = built
    assert mats["landing/orders"]["new_files"] == 1 and mats["landing/orders"]["new_rows"] == 2
    assert mats["landing/orders"]["dagster/row_count"] == 2
    assert mats["landing/b2b_accounts"]["new_files"] == 0
    assert "does not exist" in mats["landing/b2b_accounts"]["note"]
    assert mats["stg_orders__orders"]["dagster/row_count"] == 1
    recon = mats["fct_landing_reconciliation"]
    assert (recon["rows_landed"], recon["rows_staged"], recon["rows_quarantined"]) == (6, 5, 1)
    assert recon["unbalanced_sources"] == "none" and recon["sources_with_data"] == 4
    assert "| orders | 1 | 2 | 1 | 1 | yes |" in recon["per_source"]
    assert mats["fct_quarantined_rows"]["quarantined_rows"] == 1
    assert "row_count_change" not in mats["stg_orders__orders"], "no published copy existed before"
    published = published_path(place.warehouse)
    assert mats["published_warehouse"]["path"] == str(published)
    # the access request for Jo is carried out by the privacy step before the copy is published
    assert mats["privacy/requests_carried_out"]["access_files_written"] == 1
    assert mart_count(published, "select sum(rows_staged) from fct_landing_reconciliation") == 5


READER = """
import json, sys, time
from pathlib import Path
import duckdb
path, stop, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
sql = "select sum(rows_landed) from main.fct_landing_reconciliation"
if mode == "hold":  # a dashboard keeping one connection open for the whole build
    con = duckdb.connect(path, read_only=True)
    first = con.execute(sql).fetchone()[0]
    while not stop.exists():
        time.sleep(0.05)
    print(json.dumps({"first": first, "last": con.execute(sql).fetchone()[0]}))
else:  # dashboards opening the copy again and again
    reads, errors = [], []
    while not stop.exists():
        try:
            with duckdb.connect(path, read_only=True) as con:
                reads.append([time.time(), con.execute(sql).fetchone()[0]])
        except duckdb.Error as exc:
            errors.append(str(exc))
        time.sleep(0.1)
    print(json.dumps({"reads": reads, "errors": errors}))
"""


def step_window(instance: dg.DagsterInstance, run_id: str, step: str) -> tuple[float, float]:
    times = {
        e.dagster_event.event_type_value: e.timestamp
        for e in instance.all_logs(run_id)
        if e.dagster_event and e.dagster_event.step_key == step
    }
    return times["STEP_START"], times["STEP_SUCCESS"]


def test_the_second_run_is_incremental_and_readers_of_the_published_copy_never_meet_the_build(
    defs: dg.Definitions, built: tuple[Place, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build never breaks a dashboard and a dashboard never breaks a build: BI readers in other processes
    read the published copy all through a second build, one of them holding its connection open."""
    place, first = built
    place.env(monkeypatch)
    published = published_path(place.warehouse)
    script, stop = tmp_path / "reader.py", tmp_path / "stop"
    script.write_text(READER)
    readers = [
        subprocess.Popen([sys.executable, str(script), str(published), str(stop), mode],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for mode in ("poll", "hold")
    ]
    time.sleep(1.0)  # both readers have the copy open before the build starts
    try:
        result = materialize(defs, place)
    finally:
        stop.touch()
        outputs = [json.loads(r.communicate(timeout=60)[0] or "{}") for r in readers]
    assert result.success, "a build failed while readers read the published copy"
    polled, held = outputs
    assert polled["errors"] == []
    dbt_start, dbt_end = step_window(place.instance, result.run_id, "dbt_build")
    during = [value for at, value in polled["reads"] if dbt_start <= at <= dbt_end]
    assert len(during) >= 5, "the readers did not read while dbt was writing the warehouse"
    assert set(during) == {6}
    assert held == {"first": 6, "last": 6}

    second = materializations(result)
    for key, metadata in second.items():
        if key.startswith("landing/"):
            assert metadata["new_files"] == 0 and metadata["new_rows"] == 0, key
    assert second["landing/orders"]["dagster/row_count"] == first["landing/orders"]["dagster/row_count"]
    assert second["stg_orders__orders"]["row_count_change"] == 0
    assert second["fct_landing_reconciliation"]["rows_landed"] == 6
    assert mart_count(published, "select sum(rows_landed) from fct_landing_reconciliation") == 6


def test_a_failing_blocking_check_stops_everything_downstream_of_it(
    defs: dg.Definitions, built: tuple[Place, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same landing row copied twice into the warehouse (a broken manual load) fails the blocking
    `unique` test of base_orders__rows: dbt skips the models downstream of it, the build step fails with a
    message saying what to do, and neither the publish step nor an activation-like asset downstream runs."""
    place = built[0].copy_to(tmp_path)
    place.env(monkeypatch)
    with duckdb.connect(str(place.warehouse)) as con:
        con.execute("insert into landing.orders select * from landing.orders where _line = 2")
    published = published_path(place.warehouse)
    published_before = published.read_bytes()
    activated: list[str] = []

    @dg.asset(key="activation_probe", deps=[dg.AssetKey("stg_orders__orders")], group_name="activation")
    def activation_probe() -> None:
        activated.append("sent")

    everything_after_orders = dg.AssetSelection.assets(dg.AssetKey(["landing", "orders"])).downstream()
    result = materialize(defs, place, extra=[activation_probe], selection=everything_after_orders)
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    failed = evaluations["unique_base_orders__rows__row_id"]
    assert not failed.passed and failed.blocking and failed.severity == dg.AssetCheckSeverity.ERROR
    mats = materializations(result)
    assert "landing/orders" in mats and "base_orders__rows" in mats
    for blocked in ("stg_orders__orders", "fct_landing_reconciliation", "published_warehouse", "activation_probe"):
        assert blocked not in mats, f"{blocked} ran after a blocking check failed"
    assert activated == []
    assert published.read_bytes() == published_before, "BI readers must keep the last good copy"
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.user_failure_data.description
    assert "unique_base_orders__rows__row_id on base_orders__rows" in message
    assert "stg_orders__orders" in message and "What to do next" in message


def test_a_reader_holding_the_warehouse_fails_the_build_with_what_to_close(
    defs: dg.Definitions, built: tuple[Place, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard pointed at the warehouse itself (not the published copy) holds DuckDB's lock: the writer step
    fails, and its message says what to close or repoint."""
    place = built[0].copy_to(tmp_path)
    place.env(monkeypatch)
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); " \
           "time.sleep(60)"
    reader = subprocess.Popen([sys.executable, "-c", hold, str(place.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        result = materialize(defs, place, selection=[dg.AssetKey(["landing", "orders"])])
    finally:
        reader.kill()
        reader.wait(timeout=10)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.user_failure_data.description
    assert "Could not set lock" in message and "instead of its published copy" in message


# --- automation ------------------------------------------------------------------------------------------


def sensor_context(defs: dg.Definitions, cursor: str | None, instance: dg.DagsterInstance | None = None):
    return dg.build_sensor_context(cursor=cursor, repository_def=defs.get_repository_def(),
                                   instance=instance or dg.DagsterInstance.ephemeral())


def test_the_landing_sensor_fires_once_per_new_file_for_what_is_downstream_of_its_source(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.automation.sensors import landing_new_files

    landing = tmp_path / "landing"
    write_landing(landing, LANDING)
    monkeypatch.setenv("CDP_LANDING_DIR", str(landing))
    first = landing_new_files(sensor_context(defs, None))
    (request,) = first.run_requests
    assert request.tags["cdp/new_files"] == "4"
    again = landing_new_files(sensor_context(defs, first.cursor))
    assert isinstance(again, dg.SkipReason)

    write_landing(landing, {"orders/2026-10-03.csv": ORDERS_LATE, "orders/.in-flight.csv": ORDERS_LATE})
    later = landing_new_files(sensor_context(defs, first.cursor))
    (new_request,) = later.run_requests
    assert new_request.run_key != request.run_key
    assert new_request.tags["cdp/sources"] == "orders" and new_request.tags["cdp/new_files"] == "1"
    selected = set(new_request.asset_selection)
    assert {dg.AssetKey(["landing", "orders"]), dg.AssetKey("stg_orders__orders"),
            dg.AssetKey("fct_landing_reconciliation"), dg.AssetKey("published_warehouse")} <= selected
    assert dg.AssetKey(["landing", "web_events"]) not in selected
    assert dg.AssetKey("stg_web_events__events") not in selected
    assert isinstance(landing_new_files(sensor_context(defs, later.cursor)), dg.SkipReason)


def test_the_hourly_schedule_builds_only_sources_with_files_the_published_build_lacks(
    defs: dg.Definitions, built: tuple[Place, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.automation.schedules import hourly_incremental_build

    place = built[0].copy_to(tmp_path)
    place.env(monkeypatch)

    def tick() -> dg.RunRequest | dg.SkipReason:
        return hourly_incremental_build(dg.build_schedule_context(repository_def=defs.get_repository_def()))

    assert isinstance(tick(), dg.SkipReason)
    write_landing(place.landing, {"crm_contacts/more.csv": CRM})
    request = tick()
    assert isinstance(request, dg.RunRequest)
    assert dg.AssetKey(["landing", "crm_contacts"]) in request.asset_selection
    assert dg.AssetKey(["landing", "orders"]) not in request.asset_selection
    assert request.tags["cdp/sources"] == "crm_contacts"


def test_the_schedules_are_a_daily_full_build_and_an_hourly_incremental_one(defs: dg.Definitions) -> None:
    schedules = {s.name: s for s in defs.schedules}
    daily, hourly = schedules["daily_full_build"], schedules["hourly_incremental_build"]
    assert (daily.cron_schedule, daily.execution_timezone, daily.job_name) == ("0 2 * * *", "UTC", "full_build")
    assert (hourly.cron_schedule, hourly.job_name) == ("15 * * * *", "incremental_build")
    sensors = {s.name: s for s in defs.sensors}
    assert sensors["landing_new_files"].job_name == "incremental_build"
    assert sensors["privacy_requests_within_a_day"].job_name == "full_build"


def test_a_privacy_request_waiting_twelve_hours_without_a_full_build_forces_one(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.automation.sensors import privacy_requests_within_a_day

    landing = tmp_path / "landing"
    monkeypatch.setenv("CDP_LANDING_DIR", str(landing))
    assert isinstance(privacy_requests_within_a_day(sensor_context(defs, None)), dg.SkipReason)
    write_landing(landing, {"privacy_requests/r.jsonl": LANDING["privacy_requests/2026-11-01.jsonl"]})
    waiting = privacy_requests_within_a_day(sensor_context(defs, None))
    assert isinstance(waiting, dg.SkipReason) and "wait for the next full build" in waiting.skip_message
    landed_at = (datetime.now(UTC) - timedelta(hours=13)).timestamp()
    os.utime(landing / "privacy_requests" / "r.jsonl", (landed_at, landed_at))
    request = privacy_requests_within_a_day(sensor_context(defs, None))
    assert isinstance(request, dg.RunRequest)
    assert request.run_key.startswith("privacy-") and request.tags["cdp/trigger"] == "privacy_requests"


def test_the_code_location_loads_in_a_fresh_process_from_a_missing_manifest(tmp_path: Path) -> None:
    """A fresh clone has no target/: loading the code location parses dbt itself (into a temporary target)."""
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from orchestration.lib.dbt_manifest import ensure_manifest
        from cdp.config import PROJECT_ROOT
        path = ensure_manifest(PROJECT_ROOT, Path(sys.argv[1]) / "manifest.json")
        print(path.stat().st_size)
        """
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "target")], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip()) > 10000
    assert sorted(p.name for p in (tmp_path / "target").iterdir()) == ["manifest.json", "partial_parse.msgpack"]
