"""The dbt manifest the code location is built from, produced at load time so that a fresh clone works.

`ensure_manifest` runs `dbt parse` when the manifest is missing or older than any file dbt reads (models,
macros, seeds, snapshots, data tests, the project and profile files), so that "Reload definitions" in the UI
picks up an edited model. dbt writes into a private temporary target folder, and the finished manifest is
moved into place with one atomic rename: two processes loading the code location at once (the webserver and
the daemon, or two test sessions) never read half a file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

DBT_INPUT_DIRS = ("models", "macros", "seeds", "snapshots", "data-tests", "analyses")
DBT_INPUT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
PARTIAL_PARSE = "partial_parse.msgpack"
RUN_TARGETS_KEPT = 20


class DbtParseError(RuntimeError):
    """`dbt parse` failed: the code location cannot be built until the dbt project parses."""


def dbt_inputs(project_dir: Path) -> Iterable[Path]:
    """Every file whose change can change the manifest."""
    for name in DBT_INPUT_FILES:
        path = project_dir / name
        if path.is_file():
            yield path
    for name in DBT_INPUT_DIRS:
        folder = project_dir / name
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


def is_stale(manifest_mtime: float | None, input_mtimes: Iterable[float]) -> bool:
    """True when there is no manifest or some input changed after it was written."""
    if manifest_mtime is None:
        return True
    return any(mtime > manifest_mtime for mtime in input_mtimes)


def manifest_is_stale(project_dir: Path, manifest_path: Path) -> bool:
    mtime = manifest_path.stat().st_mtime if manifest_path.is_file() else None
    return is_stale(mtime, (p.stat().st_mtime for p in dbt_inputs(project_dir)))


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment (works without an activated virtualenv)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def parse_manifest(project_dir: Path, manifest_path: Path, env: Mapping[str, str] | None = None) -> Path:
    """Runs `dbt parse` into a temporary target folder and moves the manifest to `manifest_path`."""
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".parse-", dir=manifest_path.parent))
    try:
        run_env = {
            **os.environ,
            **(env or {}),
            "DBT_TARGET_PATH": str(scratch),
            "DBT_LOG_PATH": str(scratch / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        result = subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
            cwd=project_dir, env=run_env, capture_output=True, text=True, check=False,
        )
        produced = scratch / "manifest.json"
        if result.returncode != 0 or not produced.is_file():
            tail = (result.stdout + result.stderr).strip().splitlines()[-25:]
            raise DbtParseError(
                "dbt parse failed, so the Dagster code location cannot list the dbt assets. Run "
                f"`dbt parse` in {project_dir} to see the error, fix the model or YAML it names, then reload "
                "the code location.\n" + "\n".join(tail)
            )
        partial = scratch / PARTIAL_PARSE
        if partial.is_file():
            os.replace(partial, manifest_path.with_name(PARTIAL_PARSE))
        os.replace(produced, manifest_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest_path


def ensure_manifest(project_dir: Path, manifest_path: Path, env: Mapping[str, str] | None = None) -> Path:
    """The manifest path, parsing first when the manifest is missing or stale."""
    if manifest_is_stale(project_dir, manifest_path):
        parse_manifest(project_dir, manifest_path, env)
    return manifest_path


def run_target_path(base: Path, run_id: str, manifest_path: Path) -> Path:
    """A fresh target folder for one dbt invocation below `base`, seeded with the latest partial parse state
    (dbt re-parses only what changed when the project and profile are the same), after removing all but the
    newest RUN_TARGETS_KEPT folders of earlier runs (their compiled SQL and logs help to debug a recent run)."""
    base.mkdir(parents=True, exist_ok=True)
    earlier = sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in earlier[RUN_TARGETS_KEPT - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    target = Path(tempfile.mkdtemp(prefix=f"{run_id[:8]}-", dir=base))
    for seed in (base / PARTIAL_PARSE, manifest_path.with_name(PARTIAL_PARSE)):
        if seed.is_file():
            shutil.copyfile(seed, target / PARTIAL_PARSE)
            break
    return target


def keep_partial_parse(target: Path, base: Path) -> None:
    """Keeps a finished invocation's parse state as the seed of the next one (replaced atomically)."""
    produced = target / PARTIAL_PARSE
    if produced.is_file():
        scratch = base / f".{PARTIAL_PARSE}.{os.getpid()}"
        shutil.copyfile(produced, scratch)
        os.replace(scratch, base / PARTIAL_PARSE)
