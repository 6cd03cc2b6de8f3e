"""Writing batch files (.jsonl, .csv, .parquet) and recording the ground truth of every row written."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from cdp.generate import faults as F
from cdp.generate.batches import Placement, Plan
from cdp.generate.clock import Window

Builder = Callable[[dict[str, list]], list[dict]]
CHUNK = 8_192  # JSON lines built and written at a time
# Columns of a parquet batch of nested events, always present (null when no row has them), in this order.
NESTED_COLUMNS = ("message_id", "type", "event", "timestamp", "anonymous_id", "user_id", "context", "properties",
                  "traits")


@dataclass
class Rows:
    """One source's records before they are cut into files; columns are object arrays in output order."""

    columns: dict[str, np.ndarray]
    person: np.ndarray  # person number per record, -1 when the record is about no person
    key: np.ndarray  # the source's natural key as text
    ts: np.ndarray  # ms: when the record happened (drives its batch)
    typed: dict[str, tuple[np.ndarray, pa.DataType]] = field(default_factory=dict)  # typed parquet values

    def __post_init__(self) -> None:
        n = len(self.key)
        for name, values in self.columns.items():
            if len(values) != n:
                raise ValueError(f"column {name} has {len(values)} values for {n} records")

    def take(self, idx: np.ndarray) -> Rows:
        return Rows(
            columns={k: v[idx] for k, v in self.columns.items()},
            person=self.person[idx],
            key=self.key[idx],
            ts=self.ts[idx],
            typed={k: (v[idx], t) for k, (v, t) in self.typed.items()},
        )


def concat_rows(parts: list[Rows]) -> Rows:
    """Rows of the same shape one after another."""
    names = list(parts[0].columns)
    return Rows(
        columns={k: np.concatenate([p.columns[k] for p in parts]) for k in names},
        person=np.concatenate([p.person for p in parts]),
        key=np.concatenate([p.key for p in parts]),
        ts=np.concatenate([p.ts for p in parts]),
        typed={
            k: (np.concatenate([p.typed[k][0] for p in parts]), t) for k, (_, t) in parts[0].typed.items()
        },
    )


def flat_records(cols: dict[str, list]) -> list[dict]:
    keys = list(cols)
    return [dict(zip(keys, values, strict=True)) for values in zip(*cols.values(), strict=True)]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@dataclass
class Landing:
    """The landing zone being written, and the truth about each row in it."""

    out: Path
    window: Window
    records: list[pa.Table] = field(default_factory=list)
    faults: list[tuple[str, str, int, str, str | None]] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)

    def emit(
        self,
        plan: Plan,
        rows: Rows,
        placement: Placement,
        rng: np.random.Generator,
        builder: Builder = flat_records,
        restamp: Callable[[Rows, Placement], None] | None = None,
    ) -> int:
        """Write one source's batch files; returns rows written (malformed and redelivered rows included).

        `restamp` may rewrite columns that depend on when a row arrived (e.g. `received_at`).
        """
        placed = rows.take(placement.idx)
        if restamp is not None:
            restamp(placed, placement)
        formats = [plan.formats[b] for b in placement.batch.tolist()]
        chosen = F.choose_faults(rng, plan.source, formats, ~placement.is_dup & ~placement.has_dup)
        folder = self.out / plan.source
        folder.mkdir(parents=True, exist_ok=True)
        names = list(rows.columns)
        lines = np.zeros(len(placement.idx), dtype=np.int32)
        files = np.empty(len(placement.idx), dtype=object)
        for b in range(plan.batches):
            lo, hi = int(placement.bounds[b]), int(placement.bounds[b + 1])
            name = plan.file_name(self.window, b)
            rel = f"{plan.source}/{name}"
            batch_faults = {row - lo: f for row, f in chosen.items() if lo <= row < hi}
            cols = {c: placed.columns[c][lo:hi] for c in plan.columns_in(names, b)}
            fmt = plan.formats[b]
            if fmt == "jsonl":
                _jsonl(folder / name, cols, builder, plan.sparse, batch_faults)
                first_line = 1
            elif fmt == "csv":
                (folder / name).write_bytes(_csv(cols, batch_faults))
                first_line = 2
            else:
                typed = {k: (v[lo:hi], t) for k, (v, t) in placed.typed.items() if k in cols}
                nested = builder is not flat_records
                (folder / name).write_bytes(_parquet(cols, typed, builder if nested else None, batch_faults))
                first_line = 1
            self.files.setdefault(plan.source, []).append(rel)
            lines[lo:hi] = np.arange(hi - lo, dtype=np.int32) + first_line
            files[lo:hi] = rel
            for local, f in batch_faults.items():
                self._fault(plan.source, rel, local + first_line, f.kind, f.field)
        dup = np.flatnonzero(placement.is_dup)
        for i in dup.tolist():
            self._fault(plan.source, files[i], int(lines[i]), F.DUPLICATE, None)
        self.records.append(_records_table(plan.source, files, lines, placed.key, placed.person))
        self.written[plan.source] = len(placement.idx)
        return len(placement.idx)

    def _fault(self, source: str, file: str, line: int, kind: str, field_: str | None) -> None:
        self.faults.append((source, file, line, kind, field_))

    def add_broken_copy(self, source: str, of_file: str, name: str, share: float = 0.55) -> None:
        """An upload cut short: the first bytes of a landed file under a new name (unreadable)."""
        data = (self.out / of_file).read_bytes()
        (self.out / source / name).write_bytes(data[: int(len(data) * share)])
        self._fault(source, f"{source}/{name}", 0, F.UNREADABLE, None)
        self.files[source].append(f"{source}/{name}")

    def add_unsupported(self, source: str, name: str, text: str) -> None:
        (self.out / source).mkdir(parents=True, exist_ok=True)
        (self.out / source / name).write_text(text, encoding="utf-8")
        self._fault(source, f"{source}/{name}", 0, F.UNSUPPORTED, None)
        self.files.setdefault(source, []).append(f"{source}/{name}")

    def truth_tables(self, person_id: np.ndarray) -> tuple[pa.Table, pa.Table]:
        records = pa.concat_tables(self.records)
        person = records.column("person").to_numpy()
        ids = np.where(person >= 0, person_id[np.maximum(person, 0)], None)
        records = records.drop_columns(["person"]).append_column("person_id", pa.array(ids, pa.string()))
        rows = sorted(self.faults, key=lambda r: (r[0], r[1], r[2]))
        source, file, line, kind, field_ = (list(c) for c in zip(*rows, strict=True))
        faults = pa.table(
            {
                "source": pa.array(source, pa.string()),
                "file": pa.array(file, pa.string()),
                "line": pa.array(line, pa.int32()),
                "fault": pa.array(kind, pa.string()),
                "field": pa.array(field_, pa.string()),
            }
        )
        return records, faults


