"""Automation: the jobs, schedules and sensors that build the platform without a person clicking."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation.jobs import full_build_job, incremental_build_job
from orchestration.defs.automation.schedules import daily_full_build, hourly_incremental_build
from orchestration.defs.automation.sensors import landing_new_files, privacy_requests_within_a_day

defs = dg.Definitions(
    jobs=[full_build_job, incremental_build_job],
    schedules=[daily_full_build, hourly_incremental_build],
    sensors=[landing_new_files, privacy_requests_within_a_day],
)
