"""Data-subject requests as the asset `privacy/requests_carried_out` (cdp/privacy.py; docs/privacy.md).

After every dbt asset (identity must be built to know whose data to erase) and before the quality checks and the
published copy: carries out pending erasure, access and do-not-sell requests, deletes rows landed again for
erased people, and, when anything was erased, rebuilds the warehouse with `dbt build` so that no table keeps it.
The daily full build (and the privacy sensor of automation/) runs it, so an erasure is carried out within a day.
"""

import dagster as dg

from cdp.cli import run_dbt
from cdp.privacy import process_privacy_requests
from orchestration.defs.dbt.assets import dbt_asset_keys
from orchestration.defs.resources import WRITER_POOL, WarehouseResource

PRIVACY_KEY = dg.AssetKey(["privacy", "requests_carried_out"])


@dg.asset(
    key=PRIVACY_KEY,
    group_name="privacy",
    deps=dbt_asset_keys(),
    pool=WRITER_POOL,
    kinds={"python", "duckdb"},
    description=__doc__,
)
def requests_carried_out(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.writer(context) as settings:
        run = process_privacy_requests(settings.warehouse, settings.outbox_dir)
        if run.needs_rebuild:
            context.log.info(f"{run.rows_deleted} rows erased: rebuilding the warehouse so that no table keeps them")
            if not run_dbt(["build"], settings):
                raise dg.Failure(description=(
                    "dbt build after erasure failed: the warehouse still holds erased rows in derived tables. "
                    "Fix the failing model (see the step's log), then rerun this asset; nothing was published."
                ))
    return dg.MaterializeResult(metadata={
        "requests_carried_out": len(run.processed),
        "landed_rows_erased": run.rows_deleted,
        "access_files_written": len(run.access_files),
        "log": "privacy_request_log (one row per request and step, with the legal deadline)",
    })


defs = dg.Definitions(assets=[requests_carried_out])
__all__ = ["PRIVACY_KEY", "defs"]
