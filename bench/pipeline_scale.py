"""Foundation benchmark: generate, ingest and dbt build at several scales; wall time and peak memory per stage.

    .venv/bin/python bench/pipeline_scale.py --customers 5000 50000

Each stage runs as its own process (as a user runs it); peak memory is that process's max RSS (wait4).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Runs cmd; returns (seconds, peak RSS in MB of that process, from wait4's rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return seconds, usage.ru_maxrss / 1024


def run_scale(customers: int, workdir: Path) -> list[tuple]:
    land, wh = workdir / "landing", workdir / "wh" / "cdp.duckdb"
    env = {"CDP_LANDING_DIR": str(land), "CDP_WAREHOUSE": str(wh), "DBT_TARGET_PATH": str(workdir / "target"),
           "DBT_LOG_PATH": str(workdir / "logs")}
    stages = [
        ("generate", [str(BIN / "cdp"), "generate", "--out", str(land), "--customers", str(customers),
                      "--seed", "1", "--as-of", "2026-11-20", "--quiet"]),
        ("ingest", [str(BIN / "cdp"), "ingest"]),
        ("dbt build", [str(BIN / "dbt"), "build", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)]),
    ]
    results = [(name, *timed(cmd, env)) for name, cmd in stages]
    with duckdb.connect(str(wh), read_only=True) as con:
        landed, staged, quarantined = con.execute(
            "select sum(rows_landed), sum(rows_staged), sum(rows_quarantined) from fct_landing_reconciliation"
        ).fetchone()
        (events,) = con.execute(
            "select sum(rows_landed) from fct_landing_reconciliation "
            "where source_name in ('web_events', 'mobile_events', 'email_events')"
        ).fetchone()
    return [(customers, events, landed, staged, quarantined, *r) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, nargs="+", default=[5000, 50000])
    ns = parser.parse_args()
    print("| customers | events | rows landed | staged | quarantined | stage | seconds | peak MB |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|")
    for customers in ns.customers:
        with tempfile.TemporaryDirectory() as tmp:
            for row in run_scale(customers, Path(tmp)):
                c, e, land, st, q, name, sec, mb = row
                print(f"| {c:,} | {e:,} | {land:,} | {st:,} | {q:,} | {name} | {sec:.1f} | {mb:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
