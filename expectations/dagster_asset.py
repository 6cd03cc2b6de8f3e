"""The five-V suites in Dagster: one asset, `quality/five_v_checks`, whose five blocking asset checks are the suites.

Materializing the asset runs `expectations.run.run_suites` against the warehouse (after every dbt asset, which
it depends on), appends the results to `quality.check_results`, writes the Data Docs, and reports one asset
check per suite (volume, velocity, variety, veracity, value):

- a suite with a failed blocking check: check failed, severity ERROR. The checks are `blocking=True`, so Dagster
  does not run any asset downstream of `quality/five_v_checks` (activation depends on it: no sync runs);
- a suite whose only failures are warnings: check failed, severity WARN (reported, nothing stops);
- otherwise passed. Skipped checks (their stage not built yet) are listed in the check's metadata.

The asset's metadata links the Data Docs (`data_docs`) and carries the table of every check.

The warehouse resource is the code location's `warehouse` (orchestration.defs.resources.WarehouseResource):
anything with `writer(context)`, a context manager yielding cdp.config.Settings while holding the warehouse's
writer lock, since the suites append to the warehouse.
"""


from collections.abc import Sequence
from typing import Any

import dagster as dg

from expectations.run import (
    SUITE_ORDER,
    SuiteResult,
    SuitesResult,
    configured_suites_dir,
    default_data_docs_dir,
    run_suites,
)

QUALITY_KEY = dg.AssetKey(["quality", "five_v_checks"])
QUALITY_GROUP = "quality"

SUITE_DESCRIPTIONS = {
    "volume": "Rows per source and batch within learned bounds, quarantine rate, growth between runs.",
    "velocity": "Freshness of each source, landing-to-warehouse latency, late arrivals, last activation age.",
    "variety": "Every expected source present, types, new or vanished columns and JSON keys, known vocabulary.",
    "veracity": "Keys unique and not null, valid contact points, no junk identifier, sane dates, identity "
                "graph health, consent state, customer_360 grain.",
    "value": "Contactable profiles, reachable customers, trait completeness, audience sizes, predicted traits.",
}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def checks_table(result: SuitesResult) -> str:
    rows = ["| suite | check | blocking | status | message |", "|---|---|---|---|---|"]
    for c in result.checks:
        rows.append(
            f"| {c.suite} | {c.check} | {'yes' if c.blocking else 'no'} | {c.status} | {_md_escape(c.message)[:500]} |"
        )
    return "\n".join(rows)


def suite_check_result(suite: SuiteResult, asset_key: dg.AssetKey, data_docs: str | None) -> dg.AssetCheckResult:
    blocking = [c for c in suite.checks if c.blocking and c.status in {"failed", "error"}]
    warnings = [c for c in suite.checks if not c.blocking and c.status in {"failed", "error"}]
    skipped = [c for c in suite.checks if c.status == "skipped"]
    metadata: dict[str, Any] = {
        "checks_passed": sum(c.status == "passed" for c in suite.checks),
        "blocking_failures": len(blocking),
        "warnings": len(warnings),
        "skipped": len(skipped),
        "failures": dg.MetadataValue.md("\n".join(f"- {_md_escape(c.message)}" for c in blocking + warnings)
                                        or "none"),
        "skipped_checks": dg.MetadataValue.md("\n".join(f"- {_md_escape(c.message)}" for c in skipped) or "none"),
    }
    if data_docs:
        metadata["data_docs"] = dg.MetadataValue.url(data_docs)
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=suite.name,
        passed=not blocking and not warnings,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=(
            f"{len(blocking)} blocking failure(s): " + "; ".join(c.check for c in blocking) if blocking
            else f"{len(warnings)} warning(s)" if warnings else "no failure"
        ),
    )


def build_quality_asset(deps: Sequence[dg.AssetKey], pool: str | None = None,
                        key: dg.AssetKey = QUALITY_KEY) -> dg.AssetsDefinition:
    """The quality asset, downstream of `deps` (every dbt asset), in the writer `pool`."""
    specs = [
        dg.AssetCheckSpec(name=suite, asset=key, blocking=True, description=SUITE_DESCRIPTIONS[suite])
        for suite in SUITE_ORDER
    ]

    @dg.asset(
        key=key,
        group_name=QUALITY_GROUP,
        deps=list(deps),
        pool=pool,
        check_specs=specs,
        required_resource_keys={"warehouse"},
        kinds={"duckdb", "python"},
        tags={"cdp/layer": "quality"},
        description=__doc__,
    )
    def five_v_checks(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with context.resources.warehouse.writer(context) as settings:
            result = run_suites(settings.warehouse, default_data_docs_dir(settings.warehouse),
                                suites_dir=configured_suites_dir())
        docs = result.data_docs_index.as_uri() if result.data_docs_index else None
        for line in result.summary().splitlines():
            context.log.info(line)
        metadata: dict[str, Any] = {
            "run_id": result.run_id,
            "blocking_failures": len(result.blocking_failures),
            "warnings": len(result.warnings),
            "skipped": len(result.skipped),
            "checks": dg.MetadataValue.md(checks_table(result)),
            "results_table": "quality.check_results (one row per run, check and subject)",
            "seconds": round(result.seconds, 2),
        }
        if docs:
            metadata["data_docs"] = dg.MetadataValue.url(docs)
            metadata["data_docs_path"] = dg.MetadataValue.path(str(result.data_docs_index))
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[suite_check_result(s, key, docs) for s in result.suites],
        )

    return five_v_checks
