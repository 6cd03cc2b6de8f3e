"""The Dagster code location of the CDP: `dagster dev -m orchestration.definitions` (see docs/dagster.md).

The whole platform as one asset graph, from the landing-zone files to the published copy for BI readers:

    landing/<source>  ->  dbt models (staging, landing_quality, later identity, consent, traits, audiences,
                          activation), dbt tests as asset checks  ->  later Python stages  ->  published_warehouse

Each area lives in `orchestration/defs/<area>/` and exposes `defs`; the publish asset is built last, downstream
of every asset that writes the warehouse (every asset in the writer pool outside the landing group), so a new
stage that writes the warehouse is published without further wiring.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs import activation, automation, landing, privacy, publish, quality, resources
from orchestration.defs.dbt import assets as dbt_assets
from orchestration.defs.resources import WRITER_POOL
from orchestration.lib.dbt_groups import LANDING_GROUP


def warehouse_writer_keys(stages: dg.Definitions) -> list[dg.AssetKey]:
    """Keys of the assets that write the warehouse after landing: what the published copy must wait for."""
    keys = []
    for assets_def in stages.assets or []:
        if not isinstance(assets_def, dg.AssetsDefinition) or WRITER_POOL not in assets_def.op.pools:
            continue
        keys += [k for k in assets_def.keys if assets_def.group_names_by_key.get(k) != LANDING_GROUP]
    return sorted(keys)


def build_defs() -> dg.Definitions:
    stages = dg.Definitions.merge(
        resources.defs, landing.defs, dbt_assets.defs, privacy.defs, quality.defs, activation.defs
    )
    return dg.Definitions.merge(stages, publish.build_defs(warehouse_writer_keys(stages)), automation.defs)


defs = build_defs()
