"""The dbt project as dagster-dbt sees it, with a manifest that exists and is current when this module loads."""

from __future__ import annotations

import json
from pathlib import Path

from dagster_dbt import DbtProject

from cdp.config import PROJECT_ROOT, Settings
from orchestration.lib.dbt_manifest import ensure_manifest

# The code location's own target folder: `dbt parse` for the manifest writes here, apart from the `target/` that
# dbt and `cdp run` use from a terminal. Each build writes into a folder of its own below DBT_TARGET_PATH.
TARGET_PATH = Path("target") / "dagster"

dbt_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=TARGET_PATH)

MANIFEST_PATH = ensure_manifest(PROJECT_ROOT, dbt_project.manifest_path, Settings.from_env().as_env())

manifest: dict = json.loads(MANIFEST_PATH.read_text())
