"""One writer at a time on the DuckDB warehouse file, whoever starts it.

DuckDB lets one process open a file for writing, and no other process open it at all meanwhile. Dagster's
concurrency pool (`warehouse_writer`, limit 1, see orchestration/dagster.yaml) queues writer steps of every run,
backfill and sensor-launched run of an instance configured with it. This lock is the second half: every writer
step also takes an exclusive lock on `<warehouse>.writer.lock` (fcntl.flock, released by the OS if the process
dies), so that writers still take turns where the pool is not configured (`dg.materialize` in tests, a
`dagster dev` started without DAGSTER_HOME) or lets two steps through (Dagster's SQLite storage claims a slot
with a select then an update, so two steps asking in the same instant can both get it; seen in CI), and a
waiting step says who it waits for instead of failing with DuckDB's "Could not set lock on file".
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusyError(TimeoutError):
    """Another writer held the warehouse for longer than the wait allowed."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.writer.lock")


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode(errors="replace").strip() or "an unknown writer"


@contextmanager
def writer_lock(
    warehouse: Path,
    holder: str,
    timeout_s: float = 3600.0,
    poll_s: float = 0.5,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Holds the warehouse's writer lock; waits up to `timeout_s` for it, calling `on_wait(holder)` once."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                current = _holder(fd)
                if not told and on_wait is not None:
                    on_wait(current)
                    told = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"the warehouse {warehouse} has been written by {current} for more than "
                        f"{timeout_s:.0f}s. If that run is stuck, terminate it in the Dagster UI (Runs), then "
                        "re-execute this run; the lock is released as soon as its process ends."
                    ) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{holder} (pid {os.getpid()})".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
