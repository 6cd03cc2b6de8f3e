"""The platform benchmark: full build, then 1% new data and an incremental build, at several scales.

    .venv/bin/python bench/run.py --events 100000 1000000 10000000

For each scale (events = web + mobile + email rows; the generator makes about 20 per person, so people =
events / 20): generate a landing zone, then

  full         cdp ingest; dbt build of every model and seed (no data tests); dbt test; the five-V quality
               suites
  incremental  land about 1% new rows (`land_increment`: new events, late events with old timestamps,
               re-deliveries, new versions of entities, new entities, one malformed line a file; with
               --increment-kind recent the new events happen in the day after the reference time instead,
               the nightly case); the same steps
               again, plus the audience diff (bench/activation_diff.py, the audiences engineer's, at 1% churn
               over as many members as the scale has people, beside the naive EXCEPT diff)
  naive        dbt build --full-refresh on the same data (what the incremental build is compared with)
  raw scan     DuckDB reading the same landing files straight into tables (read_json / read_csv /
               read_parquet), what the landing scan (ingest + staging) is compared with

Per stage (dbt models grouped by folder: staging, identity, matching, consent, traits, audiences, other):
wall time (the union of the stage's model run intervals in dbt's run_results.json), peak memory (RSS of the
process tree, sampled from /proc every 0.1 s, attributed to the stage whose models were running) and rows
(rows in the stage's tables after the run). dbt runs with the project's profile plus DuckDB memory_limit
(--memory-limit, default 18GB) and 2 threads. --dbt-select limits every dbt step to a selector (e.g. only the
staging layer at a scale where the rest would not finish in time).

Writes into --out (default bench/results): results.json (every measurement), results.md (the tables) and
time_vs_scale.png (wall time of each stage against scale, full and incremental).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EVENT_SOURCES = ("web_events", "mobile_events", "email_events")
STAGES = ("ingest", "staging", "identity", "matching", "consent", "traits", "audiences", "other",
          "dbt tests", "quality checks", "activation diff")
# Landing sources left out of the increment: a new privacy request would erase people, which is a
# different workload (a rebuild after erasure), measured by the privacy tests, not here.
INCREMENT_EXCLUDED = ("privacy_requests",)
# The event time of each source an increment of kind `recent` moves into the day after the reference time.
EVENT_TIME = {"web_events": "timestamp", "mobile_events": "timestamp", "email_events": "occurred_at",
              "pos_transactions": "transacted_at", "survey_responses": "submitted_at", "orders": "ordered_at",
              "consent_events": "captured_at", "support_tickets": "opened_at"}
INCREMENT_KINDS = ("late", "recent")


# ---------------------------------------------------------------- the increment

def _sources_meta() -> dict[str, dict]:
    doc = yaml.safe_load((ROOT / "models" / "staging" / "_landing__sources.yml").read_text())
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    meta = {}
    for table in landing["tables"]:
        m = (table.get("config") or {}).get("meta") or {}
        types = {c["name"]: (c.get("data_type") or "varchar").lower() for c in table["columns"]}
        meta[table["name"]] = {**m, "types": types}
    return meta


def land_increment(warehouse: Path, landing_dir: Path, share: float = 0.01, tag: str = "increment",
                   excluded: tuple[str, ...] = INCREMENT_EXCLUDED, kind: str = "late") -> dict[str, int]:
    """Writes one new JSONL file per landing source, `<source>/<source>_<tag>.jsonl`, made from a sample of
    `share` of the rows already landed in `warehouse` (deterministic): per 10 sampled rows, 1 is re-delivered
    as is (a duplicate), 2 become new records (varchar keys suffixed with the tag), the other 7 new events
    (event grain, keys suffixed, their timestamps kept: late-arriving) or new versions of the same entity
    (entity grain: `updated_at` moved a day after the newest landed, a `bench_revision` member added).
    Each file ends with one malformed line. Returns the rows written per source.

    kind "recent" is the daily case instead of the late-arriving one: the new events and new entities get an
    event time (EVENT_TIME) in the day after the warehouse's reference time (traits int_traits_as_of), so the
    history before it does not change."""
    if kind not in INCREMENT_KINDS:
        raise ValueError(f"increment kind {kind!r} is not one of {INCREMENT_KINDS}")
    meta = _sources_meta()
    written = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        as_of = None
        if kind == "recent":
            (schema,) = con.execute("select table_schema from information_schema.tables "
                                    "where table_name = 'int_traits_as_of'").fetchone()
            (as_of,) = con.execute(f"select as_of_at from {schema}.int_traits_as_of").fetchone()
        for source, m in meta.items():
            if source in excluded:
                continue
            keys = m.get("unique_key") if m.get("grain") == "event" else m.get("entity_key")
            keys = [k for k in keys or [] if m["types"].get(k, "varchar") == "varchar"]
            if not keys:
                continue
            suffix = "json_object(" + ", ".join(
                f"'{k}', json_extract_string(_record, '$.\"{k}\"') || '-{tag}'" for k in keys) + ")"
            if m.get("grain") == "entity":
                updated_at = m.get("updated_at")
                revision = f"json_object('bench_revision', '{tag}'" + (
                    f", '{updated_at}', strftime(newest + interval 1 day, '%Y-%m-%dT%H:%M:%SZ'))"
                    if updated_at else ")")
                changed = f"json_merge_patch(_record, {revision})"
            else:
                changed = f"json_merge_patch(_record, {suffix})"
            added = f"json_merge_patch(_record, {suffix})"
            if as_of is not None and source in EVENT_TIME:
                # a time in the day after the reference time, spread by the row's hash
                recent = (f"json_object('{EVENT_TIME[source]}', strftime(timestamp '{as_of:%Y-%m-%d %H:%M:%S}' "
                          f"+ to_seconds(1 + hash(_record) % 86000), '%Y-%m-%dT%H:%M:%SZ'))")
                added = f"json_merge_patch({added}, {recent})"
                if m.get("grain") == "event":
                    changed = f"json_merge_patch({changed}, {recent})"
            newest = (f"(select max(try_cast(json_extract_string(_record, '$.\"{m['updated_at']}\"') "
                      f"as timestamptz)) from landing.{source})" if m.get("updated_at") else "null")
            per_mille = max(1, round(share * 1000))
            rows = con.execute(f"""
                with sampled as (
                    select _record, hash(_file, _line) % 10 as k, {newest} as newest
                    from landing.{source}
                    where _record is not null and hash(_file, _line, 'increment') % 1000 < {per_mille}
                )
                select cast(case
                    when k = 0 then _record
                    when k in (1, 2) then {added}
                    else {changed}
                end as varchar)
                from sampled
                order by hash(_record)""").fetchall()
            folder = landing_dir / source
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{source}_{tag}.jsonl"
            part = path.with_suffix(".part")
            with part.open("w") as handle:
                for (record,) in rows:
                    handle.write(record + "\n")
                handle.write('{"malformed": \n')
            part.rename(path)
            written[source] = len(rows) + 1
    return written


# ---------------------------------------------------------------- measuring processes

def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, from /proc (kB)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    samples: list[tuple[float, float]] = field(default_factory=list)  # (unix time, MB)
    output: str = ""


def measure(cmd: list[str], env: dict[str, str], check: bool = True) -> Measured:
    """Runs cmd in the project root, sampling the RSS of its process tree every 0.1 s."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), _tree_rss_kb(proc.pid) / 1024))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    print(f"   {Path(cmd[0]).name} {' '.join(a for a in cmd[1:3] if not a.startswith('--'))[:40]}: "
          f"{seconds:.1f} s, peak {max((mb for _, mb in samples), default=0):,.0f} MB", file=sys.stderr, flush=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{output[-4000:]}")
    return Measured(seconds, max((mb for _, mb in samples), default=0.0), samples, output)


