"""Activation: one asset per destination of destinations/*.yml, `activation/<destination>` (group `activation`),
syncing every audience that names it (cdp/activation/sync.py; docs/activation.md).

Each sync asset depends on `audience_membership` (the dbt model compiled from audiences/*.yml, itself downstream of
customer_360 and consent) and on `quality/five_v_checks`, whose suites are blocking asset checks: a failing
blocking check (for example `audience_sizes`) stops Dagster before any sync runs. The sync also re-checks the last
quality run itself (deny by default), holds the warehouse writer (`pool=WRITER_POOL`, `warehouse.writer`) while it
writes `activation.sync_state` and `main.activation_log`, and reports per audience the diff (adds, updates,
removes), the delivery results (delivered, rejected, failed) and the members held back by consent or suppression.
A destination that is not configured (CDP_WEBHOOK_URL or its DSN unset) materializes with `skipped` in its
metadata and a log line; a destination that stays down fails the step (nothing is lost: the next run resumes).
"""

import os

import dagster as dg

from cdp.activation.config import Destination, load_config
from cdp.activation.sync import activate
from expectations.dagster_asset import QUALITY_KEY
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.lib.figures import markdown_table

ACTIVATION_GROUP = "activation"
MEMBERSHIP_KEY = dg.AssetKey("audience_membership")


def sync_key(destination: str) -> dg.AssetKey:
    return dg.AssetKey(["activation", destination])


def build_sync_asset(destination: Destination, audiences: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=sync_key(destination.name),
        group_name=ACTIVATION_GROUP,
        deps=[MEMBERSHIP_KEY, QUALITY_KEY],
        pool=WRITER_POOL,
        kinds={"python", "duckdb"},
        description=(f"Syncs {', '.join(audiences) or 'no audience'} to {destination.name} ({destination.type}"
                     f"{', purpose ' + destination.purpose if destination.purpose else ''}): "
                     f"{destination.description}"),
    )
    def sync(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.writer(context) as settings:
            run = activate(settings.warehouse, settings.outbox_dir, {**os.environ, **settings.as_env()},
                           only=[destination.name], log=context.log.info)
        if run.refused:
            raise dg.Failure(description=f"activation refused: {run.refused}")
        rows = [(r.audience, r.members, r.eligible, r.adds, r.updates, r.removes, r.delivered, r.rejected,
                 r.failed, r.skipped or r.error or "") for r in run.results]
        metadata = {
            "sync_id": run.sync_id,
            "adds": sum(r.adds for r in run.results),
            "updates": sum(r.updates for r in run.results),
            "removes": sum(r.removes for r in run.results),
            "delivered": sum(r.delivered for r in run.results),
            "rejected": sum(r.rejected for r in run.results),
            "failed": sum(r.failed for r in run.results),
            "held_back_by_consent": sum(r.blocked for r in run.results if not r.skipped),
            "skipped": next((r.skipped for r in run.results if r.skipped), "") or "no",
            "per_audience": markdown_table(
                ["audience", "members", "eligible", "adds", "updates", "removes", "delivered", "rejected",
                 "failed", "note"], rows),
        }
        for r in run.results:
            context.log.info(r.line())
        errors = [r.error for r in run.results if r.error]
        if errors:
            raise dg.Failure(description="; ".join(errors), metadata=metadata)
        return dg.MaterializeResult(metadata=metadata)

    return sync


def build_defs() -> dg.Definitions:
    config = load_config()
    assets = [
        build_sync_asset(d, sorted(a.name for a in config.audiences.values()
                                   if any(m.destination == d.name for m in a.destinations)))
        for d in sorted(config.destinations.values(), key=lambda d: d.name)
    ]
    return dg.Definitions(assets=assets)


defs = build_defs()
__all__ = ["ACTIVATION_GROUP", "defs", "sync_key"]
