"""The benchmark's CI smoke run: bench/run.py end to end on a tiny landing zone (results not asserted, only that
it ran every phase and wrote its table, its JSON and its chart)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--events", "2000", "--no-naive", "--no-dbt-tests",
         "--out", str(out), "--workdir", str(tmp_path / "work"), "--memory-limit", "2GB"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = (out / "results.md").read_text()
    assert "| full | staging |" in table and "| incremental | staging |" in table
    assert "| incremental | ingest |" in table and "quality checks" in table
    (scale,) = json.loads((out / "results.json").read_text())["results"]
    assert [p["phase"] for p in scale["phases"]] == ["full", "incremental"]
    assert scale["increment_rows"] > 0
    assert (out / "time_vs_scale.png").stat().st_size > 10_000
