"""Publish: a read-only copy of the warehouse for BI tools and other readers.

DuckDB allows one writer or many readers of a file, never both. Builds write `CDP_WAREHOUSE`; readers open
the published copy beside it (`<name>_published.duckdb`), which is replaced atomically (write a temporary
file, then rename) after each successful build: a reader keeps the copy it opened, the next one opens the new
copy, and neither ever blocks a build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def published_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.stem}_published{warehouse.suffix}")


def publish(warehouse: Path) -> Path:
    """Checkpoints the warehouse (so that the file holds every change) and swaps in a fresh copy."""
    target = published_path(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("checkpoint")
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(warehouse, tmp)
    os.replace(tmp, target)
    return target
