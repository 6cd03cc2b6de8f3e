"""Collect: copy every new landing-zone file, once, into the warehouse's `landing` schema.

Each source folder of the landing zone (CONTRACT.md section 3) becomes one table `landing.<source>` holding
one row per landed row, whatever the file format, in one shape:

    _file            path of the file relative to the landing dir (forward slashes)
    _line            1-based line (jsonl; csv with its header as line 1) or row number (parquet); 0 = whole file
    _format          jsonl | csv | parquet | unsupported
    _record          the row as a JSON object (csv values as text, empty csv fields left out), null when it
                     could not be parsed
    _raw             the text as landed, kept only when it could not be parsed
    _parse_error     why the row could not be parsed (null when it could)
    _ingested_at     when this copy ran (UTC)
    _file_modified_at  the file's modification time (UTC)

Nothing is interpreted here: typing, validation and quarantine are the dbt staging layer's job. A file is
copied in one transaction together with its row in `landing._files` (the manifest), so a crash never leaves
half a file, and a file already in the manifest is never read again (files are immutable once landed).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import yaml

from cdp.config import PROJECT_ROOT

SOURCES_YML = PROJECT_ROOT / "models" / "staging" / "_landing__sources.yml"

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
}

# The landed text is stored with ZSTD: compressing the record (most of the bytes) takes about half the CPU of
# DuckDB's default choice for text (dictionary/FSST, analysed per segment), the table is about a quarter of the
# size, and reading it back in staging costs no more. Same column types as ever; only the storage differs.
LANDING_TABLE_DDL = """
create table if not exists landing.{table} (
    _file varchar,
    _line bigint,
    _format varchar,
    _record json using compression zstd,
    _raw varchar using compression zstd,
    _parse_error varchar,
    _ingested_at timestamp,
    _file_modified_at timestamp
)"""

MANIFEST_DDL = """
create table if not exists landing._files (
    source varchar,
    file varchar,
    file_format varchar,
    size_bytes bigint,
    file_modified_at timestamp,
    ingested_at timestamp,
    row_count bigint,
    error_count bigint,
    status varchar,
    error varchar
)"""


def landing_sources(sources_yml: Path = SOURCES_YML) -> list[str]:
    """The source folders, as declared once in the dbt sources file."""
    doc = yaml.safe_load(sources_yml.read_text())
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    return [t["name"] for t in landing["tables"]]


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def is_ignored(path: Path, folder: Path) -> bool:
    """Hidden and in-progress files (`.x`, `_x`, `*.tmp`, `*.part`) are not landed yet."""
    parts = path.relative_to(folder).parts
    return any(p.startswith((".", "_")) for p in parts) or path.suffix in {".tmp", ".part"}


def list_landed_files(landing_dir: Path, source: str) -> list[Path]:
    folder = landing_dir / source
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not is_ignored(p, folder))


def _landed_bytes(landing_dir: Path, source: str) -> int:
    return sum(path.stat().st_size for path in list_landed_files(landing_dir, source))


@dataclass
class SourceSummary:
    source: str
    files: int = 0
    rows: int = 0
    errors: int = 0
    skipped_changed: list[str] = field(default_factory=list)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | None, str | None, str | None]]:
    """(line, record, raw, error) per csv row; the header is line 1; blank lines are not rows."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
        last_line = reader.line_num
        while True:
            start = last_line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                last_line = reader.line_num
                yield start, None, None, f"malformed CSV: {exc}"
                continue
            last_line = reader.line_num
            if not row:
                continue
            if len(row) != len(names):
                buffer = io.StringIO()
                csv.writer(buffer).writerow(row)
                error = f"wrong number of fields: expected {len(names)} (header), found {len(row)}"
                yield start, None, buffer.getvalue().rstrip("\r\n"), error
                continue
            # An empty CSV field is a missing value: it is left out of the record, as an absent JSON key is.
            yield start, {k: v for k, v in zip(names, row, strict=True) if v != ""}, None, None


