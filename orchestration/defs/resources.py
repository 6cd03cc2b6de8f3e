"""Resources shared by every area: where things live (the warehouse) and the dbt CLI.

`warehouse` resolves CONTRACT.md section 1's CDP_* variables when a step runs (not when the code loads), so a
run always uses the environment of the process that executes it, and tests point it at a temporary warehouse
with environment variables. Each field can also be set in a deployment's resource config instead.

Writers: every step that writes the DuckDB file runs in the concurrency pool `WRITER_POOL` (limit 1 in the
instance config orchestration/dagster.yaml) and inside `warehouse.writer(context)`, an OS file lock; readers use
the published copy (orchestration.defs.publish).
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from cdp.config import Settings
from cdp.writer_lock import writer_lock
from orchestration.defs.dbt.project import dbt_project
from orchestration.lib.dbt_manifest import dbt_executable
from orchestration.lib.dbt_results import LOCK_CONFLICT_NEXT_STEP, is_lock_conflict

WRITER_POOL = "warehouse_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The CDP settings: landing zone, warehouse and outbox (CDP_LANDING_DIR, CDP_WAREHOUSE, CDP_OUTBOX_DIR)."""

    landing_dir: str | None = None
    warehouse: str | None = None
    outbox_dir: str | None = None
    writer_wait_s: float = 3600.0

    def settings(self) -> Settings:
        overrides = {
            name: value
            for name, value in (
                ("CDP_LANDING_DIR", self.landing_dir),
                ("CDP_WAREHOUSE", self.warehouse),
                ("CDP_OUTBOX_DIR", self.outbox_dir),
            )
            if value
        }
        return Settings.from_env({**os.environ, **overrides})

    @contextmanager
    def writer(self, context: dg.AssetExecutionContext) -> Iterator[Settings]:
        """Holds the warehouse's writer lock for the block; logs whom it waits for if another writer has it."""
        settings = self.settings()
        holder = f"run {context.run.run_id[:8]} step {context.op_execution_context.op.name}"

        def waiting(current: str) -> None:
            context.log.info(f"Waiting for the warehouse writer lock, held by {current}.")

        with writer_lock(settings.warehouse, holder, timeout_s=self.writer_wait_s, on_wait=waiting):
            try:
                yield settings
            except duckdb.IOException as exc:
                if not is_lock_conflict(str(exc)):
                    raise
                raise dg.Failure(description=f"{exc}\n\n{LOCK_CONFLICT_NEXT_STEP}", allow_retries=False) from exc


class CdpDbtCliResource(DbtCliResource):
    """The dbt CLI of this virtualenv. dagster-dbt asks the executable for its version (`dbt --version`, about
    two seconds) once per run; for the dbt installed beside this interpreter the installed package says it."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version


def dbt_resource() -> DbtCliResource:
    return CdpDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


defs = dg.Definitions(resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()})
