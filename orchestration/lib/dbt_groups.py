"""Asset groups derived from where a dbt node lives, so that a new layer or area needs no Dagster change.

    models/staging/**                 -> staging
    models/intermediate/<area>/**     -> <area>      (identity, consent, traits, ...)
    models/marts/<area>/**            -> <area>      (identity, consent, audiences, activation, ...)
    models/<folder>/<file>.sql        -> <folder>    (a model directly under a layer folder)
    seeds/**                          -> reference   (seeds are small reference data, schema `reference`)
    snapshots/<area>/**               -> <area>, else snapshots
    a source                          -> its source name (landing)

One rename keeps the graph readable: the marts about the landing zone itself (`models/marts/landing`:
quarantine and reconciliation) form the group `landing_quality`, because the group `landing` holds the
landing-zone assets that feed staging, and a group both upstream and downstream of staging would draw a cycle.

A node can still choose its group explicitly with `config: meta: dagster: group: <name>` (dagster-dbt's own
convention), which wins over the folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

LANDING_GROUP = "landing"
FOLDER_GROUP_RENAMES = {("marts", "landing"): "landing_quality"}
GROUP_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def _clean(name: str) -> str:
    """Dagster group names are [A-Za-z0-9_]; folder names with dashes or dots become underscores."""
    lowered = name.lower()
    return "".join(c if c in GROUP_NAME_CHARS else "_" for c in lowered)


def group_for_path(original_file_path: str, resource_type: str) -> str:
    """The group of a dbt node from its file path relative to the project (`models/staging/orders/x.sql`)."""
    parts = PurePosixPath(original_file_path.replace("\\", "/")).parts
    if resource_type == "seed":
        return "reference"
    if not parts:
        return "default"
    top, rest = parts[0], parts[1:]
    if resource_type == "snapshot":
        return _clean(rest[0]) if len(rest) > 1 else "snapshots"
    if top != "models" or not rest:
        return _clean(top)
    layer, below = rest[0], rest[1:]
    if len(below) <= 1 or layer == "staging":
        # models/staging/** (one group for every source) or a file directly in a layer folder
        return _clean(layer)
    area = below[0]
    return FOLDER_GROUP_RENAMES.get((layer, area), _clean(area))


def group_for_node(node: Mapping[str, Any]) -> str:
    """The group of a manifest node or source: explicit `meta.dagster.group`, else its folder."""
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    explicit = (meta.get("dagster") or {}).get("group")
    if explicit:
        return _clean(str(explicit))
    if node.get("resource_type") == "source":
        return _clean(node["source_name"])
    return group_for_path(node.get("original_file_path") or "", node.get("resource_type") or "model")


def layer_for_node(node: Mapping[str, Any]) -> str:
    """staging, intermediate or marts for a model (the folder under models/); the resource type otherwise."""
    parts = PurePosixPath((node.get("original_file_path") or "").replace("\\", "/")).parts
    if node.get("resource_type") == "model" and len(parts) > 2 and parts[0] == "models":
        return parts[1]
    return str(node.get("resource_type") or "")
