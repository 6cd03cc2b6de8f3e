"""One asset per landing-zone source folder: `landing/<source>` is the table `landing.<source>`, holding every file
landed in `CDP_LANDING_DIR/<source>/` so far (CONTRACT.md section 3).

The assets are derived from the dbt sources of `models/staging/_landing__sources.yml` (through the dbt
translator, so their keys are exactly the keys dbt's staging models depend on), and materialized together by one
step that runs `cdp.landing.ingest` for the selected sources: one DuckDB connection for all of them, and only
files not yet in the manifest `landing._files` are read, so a second run over the same landing zone copies
nothing.
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from cdp.landing import SourceSummary, ingest
from orchestration.defs.dbt.translator import CdpDbtTranslator
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.lib.dbt_groups import LANDING_GROUP

LANDING_SOURCE = "landing"


def landing_source_nodes(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The dbt sources of the landing zone, in the order they are declared."""
    return [n for n in manifest["sources"].values() if n["source_name"] == LANDING_SOURCE]


def landing_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    translator = CdpDbtTranslator()
    specs = []
    for node in landing_source_nodes(manifest):
        source = node["name"]
        specs.append(
            dg.AssetSpec(
                key=translator.get_asset_key(node),
                group_name=LANDING_GROUP,
                description=(
                    f"{node.get('description') or ''}\n\nFiles in `CDP_LANDING_DIR/{source}/`, copied once each "
                    f"into the warehouse table `landing.{source}` (one row per landed row, with file and line)."
                ).strip(),
                kinds={"file", "duckdb"},
                tags={"cdp/layer": "landing"},
                metadata={
                    "landing_folder": f"CDP_LANDING_DIR/{source}/",
                    "dagster/table_name": f"landing.{source}",
                },
            )
        )
    return specs


def landed_totals(warehouse: Path, sources: list[str]) -> dict[str, tuple[int, int, int]]:
    """(files, rows, unparseable rows) landed so far per source, from the manifest `landing._files`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select source, count(*), coalesce(sum(row_count), 0), coalesce(sum(error_count), 0)
            from landing._files where source in (select unnest($sources)) group by source
            """,
            {"sources": sources},
        ).fetchall()
    found = {source: (int(files), int(n), int(errors)) for source, files, n, errors in rows}
    return {source: found.get(source, (0, 0, 0)) for source in sources}


def landing_metadata(summary: SourceSummary, totals: tuple[int, int, int], folder: Path) -> dict[str, Any]:
    files, rows, errors = totals
    metadata: dict[str, Any] = {
        "new_files": summary.files,
        "new_rows": summary.rows,
        "new_unparseable_rows": summary.errors,
        "files_landed": files,
        "dagster/row_count": rows,
        "unparseable_rows": errors,
        "landing_folder": dg.MetadataValue.path(str(folder)),
    }
    if not folder.is_dir():
        metadata["note"] = f"{folder} does not exist: a source with no data yet (the build still succeeds)."
    if summary.errors:
        metadata["next_step"] = (
            "Unparseable rows are quarantined with their file, line and reason: "
            "`cdp sql \"select * from fct_quarantined_rows where source_name = '" + summary.source + "'\"`."
        )
    if summary.skipped_changed:
        metadata["changed_after_landing"] = dg.MetadataValue.md(
            "\n".join(f"- `{rel}`" for rel in summary.skipped_changed)
        )
        metadata["next_step_for_changed_files"] = (
            "These files changed after they were landed and were ignored: landed files are immutable. Land the "
            "corrected data as a new file (a new name); the old file's rows stay as they were."
        )
    return metadata


def build_landing_assets(manifest: Mapping[str, Any]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name="landing_ingest",
        specs=landing_specs(manifest),
        can_subset=True,
        pool=WRITER_POOL,
        description="Copies the new files of the selected landing sources into the warehouse (cdp.landing).",
    )
    def landing_ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        keys = {key.path[-1]: key for key in context.selected_asset_keys}
        sources = sorted(keys)
        with warehouse.writer(context) as settings:
            context.log.info(f"Landing {settings.landing_dir} -> {settings.warehouse} for {', '.join(sources)}")
            summaries = ingest(settings.landing_dir, settings.warehouse, sources=sources, progress=False)
            totals = landed_totals(settings.warehouse, sources)
        for summary in summaries:
            for rel in summary.skipped_changed:
                context.log.warning(
                    f"{rel} changed after it was landed and was ignored: land changes as a new file."
                )
            yield dg.MaterializeResult(
                asset_key=keys[summary.source],
                metadata=landing_metadata(
                    summary, totals[summary.source], settings.landing_dir / summary.source
                ),
            )

    return landing_ingest


def landing_key(source: str) -> dg.AssetKey:
    """The asset key of a landing source, as the dbt translator gives it to `source('landing', source)`."""
    return CdpDbtTranslator().get_asset_key({"resource_type": "source", "source_name": LANDING_SOURCE, "name": source})


def landing_source_names(manifest: Mapping[str, Any]) -> list[str]:
    return [n["name"] for n in landing_source_nodes(manifest)]
