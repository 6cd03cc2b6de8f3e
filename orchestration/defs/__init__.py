"""The code location's definitions, one package per area of the platform.

Each area package exposes `defs` (a `dagster.Definitions`): assets, checks, resources, sensors and schedules of
that area. `orchestration/definitions.py` merges them. Today's areas:

    resources    the warehouse settings (CDP_* environment) and the dbt CLI
    landing      one asset per landing-zone source folder: new files copied into `landing.<source>`
    dbt          every dbt model, seed and snapshot as an asset, every dbt test as an asset check
    publish      the read-only copy of the warehouse for BI readers
    automation   jobs, schedules and sensors
    activation   the seam where activation syncs (one asset per destination) will go

A later stage (probabilistic matching, predictive models, Great Expectations suites, activation) adds a package
here with its own `defs`, one line in `definitions.py`, and, when it writes the warehouse, `pool=WRITER_POOL`
and `warehouse.writer(...)` (see `orchestration.defs.resources`). docs/dagster.md says more.
"""
