"""The five-V suites (expectations/) as the asset quality/five_v_checks, one blocking asset check per suite."""

import dagster as dg

from expectations.dagster_asset import QUALITY_KEY, build_quality_asset
from orchestration.defs.dbt.assets import dbt_asset_keys
from orchestration.defs.privacy import PRIVACY_KEY
from orchestration.defs.resources import WRITER_POOL

# after the privacy step, so that the checks (and their Data Docs) see the warehouse with erasures carried out
defs = dg.Definitions(assets=[build_quality_asset([*dbt_asset_keys(), PRIVACY_KEY], pool=WRITER_POOL)])
__all__ = ["QUALITY_KEY", "defs"]
