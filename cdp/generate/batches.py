"""Which batch file each record lands in, and in what order.

A source's records are cut into batches by when they happened (an initial backfill, then later batches).
Some land late (in a batch after the one their time belongs to), some out of order within a file,
and some are delivered twice (the copy in a later file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cdp.generate.clock import MS_PER_MINUTE, Window, compact_date, uniform_ms


@dataclass(frozen=True)
class Plan:
    """How a source lands: its batches, their formats, and its delivery habits."""

    source: str
    cuts_days: tuple[float, ...]  # end of each batch, in days before as_of 00:00 UTC; the last is 0
    formats: tuple[str, ...]  # one per batch: jsonl, csv or parquet
    late: float = 0.0  # share of records landing 1-2 batches after their time
    dup: float = 0.0  # share of records delivered again in a later batch
    jitter: float = 0.0  # share of records out of order within their file
    only_in: dict[str, tuple[int, ...]] = field(default_factory=dict)  # column -> batches that carry it
    sparse: frozenset[str] = frozenset()  # JSON keys left out of a line when null

    def __post_init__(self) -> None:
        if len(self.cuts_days) != len(self.formats) or self.cuts_days[-1] != 0:
            raise ValueError(f"{self.source}: one format per batch, the last batch ending at as_of")

    @property
    def batches(self) -> int:
        return len(self.formats)

    def ends(self, window: Window) -> np.ndarray:
        return np.array([window.days_before_end(d) for d in self.cuts_days], dtype=np.int64)

    def starts(self, window: Window) -> np.ndarray:
        return np.concatenate([[window.start], self.ends(window)[:-1]]).astype(np.int64)

    def file_name(self, window: Window, batch: int) -> str:
        """e.g. web_events_0001_20261101.jsonl: sequence number and the last day the batch covers."""
        day = compact_date(int(self.ends(window)[batch]) - 1)
        return f"{self.source}_{batch + 1:04d}_{day}.{self.formats[batch]}"

    def columns_in(self, columns: list[str], batch: int) -> list[str]:
        return [c for c in columns if c not in self.only_in or batch in self.only_in[c]]


@dataclass
class Placement:
    """Placed rows in file order: batch by batch, each batch in order of arrival."""

    idx: np.ndarray  # record number of each placed row
    batch: np.ndarray  # batch of each placed row (ascending)
    received: np.ndarray  # ms the row reached the landing zone
    is_dup: np.ndarray  # the row is a redelivery of an earlier row
    has_dup: np.ndarray  # the row is the first delivery of a record delivered again later
    bounds: np.ndarray  # batch b holds placed rows bounds[b]:bounds[b + 1]


def natural_batch(ts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(ends, ts, side="right"), len(ends) - 1)


def _fill_empty_batches(rng: np.random.Generator, batch: np.ndarray, stuck: np.ndarray, batches: int) -> None:
    """Every batch file holds at least one row: an empty later batch receives a late row."""
    if not (batch == 0).any():
        raise ValueError("no record falls in the backfill batch")
    for b in range(1, batches):
        if (batch == b).any():
            continue
        candidates = np.flatnonzero((batch < b) & ~stuck)
        if len(candidates) == 0:
            candidates = np.flatnonzero(batch < b)
        batch[candidates[rng.integers(0, len(candidates))]] = b


def place(
    rng: np.random.Generator,
    ts: np.ndarray,
    plan: Plan,
    window: Window,
    stuck: np.ndarray | None = None,
    min_batch: np.ndarray | None = None,
) -> Placement:
    """Assign each record (event time `ts`) a batch and an arrival order; add redeliveries.

    `stuck` records never land late; `min_batch` forces records to land no earlier than a batch.
    """
    n = len(ts)
    ends, starts, batches = plan.ends(window), plan.starts(window), plan.batches
    stuck = np.zeros(n, dtype=bool) if stuck is None else stuck
    natural = natural_batch(ts, ends)
    batch = natural.copy()
    late = (rng.random(n) < plan.late) & (batch < batches - 1) & ~stuck
    batch[late] = np.minimum(batch[late] + rng.integers(1, 3, size=int(late.sum())), batches - 1)
    if min_batch is not None:
        batch = np.minimum(np.maximum(batch, min_batch), batches - 1)
    _fill_empty_batches(rng, batch, stuck, batches)

    received = ts.astype(np.int64).copy()
    moved = np.flatnonzero(batch != natural)
    received[moved] = uniform_ms(rng, starts[batch[moved]], ends[batch[moved]], len(moved))
    shaken = np.flatnonzero(rng.random(n) < plan.jitter)
    received[shaken] += (rng.normal(0, 20, size=len(shaken)) * MS_PER_MINUTE).astype(np.int64)

    source = np.flatnonzero((rng.random(n) < plan.dup) & (batch < batches - 1))
    dup_batch = rng.integers(batch[source] + 1, batches) if len(source) else np.zeros(0, dtype=np.int64)
    dup_received = uniform_ms(rng, starts[dup_batch], ends[dup_batch], len(source))

    idx = np.concatenate([np.arange(n), source])
    all_batch = np.concatenate([batch, dup_batch])
    all_received = np.concatenate([received, dup_received])
    is_dup = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(source), dtype=bool)])
    has_dup = np.zeros(len(idx), dtype=bool)
    has_dup[source] = True
    order = np.lexsort((all_received, all_batch))
    placed_batch = all_batch[order]
    return Placement(
        idx=idx[order],
        batch=placed_batch,
        received=all_received[order],
        is_dup=is_dup[order],
        has_dup=has_dup[order],
        bounds=np.searchsorted(placed_batch, np.arange(batches + 1), side="left"),
    )


def follow(parent: Placement, parent_of: np.ndarray, sub_order: np.ndarray, batches: int) -> Placement:
    """Placement of child rows (order lines) that land in the same batch as their parent, after it in order."""
    first_pos = np.full(int(parent.idx.max()) + 1, -1, dtype=np.int64)
    originals = ~parent.is_dup
    first_pos[parent.idx[originals]] = np.flatnonzero(originals)
    pos = first_pos[parent_of]
    order = np.lexsort((sub_order, pos))
    placed_batch = parent.batch[pos[order]]
    n = len(order)
    return Placement(
        idx=order,
        batch=placed_batch,
        received=parent.received[pos[order]],
        is_dup=np.zeros(n, dtype=bool),
        has_dup=np.zeros(n, dtype=bool),
        bounds=np.searchsorted(placed_batch, np.arange(batches + 1), side="left"),
    )
