"""Every dbt model, seed and snapshot as an asset, every dbt test as an asset check, built by one `dbt build`.

The step selects exactly the assets and checks of the run (dagster-dbt turns them into `--select`), runs dbt
with the CDP_* settings of the `warehouse` resource, under the warehouse writer lock, in a target folder of its
own. When dbt has finished, figures are read from the warehouse (orchestration.lib.figures: row counts and
their change since the last published copy, reconciliation, quarantine, identity and audience figures) and
attached to the materialization of the model they describe. When a model errors or a blocking test fails, dbt
skips what depends on it and the step fails with a message that names what failed and what to do next, so no
step downstream of it (publish, activation) runs.
"""

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets
from pydantic import Field

from cdp.config import PROJECT_ROOT, Settings
from cdp.publish import published_path
from orchestration.defs.dbt.project import MANIFEST_PATH, TARGET_PATH, dbt_project, manifest
from orchestration.defs.dbt.translator import CdpDbtTranslator
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.lib import dbt_results
from orchestration.lib.dbt_manifest import keep_partial_parse, run_target_path
from orchestration.lib.env import scoped_environ
from orchestration.lib.figures import Markdown, figures_for

PREVIOUS = "previous"


class DbtBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild incremental models from scratch (`dbt build --full-refresh`).",
    )


def relation_of(node: Mapping[str, Any]) -> str | None:
    """`schema.alias` of a node that leaves a relation in the warehouse (ephemeral models do not)."""
    if (node.get("config") or {}).get("materialized") == "ephemeral":
        return None
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def to_metadata(figures: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: dg.MetadataValue.md(value) if isinstance(value, Markdown) else value
        for name, value in figures.items()
    }


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = $c "
        "union all select schema_name || '.' || view_name from duckdb_views() where database_name = $c",
        {"c": catalog},
    ).fetchall()
    return {r[0] for r in rows}


def read_figures(outputs: list[dg.Output], settings: Settings, log: dg.DagsterLogManager) -> dict[str, dict]:
    """{unique_id: figures} for the models dbt just built, read from the warehouse (and the published copy)."""
    figures: dict[str, dict[str, Any]] = {}
    previous_copy = published_path(settings.warehouse)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        previous: set[str] = set()
        if previous_copy.exists():
            quoted = str(previous_copy).replace("'", "''")
            con.execute(f"attach '{quoted}' as {PREVIOUS} (read_only)")
            previous = _relations(con, PREVIOUS)
        for output in outputs:
            uid = str(output.metadata["unique_id"].value)
            node = manifest["nodes"].get(uid) or {}
            relation = relation_of(node) if node else None
            if not relation:
                continue
            try:
                figures[uid] = figures_for(
                    con, node["name"], relation, f"{PREVIOUS}.{relation}" if relation in previous else None
                )
            except duckdb.Error as exc:
                log.warning(f"No figures for {node['name']}: {str(exc).splitlines()[0]}")
    return figures


def with_figures(
    events: Iterable[Any], settings: Settings, log: dg.DagsterLogManager
) -> Iterator[Any]:
    """The dbt events, each model's Output carrying the figures read from the warehouse dbt just built. Figures
    help a person but never fail a build: when the warehouse cannot be read, the events go out without them."""
    events = list(events)
    outputs = [e for e in events if isinstance(e, dg.Output) and e.metadata.get("unique_id")]
    figures: dict[str, dict[str, Any]] = {}
    if outputs and settings.warehouse.exists():
        try:
            figures = read_figures(outputs, settings, log)
        except duckdb.Error as exc:
            log.warning(f"No figures for this build: the warehouse could not be read ({exc}).")
    for event in events:
        uid = event.metadata.get("unique_id") if isinstance(event, dg.Output) else None
        if uid is not None and str(uid.value) in figures:
            yield event.with_metadata({**event.metadata, **to_metadata(figures[str(uid.value)])})
        else:
            yield event


def failure(invocation: DbtCliInvocation) -> dg.Failure:
    try:
        run_results = invocation.get_artifact("run_results.json")
    except OSError:
        run_results = {}
    found = dbt_results.problems(run_results, manifest)
    skipped = dbt_results.skipped(run_results, manifest)
    return dg.Failure(
        description=dbt_results.failure_description(found, skipped),
        metadata={
            "failed": [p.name for p in found],
            "skipped_downstream": skipped,
            "dbt_target_folder": dg.MetadataValue.path(str(invocation.target_path)),
        },
        allow_retries=False,
    )


def dbt_target_base() -> Path:
    """Where each build's dbt target folder goes: below DBT_TARGET_PATH when set, else target/dagster/runs."""
    configured = os.environ.get("DBT_TARGET_PATH")
    base = Path(configured) if configured else TARGET_PATH / "runs"
    return base if base.is_absolute() else PROJECT_ROOT / base


@dbt_assets(
    manifest=manifest,
    project=dbt_project,
    dagster_dbt_translator=CdpDbtTranslator(),
    name="dbt_build",
    pool=WRITER_POOL,
)
def dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
) -> Iterator[Any]:
    args = ["build", *(["--full-refresh"] if config.full_refresh else [])]
    with warehouse.writer(context) as settings:
        base = dbt_target_base()
        target = run_target_path(base, context.run.run_id, MANIFEST_PATH)
        with scoped_environ(settings.as_env()):
            invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
        events = list(invocation.stream())
        keep_partial_parse(target, base)
        enriched = list(with_figures(events, settings, context.log))
    yield from enriched
    if not invocation.is_successful():
        raise failure(invocation)


def dbt_asset_keys() -> list[dg.AssetKey]:
    return sorted(dbt_build.keys)


defs = dg.Definitions(assets=[dbt_build])
