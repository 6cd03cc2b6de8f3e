"""How dbt nodes become Dagster assets: keys and groups derived from the dbt graph, never listed by hand.

    model, seed, snapshot   key = its name (`stg_orders__orders`), group = its folder (orchestration.lib.dbt_groups)
    source landing.<table>  key = `landing/<table>`: the landing asset of orchestration.defs.landing, so that the
                            lineage runs from the landing files through dbt without a gap
    test                    an asset check on the node it tests; error-severity tests (the project's default,
                            dbt_project.yml) are blocking: dbt skips what is downstream of a failing one, and the
                            build step fails, so nothing after it (publish, activation) runs
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.lib.dbt_groups import group_for_node, layer_for_node


class CdpDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_code_references=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_for_node(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        if dbt_resource_props["resource_type"] != "source":
            tags["cdp/layer"] = layer_for_node(dbt_resource_props)
        return tags
