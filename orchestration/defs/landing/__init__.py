"""The landing zone as assets: `landing/<source>`, one per source folder, group `landing`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt.project import manifest
from orchestration.defs.landing.assets import build_landing_assets

landing_assets = build_landing_assets(manifest)

defs = dg.Definitions(assets=[landing_assets])
