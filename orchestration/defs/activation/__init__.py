"""Activation: the seam where syncs to destinations go. Nothing is defined here yet, on purpose.

Activation is a later issue; this package exists so that it slots into the graph without restructuring. When a
destination is built:

- its data is a dbt model `models/marts/activation/sync_<destination>__<audience or entity>.sql` (group
  `activation` by folder, its tests blocking asset checks like every dbt test);
- its sync is a Python asset here, key `activation/<destination>`, group `activation`, `deps` on its sync_
  models, `pool=WRITER_POOL` and `warehouse.writer(context)` around writing `activation_log` (CONTRACT.md
  section 4), returning `MaterializeResult` metadata with records sent, skipped (no consent) and failed, and
  the change since the previous sync;
- the package's `defs` is added to `orchestration/definitions.py`, which makes the publish asset depend on it.

Because the sync asset is downstream of its dbt models, a failing blocking dbt test on anything it reads stops
the dbt step, and Dagster does not run the sync (tests/test_orchestration.py proves this with a probe asset
in the same position). A destination that is not configured (for example CDP_WEBHOOK_URL unset) must still
materialize, with metadata and a log line saying it was skipped, never silently.
"""

from __future__ import annotations

import dagster as dg

defs = dg.Definitions()
