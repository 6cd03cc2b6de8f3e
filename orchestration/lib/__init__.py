"""Reusable, side-effect-light helpers of the Dagster code location, each unit-tested on its own
(tests/test_orchestration_lib.py). Nothing here imports Dagster definitions: `orchestration.defs` builds on them.
"""
