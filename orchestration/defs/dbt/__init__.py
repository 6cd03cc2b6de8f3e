"""The dbt project as assets (models, seeds, snapshots) and asset checks (tests), keys and groups by translator.

`project` (the DbtProject and its manifest, parsed at load when stale), `translator` (keys and groups) and
`assets` (the dbt build step and this area's `defs`). This module imports nothing, so that `project` can be
imported on its own (the shared resources need it) without a cycle.
"""
