"""Sensors: new landing files start an incremental build; privacy requests never wait more than a day.

Neither sensor opens the warehouse: they list the landing zone and ask the Dagster instance, so a sensor tick
never competes with a build for the DuckDB file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from cdp.config import Settings
from orchestration.defs.automation.jobs import (
    FULL_BUILD,
    LANDING_SOURCES,
    full_build_job,
    incremental_build_job,
    incremental_keys,
)
from orchestration.lib import landing_files as lf

PRIVACY_SOURCE = "privacy_requests"
PRIVACY_MAX_WAIT = timedelta(hours=12)
TAG_LIMIT = 250


@dg.sensor(
    name="landing_new_files",
    job=incremental_build_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts an incremental build (`landing/<source>+`) when new files land in CDP_LANDING_DIR. Each file "
        "triggers once: the cursor holds the files already requested, and the run key is a digest of the new "
        "files, so the same set is never launched twice."
    ),
)
def landing_new_files(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings.from_env()
    files = lf.scan(settings.landing_dir, LANDING_SOURCES)
    seen = lf.decode_cursor(context.cursor)
    fresh = lf.new_files(files, seen)
    still_there = seen & {f.path for f in files}
    if not fresh:
        if still_there != seen:
            context.update_cursor(lf.encode_cursor(still_there))
        return dg.SkipReason(f"No new files in {settings.landing_dir} ({len(files)} landed, all requested).")
    sources = lf.sources_of(fresh)
    if context.repository_def is None:
        raise dg.DagsterInvariantViolationError("landing_new_files needs its code location's definitions")
    description = lf.describe(fresh)
    context.log.info(f"Requesting an incremental build for {description}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=lf.run_key(fresh),
                asset_selection=incremental_keys(context.repository_def, sources),
                tags={
                    "cdp/trigger": "landing_new_files",
                    "cdp/sources": ",".join(sources)[:TAG_LIMIT],
                    "cdp/new_files": str(len(fresh)),
                },
            )
        ],
        cursor=lf.encode_cursor(still_there | {f.path for f in fresh}),
    )


def last_full_build_start(instance: dg.DagsterInstance) -> datetime | None:
    """When the latest successful full build started (None when there was none)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=FULL_BUILD, statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1
    )
    if not records or records[0].start_time is None:
        return None
    return datetime.fromtimestamp(records[0].start_time, UTC)


@dg.sensor(
    name="privacy_requests_within_a_day",
    job=full_build_job,
    minimum_interval_seconds=900,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Makes sure every privacy request is carried out within a day: when a privacy_requests file has waited "
        f"{PRIVACY_MAX_WAIT.total_seconds() / 3600:.0f} h without a successful full build starting after it "
        "landed (the daily full build normally covers it), it starts a full build."
    ),
)
def privacy_requests_within_a_day(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    settings = Settings.from_env()
    files = lf.scan(settings.landing_dir, [PRIVACY_SOURCE])
    covered_until = last_full_build_start(context.instance)
    pending = lf.pending_privacy_files(files, covered_until)
    if not pending:
        return dg.SkipReason(f"No privacy request waits: {len(files)} file(s), all covered by a full build.")
    due = lf.overdue(pending, datetime.now(UTC), PRIVACY_MAX_WAIT)
    if not due:
        return dg.SkipReason(
            f"{len(pending)} privacy-request file(s) wait for the next full build; a full build is forced once "
            f"one has waited {PRIVACY_MAX_WAIT.total_seconds() / 3600:.0f} hours."
        )
    context.log.info(f"Forcing a full build for {len(pending)} waiting privacy-request file(s)")
    return dg.RunRequest(
        run_key=lf.run_key(pending, prefix="privacy"),
        tags={"cdp/trigger": "privacy_requests", "cdp/privacy_files": str(len(pending))},
    )
