"""Shared fixtures: the project root, and dbt run as a user runs it (a subprocess in the project root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")


def run_dbt(args: list[str], warehouse: Path, landing: Path, target: Path,
            check: bool = True) -> subprocess.CompletedProcess:
    """Runs `dbt <args>` against `warehouse`, with its own target dir so that parallel runs never clash."""
    env = {
        **os.environ,
        "CDP_WAREHOUSE": str(warehouse),
        "CDP_LANDING_DIR": str(landing),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [DBT, *args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def relaxed_quality_suites(directory: Path) -> Path:
    """A copy of the five-V suites with every check a warning, for tests of other stages whose tiny hand-built
    landing zones are (rightly) too small, too old and too partial to pass the real thresholds. The real
    suites, and that each catches its fault, are tested in tests/test_expectations.py."""
    import yaml

    from expectations.run import SUITES_DIR

    directory.mkdir(parents=True, exist_ok=True)
    for path in SUITES_DIR.glob("*.yml"):
        doc = yaml.safe_load(path.read_text())
        for check in doc.get("checks", []):
            check["blocking"] = False
        (directory / path.name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return directory
