"""Schedules: the full build daily, an incremental build hourly.

The hourly schedule is the catch-up for the landing sensor (a tick missed while the daemon was down, a run that
failed): it compares the landing zone with the files the last *published* build had ingested (the manifest
`landing._files` of the read-only copy, which readers may open at any time without blocking a build) and builds
`landing/<source>+` for the sources with files not yet in it. Nothing new: the tick is skipped.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from cdp.config import Settings
from cdp.publish import published_path
from orchestration.defs.automation.jobs import (
    LANDING_SOURCES,
    full_build_job,
    incremental_build_job,
    incremental_keys,
)
from orchestration.lib import landing_files as lf

daily_full_build = dg.ScheduleDefinition(
    name="daily_full_build",
    job=full_build_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every day at 02:00 UTC: the full build (every source, every model and check, publish). It also carries "
        "out the privacy requests landed since the previous one (see the sensor privacy_requests_within_a_day)."
    ),
    tags={"cdp/trigger": "daily_full_build"},
)


def published_ingested_files(published: Path) -> set[str]:
    """The landed files the published copy had ingested; empty when there is no copy or no manifest in it."""
    if not published.exists():
        return set()
    with duckdb.connect(str(published), read_only=True) as con:
        has_manifest = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'landing' and table_name = '_files'"
        ).fetchone()[0]
        if not has_manifest:
            return set()
        return {r[0] for r in con.execute("select file from landing._files").fetchall()}


@dg.schedule(
    name="hourly_incremental_build",
    job=incremental_build_job,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every hour at :15 UTC: builds `landing/<source>+` for the sources with files the last published build "
        "had not ingested; skips the tick when there are none."
    ),
)
def hourly_incremental_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    settings = Settings.from_env()
    files = lf.scan(settings.landing_dir, LANDING_SOURCES)
    published = published_path(settings.warehouse)
    try:
        ingested = published_ingested_files(published)
    except duckdb.Error as exc:
        context.log.warning(f"Could not read {published} ({exc}); treating every landed file as new.")
        ingested = set()
    fresh = lf.new_files(files, ingested)
    if not fresh:
        return dg.SkipReason(f"Every file in {settings.landing_dir} is in the published build.")
    sources = lf.sources_of(fresh)
    return dg.RunRequest(
        asset_selection=incremental_keys(context.repository_def, sources),
        tags={"cdp/trigger": "hourly_incremental_build", "cdp/sources": ",".join(sources)[:250]},
    )
