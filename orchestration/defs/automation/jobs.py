"""The jobs the schedules and sensors launch.

    full_build         every asset: new files of every source, the whole dbt build with its checks, every later
                       stage, publish. Daily, and whenever a privacy request would otherwise wait too long.
    incremental_build  the same graph, launched with its selection narrowed to the landing sources that received
                       new files and everything downstream of them (`landing/<source>+`).
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from orchestration.defs.dbt.project import manifest
from orchestration.defs.landing.assets import landing_key, landing_source_names

FULL_BUILD = "full_build"
INCREMENTAL_BUILD = "incremental_build"
LANDING_SOURCES = landing_source_names(manifest)

full_build_job = dg.define_asset_job(
    FULL_BUILD,
    selection=dg.AssetSelection.all(),
    description="Every asset and check: ingest new files of every source, dbt build, later stages, publish.",
    tags={"cdp/build": "full"},
)

incremental_build_job = dg.define_asset_job(
    INCREMENTAL_BUILD,
    selection=dg.AssetSelection.all(),
    description=(
        "Launched by the landing sensor and the hourly schedule with the selection narrowed to the landing "
        "sources that received new files and everything downstream of them."
    ),
    tags={"cdp/build": "incremental"},
)


def incremental_selection(sources: Iterable[str]) -> dg.AssetSelection:
    """`landing/<source>+` for each source: its landing asset and everything downstream of it."""
    return dg.AssetSelection.assets(*(landing_key(s) for s in sorted(set(sources)))).downstream()


def incremental_keys(repository_def: dg.RepositoryDefinition, sources: Iterable[str]) -> list[dg.AssetKey]:
    return sorted(incremental_selection(sources).resolve(repository_def.asset_graph))