def _insert_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, rel: str, meta: dict) -> None:
    lines, records, raws, errors = [], [], [], []
    for line, record, raw, error in _csv_rows(path):
        lines.append(line)
        records.append(orjson.dumps(record).decode() if record is not None else None)
        raws.append(raw)
        errors.append(error)
    batch = pa.table(
        {
            "_line": pa.array(lines, pa.int64()),
            "_record": pa.array(records, pa.string()),
            "_raw": pa.array(raws, pa.string()),
            "_parse_error": pa.array(errors, pa.string()),
        }
    )
    con.register("csv_batch", batch)
    con.execute(
        f"""
        insert into landing.{table} by name
        select
            $file as _file,
            _line,
            'csv' as _format,
            _record::json as _record,
            _raw,
            _parse_error,
            $ingested_at as _ingested_at,
            $modified_at as _file_modified_at
        from csv_batch
        """,
        {"file": rel, **meta},
    )
    con.unregister("csv_batch")


def _insert_jsonl(con: duckdb.DuckDBPyConnection, table: str, path: Path, rel: str, meta: dict) -> None:
    # Read each physical line as one text column (no delimiter, no quoting): DuckDB keeps the line order,
    # so the ordinality is the line number, and a broken line costs only itself.
    con.execute(
        f"""
        insert into landing.{table} by name
        with lines as (
            select
                ordinality as line_number,
                line,
                try_cast(line as json) as parsed
            from read_csv(
                $path,
                columns = {{'line': 'varchar'}},
                delim = '\\x01',
                quote = '',
                escape = '',
                header = false,
                auto_detect = false,
                parallel = false,
                strict_mode = false,
                new_line = '\\r\\n'
            ) with ordinality
            where trim(line) <> ''
        ),
        kinds as (
            -- a valid document that starts with a brace is an object: no second parse for the usual line
            select
                *,
                case
                    when parsed is not null and starts_with(ltrim(line), '{{') then 'OBJECT'
                    when parsed is not null then json_type(parsed)
                end as kind
            from lines
        )
        select
            $file as _file,
            line_number as _line,
            'jsonl' as _format,
            case when kind = 'OBJECT' then parsed end as _record,
            case when parsed is null or kind <> 'OBJECT' then line end as _raw,
            case
                when parsed is null then 'malformed JSON: the line is not a valid JSON document'
                when kind <> 'OBJECT' then 'malformed JSON: the line is a JSON '
                    || lower(kind) || ', not an object'
            end as _parse_error,
            $ingested_at as _ingested_at,
            $modified_at as _file_modified_at
        from kinds
        """,
        {"path": str(path), "file": rel, **meta},
    )


def _insert_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path, rel: str, meta: dict) -> None:
    con.execute(
        f"""
        insert into landing.{table} by name
        select
            $file as _file,
            t.file_row_number + 1 as _line,
            'parquet' as _format,
            json_merge_patch(to_json(t), '{{"file_row_number": null}}') as _record,
            null as _raw,
            null as _parse_error,
            $ingested_at as _ingested_at,
            $modified_at as _file_modified_at
        from read_parquet($path, file_row_number = true) as t
        """,
        {"path": str(path), "file": rel, **meta},
    )


INSERTERS = {"csv": _insert_csv, "jsonl": _insert_jsonl, "parquet": _insert_parquet}


def _insert_file_error(con: duckdb.DuckDBPyConnection, table: str, rel: str, fmt: str, error: str,
                       meta: dict) -> None:
    con.execute(
        f"""
        insert into landing.{table} by name
        select
            $file as _file,
            0 as _line,
            $format as _format,
            null as _record,
            null as _raw,
            $error as _parse_error,
            $ingested_at as _ingested_at,
            $modified_at as _file_modified_at
        """,
        {"file": rel, "format": fmt, "error": error, **meta},
    )


