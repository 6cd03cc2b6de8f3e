"""Incremental traits benchmark: a batch of new events costs work in proportion to the batch, not to history.

    .venv/bin/python bench/traits_incremental.py --customers 20000 --batches 0.01 0.05

Generates and ingests a landing zone, builds the event sources and the three incremental trait models
(int_event_activity_aggregated, int_event_activity_minuted, int_event_identity_sets_keyed), then, for each
batch share, lands a new batch of that share of the event rows (copies of existing rows with new ids, as a new
file), refreshes the staging of those sources, and times an incremental run of the three models against a full
rebuild of them on the same data. Times are dbt's own execution times of the three models (run_results.json,
no process start-up); rows read are the staged event rows each run aggregates. Ends by checking that the
incrementally kept tables equal a full rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODELS = ["int_event_activity_aggregated", "int_event_activity_minuted", "int_event_identity_sets_keyed"]
SOURCES = {"web_events": "message_id", "mobile_events": "message_id", "email_events": "event_id",
           "pos_transactions": "transaction_id"}
STAGING = [f"base_{s}__rows" for s in SOURCES] + ["stg_erp_products__products"]


def run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")


def dbt(args: list[str], env: dict[str, str]) -> float:
    """Runs dbt; returns the summed execution time of the trait models it ran (seconds)."""
    run([str(BIN / "dbt"), *args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)], env)
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())["results"]
    return sum(r["execution_time"] for r in results if r["unique_id"].split(".")[-1] in MODELS)


def event_rows(warehouse: Path, after: str | None = None) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        where = f"where _ingested_at > timestamp '{after}'" if after else ""
        return sum(con.execute(f"select count(*) from staging.base_{s}__rows {where}").fetchall()[0][0]
                   for s in SOURCES)


def watermark(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return str(con.execute("select max(ingested_at) from traits.int_event_activity_aggregated").fetchall()[0][0])


def land_batch(warehouse: Path, share: float, number: int) -> int:
    """Lands `share` of every event source's rows again, with new ids, as one new file per source."""
    modulo = round(1 / share)
    landed = 0
    with duckdb.connect(str(warehouse)) as con:
        for source, id_key in SOURCES.items():
            con.execute(f"""
                insert into landing.{source}
                select
                    'bench/{source}_batch_{number}.jsonl' as _file,
                    row_number() over (order by _file, _line) + 1 as _line,
                    _format,
                    json_merge_patch(_record, json_object('{id_key}', 'b{number}-' || (_record->>'{id_key}'))),
                    _raw,
                    _parse_error,
                    cast(now() as timestamp) + interval {number} second,
                    _file_modified_at
                from landing.{source}
                where _record is not null and hash(_file || _line) % {modulo} = 0""")
            landed += con.execute(f"select count(*) from landing.{source} "
                                  f"where _file = 'bench/{source}_batch_{number}.jsonl'").fetchall()[0][0]
    return landed


def snapshot(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""
            select source, identity_set_id, activity_date, event_name, category, sum(event_count), sum(amount_total)
            from traits.int_event_activity_aggregated group by all order by all""").fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--batches", type=float, nargs="+", default=[0.01, 0.05])
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temporary folder)")
    ns = parser.parse_args()
    workdir = ns.workdir or Path(tempfile.mkdtemp(prefix="traits_bench_"))
    land, wh = workdir / "landing", workdir / "wh" / "cdp.duckdb"
    env = {"CDP_LANDING_DIR": str(land), "CDP_WAREHOUSE": str(wh), "DBT_TARGET_PATH": str(workdir / "target"),
           "DBT_LOG_PATH": str(workdir / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    print(f"generating {ns.customers} people into {workdir}", flush=True)
    run([str(BIN / "cdp"), "generate", "--out", str(land), "--customers", str(ns.customers), "--seed", "7",
         "--as-of", "2026-11-20", "--quiet"], env)
    run([str(BIN / "cdp"), "ingest"], env)
    dbt(["seed"], env)
    dbt(["run", "--select", *(f"+{m}" for m in MODELS)], env)
    total = event_rows(wh)
    print(f"{total:,} staged event rows (web, app, email, till)", flush=True)
    print("| batch | rows in batch | incremental run: rows read | s | full rebuild: rows read | s | ratio of time |")
    print("|---|---|---|---|---|---|---|")
    idle = dbt(["run", "--select", *MODELS], env)
    print(f"| none | 0 | 0 | {idle:.2f} | | | | (dbt's fixed cost of three incremental models)", flush=True)
    for number, share in enumerate(ns.batches, start=1):
        landed = land_batch(wh, share, number)
        dbt(["run", "--select", *STAGING], env)
        mark = watermark(wh)
        read = event_rows(wh, mark)
        incremental = dbt(["run", "--select", *MODELS], env)
        incremental_state = snapshot(wh)
        full = dbt(["run", "--full-refresh", "--select", *MODELS], env)
        everything = event_rows(wh)
        equal = snapshot(wh) == incremental_state
        print(f"| {share:.0%} | {landed:,} | {read:,} | {incremental:.2f} | {everything:,} | {full:.2f} "
              f"| {incremental / full:.2f} | incremental = full rebuild: {equal}", flush=True)
        if not equal:
            raise SystemExit("incremental result differs from a full rebuild")


if __name__ == "__main__":
    main()
