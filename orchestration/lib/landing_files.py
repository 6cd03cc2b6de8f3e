"""What is in the landing zone, and what is new in it: the pure logic behind the sensors and schedules.

A landed file is named by its path relative to the landing dir (`orders/2026-11-01.csv`), exactly as
`cdp.landing` records it in `landing._files`; files are immutable once landed (CONTRACT.md section 3), so a
path seen once never needs to be read again, and hidden or in-progress files (`.x`, `_x`, `*.tmp`, `*.part`)
are not landed yet.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cdp.landing import list_landed_files

CURSOR_VERSION = 1
CURSOR_COMPRESS_OVER = 2000


@dataclass(frozen=True, order=True)
class LandedFile:
    path: str
    source: str
    modified_at: float
    size: int


def scan(landing_dir: Path, sources: Iterable[str]) -> list[LandedFile]:
    """Every landed file of the given source folders, sorted by path."""
    files = []
    for source in sources:
        for path in list_landed_files(landing_dir, source):
            stat = path.stat()
            files.append(LandedFile(path.relative_to(landing_dir).as_posix(), source, stat.st_mtime, stat.st_size))
    return sorted(files)


def new_files(files: Iterable[LandedFile], seen: set[str]) -> list[LandedFile]:
    return [f for f in files if f.path not in seen]


def sources_of(files: Iterable[LandedFile]) -> list[str]:
    return sorted({f.source for f in files})


def run_key(files: Iterable[LandedFile], prefix: str = "landing") -> str:
    """One key per set of files: the same set always gives the same key, so Dagster launches it once."""
    digest = hashlib.sha256("\n".join(sorted(f.path for f in files)).encode()).hexdigest()[:24]
    return f"{prefix}-{digest}"


def encode_cursor(seen: Iterable[str]) -> str:
    """The sensor's cursor: the paths seen, as readable JSON while short, compressed once long."""
    text = json.dumps({"v": CURSOR_VERSION, "files": sorted(set(seen))}, separators=(",", ":"))
    if len(text) <= CURSOR_COMPRESS_OVER:
        return text
    return "z:" + base64.b64encode(zlib.compress(text.encode(), 9)).decode()


def decode_cursor(cursor: str | None) -> set[str]:
    """The paths of a cursor; an empty or unreadable cursor means nothing was seen (every file is new, and
    ingestion itself never copies a file twice, so starting over costs a run, not a duplicate)."""
    if not cursor:
        return set()
    try:
        text = zlib.decompress(base64.b64decode(cursor[2:])).decode() if cursor.startswith("z:") else cursor
        doc = json.loads(text)
        return set(doc["files"]) if doc.get("v") == CURSOR_VERSION else set()
    except (ValueError, KeyError, TypeError, zlib.error):
        return set()


def describe(files: list[LandedFile], limit: int = 5) -> str:
    """`3 new files in orders, web_events: orders/a.csv, ...` for run tags and sensor logs."""
    shown = ", ".join(f.path for f in files[:limit])
    more = f" and {len(files) - limit} more" if len(files) > limit else ""
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files)} new {noun} in {', '.join(sources_of(files))}: {shown}{more}"


def pending_privacy_files(
    files: Iterable[LandedFile], covered_until: datetime | None
) -> list[LandedFile]:
    """Privacy-request files that no successful full build has started after: a build that starts after a
    file landed ingests it, so a file is covered once a full build started later than its modification time."""
    if covered_until is None:
        return sorted(files)
    cutoff = covered_until.timestamp()
    return sorted(f for f in files if f.modified_at >= cutoff)


def overdue(pending: Iterable[LandedFile], now: datetime, max_wait: timedelta) -> list[LandedFile]:
    """The pending files that have waited `max_wait` or longer."""
    return [f for f in pending if now.timestamp() - f.modified_at >= max_wait.total_seconds()]