def _records_table(source: str, files: np.ndarray, lines: np.ndarray, key: np.ndarray, person: np.ndarray) -> pa.Table:
    return pa.table(
        {
            "source": pa.array(np.full(len(lines), source, dtype=object), pa.string()).dictionary_encode(),
            "file": pa.array(files, pa.string()).dictionary_encode(),
            "line": pa.array(lines, pa.int32()),
            "record_key": pa.array(key, pa.string()),
            "person": pa.array(person.astype(np.int64)),
        }
    )


def _jsonl(
    path: Path, cols: dict[str, np.ndarray], builder: Builder, sparse: frozenset[str], faults: dict[int, F.Fault]
) -> None:
    """Writes JSON lines chunk by chunk (small buffers stay in cache; no giant joins)."""
    n = len(next(iter(cols.values()))) if cols else 0
    numbered = list(enumerate(faults.items()))  # i numbers the faults of the file, to vary bad values
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    with path.open("wb") as fh:
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            records = builder({k: v[lo:hi].tolist() for k, v in cols.items()})
            if sparse:
                for rec in records:
                    for k in sparse:
                        if k in rec and rec[k] is None:
                            del rec[k]
            broken: dict[int, int] = {}
            for i, (pos, f) in numbered:
                if not lo <= pos < hi:
                    continue
                if f.kind == F.BROKEN_JSON:
                    broken[pos - lo] = i
                else:
                    F.set_path(records[pos - lo], f.field, f.value if f.value is F.DROP else f.bad_value(i))
            lines = [dumps(r, option=newline) for r in records]
            for pos, i in broken.items():
                lines[pos] = F.break_line(lines[pos][:-1], 0.3 + 0.1 * (i % 6)) + b"\n"
            fh.write(b"".join(lines))


def _csv(cols: dict[str, np.ndarray], faults: dict[int, F.Fault]) -> bytes:
    cols = {k: v.copy() for k, v in cols.items()}
    wrong: dict[int, int] = {}
    for i, (pos, f) in enumerate(faults.items()):
        if f.kind == F.WRONG_COLUMNS:
            wrong[pos] = i
        else:
            cols[f.field][pos] = "" if f.value is F.DROP else f.bad_value(i)
    table = [[_csv_cell(v) for v in row] for row in zip(*(c.tolist() for c in cols.values()), strict=True)]
    for pos, i in wrong.items():
        table[pos] = F.wrong_width(table[pos], i)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(cols))
    writer.writerows(table)
    return buf.getvalue().encode("utf-8")


def _parquet(
    cols: dict[str, np.ndarray],
    typed: dict[str, tuple[np.ndarray, pa.DataType]],
    builder: Builder | None,
    faults: dict[int, F.Fault],
) -> bytes:
    if builder is not None:
        return _nested_parquet(cols, builder, faults)
    arrays: dict[str, pa.Array] = {}
    for name, values in cols.items():
        broken = [(pos, i, f) for i, (pos, f) in enumerate(faults.items()) if f.field == name]
        if name in typed:
            raw, dtype = typed[name]
            mask = np.zeros(len(raw), dtype=bool)
            for pos, _, f in broken:
                if f.value is not F.DROP:
                    raise ValueError(f"typed parquet column {name} cannot hold a bad value")
                mask[pos] = True
            arrays[name] = pa.array(raw, dtype, mask=mask)
        else:
            values = values.copy()
            for pos, i, f in broken:
                values[pos] = None if f.value is F.DROP else f.bad_value(i)
            arrays[name] = pa.array(values, pa.string())
    return _parquet_bytes(pa.table(arrays))


def _nested_parquet(cols: dict[str, np.ndarray], builder: Builder, faults: dict[int, F.Fault]) -> bytes:
    """Nested records as flat string columns: objects (context, properties, traits) as JSON text."""
    records = builder({k: v.tolist() for k, v in cols.items()})
    for i, (pos, f) in enumerate(faults.items()):
        F.set_path(records[pos], f.field, f.value if f.value is F.DROP else f.bad_value(i))
    names: dict[str, None] = dict.fromkeys(NESTED_COLUMNS)
    for rec in records:
        for k in rec:
            names[k] = None
    arrays = {}
    for name in names:
        values = [rec.get(name) for rec in records]
        arrays[name] = pa.array(
            [orjson.dumps(v).decode() if isinstance(v, (dict, list)) else v for v in values], pa.string()
        )
    return _parquet_bytes(pa.table(arrays))


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue().to_pybytes()