def ensure_landing_tables(con: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    con.execute("create schema if not exists landing")
    con.execute(MANIFEST_DDL)
    for source in sources:
        con.execute(LANDING_TABLE_DDL.format(table=source))


def ingest_file(con: duckdb.DuckDBPyConnection, source: str, path: Path, rel: str,
                ingested_at: datetime) -> tuple[int, int, str]:
    """Copies one file in one transaction; returns (rows, error rows, status)."""
    stat = path.stat()
    meta = {"ingested_at": ingested_at, "modified_at": _utc(stat.st_mtime)}
    fmt = file_format(path)
    con.execute("begin transaction")
    try:
        status, error = "ingested", None
        if fmt is None:
            status = "unsupported"
            error = f"unsupported file type '{path.name}': expected .csv, .jsonl or .parquet (optionally .gz)"
            _insert_file_error(con, source, rel, "unsupported", error, meta)
        else:
            try:
                INSERTERS[fmt](con, source, path, rel, meta)
            except (duckdb.Error, UnicodeDecodeError, csv.Error, OSError, EOFError) as exc:
                con.execute("rollback")
                con.execute("begin transaction")
                status = "unreadable"
                error = f"unreadable {fmt} file: {str(exc).splitlines()[0][:300]}"
                _insert_file_error(con, source, rel, fmt, error, meta)
        rows, errors = con.execute(
            f"select count(*), count(_parse_error) from landing.{source} where _file = $file",
            {"file": rel},
        ).fetchone()
        con.execute(
            """
            insert into landing._files
            values ($source, $file, $format, $size, $modified_at, $ingested_at, $rows, $errors, $status, $error)
            """,
            {"source": source, "file": rel, "format": fmt or "unsupported", "size": stat.st_size,
             "rows": rows, "errors": errors, "status": status, "error": error, **meta},
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return rows, errors, status


def ingest(landing_dir: Path, warehouse: Path, sources: list[str] | None = None,
           progress: bool = True) -> list[SourceSummary]:
    """Copies every landing file not yet in the manifest; returns what was copied per source."""
    sources = sources or landing_sources()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    summaries = []
    with duckdb.connect(str(warehouse)) as con:
        con.execute("set TimeZone = 'UTC'")
        ensure_landing_tables(con, sources)
        known = {
            (source, file): (size, modified)
            for source, file, size, modified in con.execute(
                "select source, file, size_bytes, file_modified_at from landing._files"
            ).fetchall()
        }

        def copy_source(source: str) -> SourceSummary:
            summary = SourceSummary(source)
            with con.cursor() as cur:  # one connection per thread: sources are copied side by side
                cur.execute("set TimeZone = 'UTC'")
                for path in list_landed_files(landing_dir, source):
                    rel = path.relative_to(landing_dir).as_posix()
                    if (source, rel) in known:
                        size, _ = known[(source, rel)]
                        if size != path.stat().st_size:
                            summary.skipped_changed.append(rel)
                        continue
                    rows, errors, _ = ingest_file(cur, source, path, rel, ingested_at)
                    summary.files += 1
                    summary.rows += rows
                    summary.errors += errors
            return summary

        # a JSONL file is read by one thread (its line numbers need the order), so sources run in parallel,
        # the largest first so that the threads finish together; summaries come back in contract order
        largest_first = sorted(sources, key=lambda source: -_landed_bytes(landing_dir, source))
        with ThreadPoolExecutor(max_workers=max(1, min(len(sources), os.cpu_count() or 1))) as pool:
            copied = dict(zip(largest_first, pool.map(copy_source, largest_first), strict=True))
            for summary in (copied[source] for source in sources):
                summaries.append(summary)
                if progress:
                    print(
                        f"  landed {summary.source:<18} {summary.files:>4} new files {summary.rows:>10,} rows "
                        f"{summary.errors:>6,} unparseable",
                        file=sys.stderr,
                    )
                    for rel in summary.skipped_changed:
                        print(
                            f"  WARNING {rel}: changed after it was landed; ignored "
                            "(landed files are immutable: land changes as a new file)",
                            file=sys.stderr,
                        )
    return summaries