# ---------------------------------------------------------------- dbt stages

def stage_of(path: str, name: str) -> str:
    """The benchmark stage of a dbt model, by its folder (and name, for matching and audiences)."""
    if "audience" in path or "activation" in path:
        return "audiences"
    if "match" in name:
        return "matching"
    if "/identity/" in path:
        return "identity"
    if "/traits/" in path or "/predictions/" in path or "marts/customer/" in path:
        return "traits"
    if path.startswith("models/staging/") or "marts/landing/" in path:
        return "staging"
    if "/consent/" in path or "/privacy/" in path:
        return "consent"
    return "other"


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _union_seconds(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def dbt_stages(target: Path, run: Measured, warehouse: Path) -> dict[str, dict]:
    """Per stage of one `dbt run`: wall seconds, peak MB while its models ran, models, rows in its tables."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    per: dict[str, dict] = {}
    for result in results:
        node = nodes.get(result["unique_id"])
        if not node or node["resource_type"] != "model":
            continue
        stage = stage_of(node["original_file_path"], node["name"])
        execute = [t for t in result["timing"] if t["name"] == "execute"]
        entry = per.setdefault(stage, {"intervals": [], "relations": [], "models": 0})
        entry["models"] += 1
        if execute:
            entry["intervals"].append((_ts(execute[0]["started_at"]), _ts(execute[0]["completed_at"])))
        if node["config"].get("materialized") in ("table", "incremental"):
            entry["relations"].append(f'"{node["schema"]}"."{node["alias"] or node["name"]}"')
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for stage, entry in per.items():
            rows = sum(con.execute(f"select count(*) from {rel}").fetchall()[0][0] for rel in entry["relations"])
            peak = max((mb for t, mb in run.samples if any(a <= t <= b for a, b in entry["intervals"])),
                       default=0.0)
            out[stage] = {"seconds": round(_union_seconds(entry["intervals"]), 2), "peak_mb": round(peak),
                          "rows": rows, "models": entry["models"]}
    return out


def profiles_dir(workdir: Path, memory_limit: str) -> Path:
    """The project's profile with DuckDB's memory_limit set (the benchmark's only change to it)."""
    doc = yaml.safe_load((ROOT / "profiles.yml").read_text())
    for output in doc["cdp"]["outputs"].values():
        output.setdefault("settings", {})["memory_limit"] = memory_limit
    folder = workdir / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(yaml.safe_dump(doc))
    return folder


# ---------------------------------------------------------------- one scale

def raw_scan(landing_dir: Path) -> dict:
    """DuckDB reading every landing file straight into a table (no manifest, no validation, bad rows skipped;
    a file DuckDB cannot read at all is left out)."""
    from cdp.landing import file_format

    readers = {"jsonl": "read_json_auto('{p}', format = 'newline_delimited', ignore_errors = true)",
               "csv": "read_csv_auto('{p}', ignore_errors = true)", "parquet": "read_parquet('{p}')"}
    rows, started = 0, time.perf_counter()
    with duckdb.connect() as con:
        for path in sorted(p for p in landing_dir.rglob("*") if p.is_file()):
            reader = readers.get(file_format(path) or "")
            if not reader or path.name.startswith((".", "_")):
                continue
            try:
                con.execute(f"create or replace temp table raw as select * from {reader.format(p=path)}")
            except duckdb.Error:
                continue
            rows += con.execute("select count(*) from raw").fetchall()[0][0]
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows}


def quality_checks(env: dict[str, str], workdir: Path) -> Measured:
    code = ("from pathlib import Path; from expectations.run import run_suites; "
            f"run_suites(Path({str(env['CDP_WAREHOUSE'])!r}), Path({str(workdir / 'docs')!r}), store=False)")
    return measure([sys.executable, "-c", code], env, check=False)


def activation_diff(env: dict[str, str], members: int) -> dict | None:
    """bench/activation_diff.py (the audiences engineer's: the keyed audience diff beside the naive EXCEPT diff,
    1% churn), when it exists, over as many members as this scale has people."""
    script = ROOT / "bench" / "activation_diff.py"
    if not script.exists():
        return None
    result = measure([sys.executable, str(script), "--rows", str(members), "--churn", "0.01"], env, check=False)
    found = {m: (float(sec), float(mb)) for m, sec, mb in
             re.findall(r"^\s*[\d,]+\s+(ours|naive)\s+([\d.]+)\s+([\d.]+)", result.output, re.MULTILINE)}
    if "ours" not in found:
        return {"seconds": round(result.seconds, 2), "peak_mb": round(result.peak_mb), "rows": members,
                "models": 0, "error": result.output[-1000:]}
    return {"seconds": found["ours"][0], "peak_mb": round(found["ours"][1]), "rows": members, "models": 0,
            "naive_seconds": found.get("naive", (None,))[0]}


def build(phase: str, env: dict[str, str], dbt: Callable[..., list[str]], workdir: Path,
          full_refresh: bool = False, naive: bool = False, dbt_tests: bool = True, members: int = 0,
          select: tuple[str, ...] = ()) -> dict:
    """One build: ingest, dbt run, dbt test, quality checks, activation diff; per stage figures."""
    warehouse = Path(env["CDP_WAREHOUSE"])
    target = Path(env["DBT_TARGET_PATH"])
    stages: dict[str, dict] = {}
    if not naive:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create schema if not exists landing")
        before = _landed_rows(warehouse)
        ingest = measure([str(BIN / "cdp"), "ingest"], env)
        stages["ingest"] = {"seconds": round(ingest.seconds, 2), "peak_mb": round(ingest.peak_mb),
                            "rows": _landed_rows(warehouse) - before, "models": 0}
    # every model (and the seeds they read), no data tests: those are the "dbt tests" stage
    run = measure(dbt("build", *select, "--exclude", "resource_type:test", "resource_type:unit_test",
                      *(["--full-refresh"] if full_refresh else [])), env)
    stages.update(dbt_stages(target, run, warehouse))
    result = {"phase": phase, "dbt_run_seconds": round(run.seconds, 2), "dbt_run_peak_mb": round(run.peak_mb),
              "stages": stages}
    if naive:
        return result
    if dbt_tests:
        tests = measure(dbt("test", *select), env, check=False)
        stages["dbt tests"] = {"seconds": round(tests.seconds, 2), "peak_mb": round(tests.peak_mb), "rows": None,
                               "models": 0, "failed": tests.output.count("FAIL ") + tests.output.count("ERROR ")}
    checks = quality_checks(env, workdir)
    stages["quality checks"] = {"seconds": round(checks.seconds, 2), "peak_mb": round(checks.peak_mb),
                                "rows": None, "models": 0}
    diff = activation_diff(env, members) if members else None
    if diff is not None:
        stages["activation diff"] = diff
    return result


def _landed_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""
            select table_name from information_schema.tables
            where table_schema = 'landing' and table_name <> '_files'""").fetchall()
        return sum(con.execute(f'select count(*) from landing."{t}"').fetchall()[0][0] for (t,) in tables)


def run_scale(events: int, workdir: Path, memory_limit: str, share: float, seed: int, naive: bool,
              dbt_tests: bool = True, dbt_select: str | None = None, cache: Path | None = None,
              increment_kind: str = "late") -> dict:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    land = workdir / "landing"
    env = {"CDP_LANDING_DIR": str(land), "CDP_WAREHOUSE": str(workdir / "wh" / "cdp.duckdb"),
           "CDP_OUTBOX_DIR": str(workdir / "outbox"), "DBT_TARGET_PATH": str(workdir / "target"),
           "DBT_LOG_PATH": str(workdir / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    profile = profiles_dir(workdir, memory_limit)

    def dbt(*args: str) -> list[str]:
        return [str(BIN / "dbt"), "--no-use-colors", *args, "--project-dir", str(ROOT), "--profiles-dir",
                str(profile)]

    customers = max(50, round(events / 20))
    cached = cache / f"customers_{customers}_seed_{seed}" if cache else None
    if cached and (cached / "landing").is_dir():
        # the same zone `cdp generate` would write (it is deterministic): hard-linked (landed files are immutable;
        # the increment adds new files), and its generation time read back
        shutil.copytree(cached / "landing", land, copy_function=os.link)
        generated = Measured(float(json.loads((cached / "generated.json").read_text())["seconds"]), 0.0)
    else:
        generated = measure([str(BIN / "cdp"), "generate", "--out", str(land), "--customers", str(customers),
                             "--seed", str(seed), "--as-of", "2026-11-20", "--quiet"], env)
        if cached:
            shutil.copytree(land, cached / "landing")
            (cached / "generated.json").write_text(json.dumps({"seconds": generated.seconds}))
    select = ("--select", dbt_select) if dbt_select else ()
    full = build("full", env, dbt, workdir, dbt_tests=dbt_tests, select=select)
    with duckdb.connect(env["CDP_WAREHOUSE"], read_only=True) as con:
        (landed_events,) = con.execute(
            "select count(*) from (" + " union all ".join(
                f"select 1 from landing.{s}" for s in EVENT_SOURCES) + ")").fetchall()[0]
    scan = raw_scan(land)
    increment_rows = land_increment(Path(env["CDP_WAREHOUSE"]), land, share, kind=increment_kind)
    incremental = build("incremental", env, dbt, workdir, dbt_tests=dbt_tests, members=customers, select=select)
    phases = [full, incremental]
    if naive:
        phases.append(build("naive full rebuild", env, dbt, workdir, full_refresh=True, naive=True, select=select))
    return {"events": landed_events, "customers": customers, "dbt_select": dbt_select, "generate_seconds": round(generated.seconds, 2),
            "increment_rows": sum(increment_rows.values()), "increment_kind": increment_kind, "raw_scan": scan,
            "phases": phases}


# ---------------------------------------------------------------- report

def _fmt_rows(rows: int | None) -> str:
    return "" if rows is None else f"{rows:,}"


def markdown(results: list[dict], machine: str, command: str) -> str:
    lines = [f"Machine: {machine}  ", f"Command: `{command}`  ",
             f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    lines += ["| events | people | phase | stage | seconds | peak MB | rows |", "|---:|---:|---|---|---:|---:|---:|"]
    def label(r: dict) -> str:
        return (f"{r['events']:,}" + (f" (only `{r['dbt_select']}`)" if r.get("dbt_select") else "")
                + (" (recent increment)" if r.get("increment_kind") == "recent" else ""))

    for r in results:
        for phase in r["phases"]:
            for stage in STAGES:
                s = phase["stages"].get(stage)
                if s is None:
                    continue
                lines.append(f"| {label(r)} | {r['customers']:,} | {phase['phase']} | {stage} | "
                             f"{s['seconds']:.2f} | {s['peak_mb']:,} | {_fmt_rows(s['rows'])} |")
    lines += ["", "Totals (ingest + dbt run process, dbt's start-up included; dbt tests and quality checks apart):",
              "", ("| events | full build s | incremental s | incremental / full | naive full rebuild s "
              "| landing scan rows/s (ingest + staging) | raw DuckDB scan rows/s | ratio |"),
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        full, incr = r["phases"][0], r["phases"][1]
        naive = r["phases"][2]["dbt_run_seconds"] if len(r["phases"]) > 2 else None
        f_total = full["stages"]["ingest"]["seconds"] + full["dbt_run_seconds"]
        i_total = incr["stages"]["ingest"]["seconds"] + incr["dbt_run_seconds"]
        scan_s = full["stages"]["ingest"]["seconds"] + full["stages"]["staging"]["seconds"]
        landed = full["stages"]["ingest"]["rows"]
        ours, raw = landed / scan_s, r["raw_scan"]["rows"] / max(r["raw_scan"]["seconds"], 1e-9)
        lines.append(f"| {label(r)} | {f_total:.1f} | {i_total:.1f} | {i_total / f_total:.1%} | "
                     f"{'' if naive is None else f'{naive:.1f}'} | {ours:,.0f} | {raw:,.0f} | {ours / raw:.2f} |")
    return "\n".join(lines) + "\n"


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    colors = plt.get_cmap("tab20").colors
    for ax, index, title in ((axes[0], 0, "full build"), (axes[1], 1, "incremental build (1% new)")):
        for i, stage in enumerate(STAGES):
            points = [(r["events"], r["phases"][index]["stages"][stage]["seconds"]) for r in results
                      if stage in r["phases"][index]["stages"]]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=stage, color=colors[(2 * i) % 20 + (2 * i) // 20])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("events landed")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("wall seconds")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def machine() -> str:
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=float, nargs="+", default=[1e5])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cdp-bench"),
                        help="scratch folder (landing zone and warehouse of each scale)")
    parser.add_argument("--memory-limit", default="18GB")
    parser.add_argument("--increment", type=float, default=0.01, help="share of new rows landed (default 1%%)")
    parser.add_argument("--increment-kind", choices=INCREMENT_KINDS, default="late",
                        help="late: the new events keep old timestamps (late-arriving, the worst case); recent: "
                             "they happen in the day after the last build's reference time (the daily case)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep each generated landing zone here and reuse it on later runs (generation is "
                             "deterministic; at 10^7 events it takes minutes)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive full rebuild")
    parser.add_argument("--no-dbt-tests", action="store_true", help="skip `dbt test` (the CI smoke run)")
    parser.add_argument("--dbt-select", help="build only these dbt models (a dbt selector, e.g. 'tag:staging'); "
                        "default: every model")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--append", action="store_true",
                        help="keep the other scales already in --out/results.json (run scales one at a time)")
    ns = parser.parse_args(argv)
    ns.out.mkdir(parents=True, exist_ok=True)
    results, commands = [], []
    previous = ns.out / "results.json"
    if ns.append and previous.exists():
        kept = json.loads(previous.read_text())
        results = [r for r in kept["results"] if r["requested_events"] not in {int(e) for e in ns.events}]
        commands = [kept["command"]]
    for events in ns.events:
        workdir = ns.workdir / f"events_{int(events)}"
        print(f"== {int(events):,} events", file=sys.stderr, flush=True)
        results.append({"requested_events": int(events), **run_scale(
            int(events), workdir, ns.memory_limit, ns.increment, ns.seed, not ns.no_naive, not ns.no_dbt_tests,
            ns.dbt_select, ns.cache, ns.increment_kind)})
        results.sort(key=lambda r: r["requested_events"])
        if not ns.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        command = " ; ".join([*commands, "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)])
        (ns.out / "results.json").write_text(json.dumps(
            {"machine": machine(), "command": command, "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
             "memory_limit": ns.memory_limit, "results": results}, indent=1, default=str))
        table = markdown(results, machine(), command)
        (ns.out / "results.md").write_text(table)
        chart(results, ns.out / "time_vs_scale.png")
    print(table)


if __name__ == "__main__":
    main()
