"""Time: the generation window and vectorised ISO-8601 formatting.

Every instant is an int64 count of milliseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

MS_PER_SECOND = 1_000
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
WINDOW_DAYS = 400

# A timestamp's spelling: with `Z`, with a UTC offset, or without any offset (which means UTC).
ZULU, OFFSET, NAIVE = 0, 1, 2
_OFFSETS_MIN = np.array([120, 60, -300, -240, -420, 330, 0, -480], dtype=np.int64)
_OFFSET_TEXT = np.array(["+02:00", "+01:00", "-05:00", "-04:00", "-07:00", "+05:30", "+00:00", "-08:00"])


@dataclass(frozen=True)
class Window:
    """The ~400 days of activity ending at `end_at` (exclusive): `as_of` 00:00 UTC unless another instant of
    that day is given (the demo's data ends at the hour it was generated, so that it is as fresh as a real
    landing zone whatever the time of day)."""

    as_of: date
    end_at: datetime | None = None

    @property
    def end(self) -> int:
        at = self.end_at or datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=UTC)
        return int(at.timestamp()) * MS_PER_SECOND

    @property
    def start(self) -> int:
        return self.end - WINDOW_DAYS * MS_PER_DAY

    def days_before_end(self, days: float) -> int:
        return self.end - int(days * MS_PER_DAY)


def uniform_ms(rng: np.random.Generator, lo: int | np.ndarray, hi: int | np.ndarray, n: int) -> np.ndarray:
    """`n` instants drawn uniformly from [lo, hi)."""
    lo_a = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo_a, 1)
    return lo_a + (rng.random(n) * span).astype(np.int64)


def spellings(rng: np.random.Generator, n: int, offset_share: float, naive_share: float) -> np.ndarray:
    """A spelling code (ZULU, OFFSET or NAIVE) per value."""
    u = rng.random(n)
    return np.where(u < offset_share, OFFSET, np.where(u < offset_share + naive_share, NAIVE, ZULU)).astype(np.int8)


def iso(
    ms: np.ndarray,
    style: np.ndarray,
    rng: np.random.Generator,
    unit: str = "ms",
    sep: str = "T",
) -> np.ndarray:
    """ISO-8601 text for each instant: `...Z`, `...+02:00` (the same instant in local time) or naive UTC."""
    ms = np.asarray(ms, dtype=np.int64)
    pick = rng.integers(0, len(_OFFSETS_MIN), size=len(ms))
    offset_min = np.where(style == OFFSET, _OFFSETS_MIN[pick], 0)
    local = (ms + offset_min * MS_PER_MINUTE).astype("datetime64[ms]")
    text = np.datetime_as_string(local, unit=unit)
    suffix = np.where(style == ZULU, "Z", np.where(style == OFFSET, _OFFSET_TEXT[pick], ""))
    out = np.strings.add(text, suffix)
    if sep != "T":
        out = np.strings.replace(out, "T", sep)
    return out.astype(object)


def iso_z(ms: np.ndarray, unit: str = "s") -> np.ndarray:
    """ISO-8601 UTC text with `Z` for each instant."""
    text = np.datetime_as_string(np.asarray(ms, dtype=np.int64).astype("datetime64[ms]"), unit=unit)
    return np.strings.add(text, "Z").astype(object)


def iso_date(ms: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD` of each instant (UTC)."""
    days = (np.asarray(ms, dtype=np.int64) // MS_PER_DAY).astype("datetime64[D]")
    return np.datetime_as_string(days).astype(object)


def compact_date(ms: int) -> str:
    """`YYYYMMDD` of one instant (UTC), for file names."""
    return str(np.datetime64(ms // MS_PER_DAY, "D")).replace("-", "")
