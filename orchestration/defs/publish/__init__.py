"""The published read-only copy for BI readers: the asset `published_warehouse`, group `publish`."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from orchestration.defs.publish.assets import PUBLISHED_KEY, build_publish_asset


def build_defs(upstream: Sequence[dg.AssetKey]) -> dg.Definitions:
    """The publish asset, downstream of `upstream` (every asset that writes the warehouse)."""
    return dg.Definitions(assets=[build_publish_asset(upstream)])


__all__ = ["PUBLISHED_KEY", "build_defs"]
