"""Shared fixtures: the project root, and dbt run as a user runs it (a subprocess in the project root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")
CDP = str(Path(sys.executable).with_name("cdp"))
DEMO_AS_OF = "2026-11-16"


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


def cdp(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs the `cdp` command as a user does, with `env` on top of the environment."""
    return subprocess.run([CDP, *args], env={**os.environ, **env}, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`cdp demo` on 600 generated people (seed 11, as of DEMO_AS_OF), built once per test session and shared by every module.
    Tests may read it and may run `cdp run` on it again (which must change nothing); a test that changes the
    landing zone or the warehouse in any other way works on its own copy."""
    tmp = tmp_path_factory.mktemp("demo")
    env = {
        "CDP_LANDING_DIR": str(tmp / "data" / "landing"),
        "CDP_WAREHOUSE": str(tmp / "warehouse" / "cdp.duckdb"),
        "CDP_OUTBOX_DIR": str(tmp / "data" / "outbox"),
        "DBT_TARGET_PATH": str(tmp / "target"),
        "DBT_LOG_PATH": str(tmp / "logs"),
    }
    # a fixed date, and the checks judging freshness six hours after its generated data ends, so that the
    # fixture is the same whatever the day and hour the tests run (the demo itself uses the clock)
    env["CDP_QUALITY_NOW"] = f"{DEMO_AS_OF}T06:00:00+00:00"
    generated = cdp(["generate", "--out", env["CDP_LANDING_DIR"], "--customers", "600", "--seed", "11",
                     "--as-of", DEMO_AS_OF, "--quiet"], env)
    assert generated.returncode == 0, generated.stdout[-4000:] + generated.stderr[-4000:]
    result = cdp(["demo"], env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return {"env": env, "tmp": tmp, "result": result, "truth": tmp / "data" / "truth"}
