"""The destinations' protocols: an HTTP webhook, customer-match files (Google, Meta), a PostgreSQL table.

Each destination takes a batch of changes and says, per change (by its idempotency key), whether it was
delivered (`success`), refused for a reason that a later run may overcome (`rejected`, retried next run), or
could not be delivered at all (`failed`: the destination is down; the sync stops and the rows are retried next
run). Only `success` advances the synced snapshot (cdp/activation/sync.py).

Idempotency: every change carries a key derived from (destination, audience, customer, operation, payload hash),
so a batch sent again after a crash is recognised:
- webhook: each record carries `idempotency_key`, the batch an `Idempotency-Key` header (hash of its keys);
  the receiver keeps the last key applied per customer and ignores a repeat;
- PostgreSQL: upsert on (audience, customer_id) and delete for a removal, which are idempotent by nature; the row
  keeps the key of the change that wrote it;
- files: the file name is a hash of the batch's keys, so a batch written again replaces its own file; adding an
  identifier already on a customer-match list, or removing one that is not, changes nothing.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import io
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cdp.activation.config import Destination

SUCCESS, REJECTED, FAILED = "success", "rejected", "failed"
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Change:
    """One record to send: an add, update or remove of one customer in one audience."""

    customer_id: str
    operation: str  # add, update, remove
    idempotency_key: str
    payload_hash: int | None
    fields: dict[str, Any] | None  # what is sent (None for a remove)
    record_key: dict[str, str] | None = None  # customer match: the hashed identifiers now
    old_record_key: dict[str, str] | None = None  # customer match: the hashed identifiers last synced


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str | None = None
    attempts: int = 1


class Unavailable(Exception):
    """The destination cannot be reached (not configured, or a retried failure): nothing more is sent to it."""


class Sender(Protocol):
    def send(self, audience: str, batch: Sequence[Change], batch_number: int) -> dict[str, Outcome]: ...

    def close(self) -> None: ...


def batch_key(batch: Sequence[Change]) -> str:
    return hashlib.sha256("|".join(c.idempotency_key for c in batch).encode()).hexdigest()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(attempt: int, base: float, retry_after: float | None, cap: float = 300.0) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After when the destination said, else base * 2^(n-1)."""
    if retry_after is not None:
        return min(retry_after, cap)
    return min(base * 2 ** (attempt - 1), cap)


class Webhook:
    """JSON batches POSTed to a URL; 429 and 5xx (and connection errors) retried with exponential backoff,
    honouring Retry-After; a 2xx answer may list rejected records: {"rejected": [{"idempotency_key", "reason"}]};
    any other 4xx rejects the whole batch with the status and the start of the answer as the reason."""

    def __init__(self, destination: Destination, url: str, auth_header: str | None, sleep: Sleep = time.sleep,
                 sync_id: str = "") -> None:
        self.destination = destination
        self.url = url
        self.auth_header = auth_header
        self.sleep = sleep
        self.sync_id = sync_id
        self.max_attempts = int(destination.option("max_attempts", 6))
        self.base = float(destination.option("backoff_seconds", 0.5))
        self.timeout = float(destination.option("timeout_seconds", 30))

    def body(self, audience: str, batch: Sequence[Change], batch_number: int) -> bytes:
        records = [
            {"idempotency_key": c.idempotency_key, "op": c.operation, "customer_id": c.customer_id,
             "fields": c.fields}
            for c in batch
        ]
        return json.dumps({"destination": self.destination.name, "audience": audience, "sync_id": self.sync_id,
                           "batch": batch_number, "records": records}, default=str).encode()

    def send(self, audience: str, batch: Sequence[Change], batch_number: int) -> dict[str, Outcome]:
        data = self.body(audience, batch, batch_number)
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch_key(batch)}
        if self.auth_header:
            headers["Authorization"] = self.auth_header
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            retry_after = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = response.read()
                return self._outcomes(batch, answer, attempt)
            except urllib.error.HTTPError as exc:
                text = exc.read()[:200].decode("utf-8", "replace")
                if exc.code != 429 and exc.code < 500:
                    reason = f"HTTP {exc.code}: {text}".strip()
                    return {c.idempotency_key: Outcome(REJECTED, reason, attempt) for c in batch}
                last = f"HTTP {exc.code}"
                retry_after = retry_after_seconds(exc.headers.get("Retry-After"))
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = f"connection error: {getattr(exc, 'reason', exc)}"
            if attempt < self.max_attempts:
                self.sleep(backoff(attempt, self.base, retry_after))
        raise Unavailable(f"{last} after {self.max_attempts} attempts")

    @staticmethod
    def _outcomes(batch: Sequence[Change], answer: bytes, attempts: int) -> dict[str, Outcome]:
        rejected: dict[str, str] = {}
        try:
            parsed = json.loads(answer) if answer.strip() else {}
        except ValueError:
            parsed = {}
        if isinstance(parsed, dict):
            for item in parsed.get("rejected") or []:
                if isinstance(item, dict) and item.get("idempotency_key"):
                    rejected[str(item["idempotency_key"])] = str(item.get("reason") or "rejected by destination")
        return {
            c.idempotency_key: Outcome(REJECTED, rejected[c.idempotency_key], attempts)
            if c.idempotency_key in rejected else Outcome(SUCCESS, None, attempts)
            for c in batch
        }

    def close(self) -> None:
        return None


LAYOUT_HEADERS = {"google": {"email": "Email", "phone": "Phone"}, "meta": {"email": "email", "phone": "phone"}}


def write_atomically(path: Path, text: str) -> None:
    """Writes a file that readers see whole or not at all: a hidden temporary file, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class CustomerMatchFile:
    """Customer-match upload files: per batch, `<audience>__add__<key>.csv` (identifiers to add) and
    `<audience>__remove__<key>.csv` (identifiers to remove) under CDP_OUTBOX_DIR/<destination>/, in the
    platform's layout (Google: Email, Phone; Meta: email, phone), every identifier already SHA-256 hashed."""

    def __init__(self, destination: Destination, outbox_dir: Path) -> None:
        self.destination = destination
        self.layout = str(destination.option("layout"))
        self.directory = outbox_dir / destination.name

    def _csv(self, rows: list[dict[str, str]]) -> str:
        headers = LAYOUT_HEADERS[self.layout]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers.values())
        for row in rows:
            writer.writerow([row.get(k) or "" for k in headers])
        return out.getvalue()

    def send(self, audience: str, batch: Sequence[Change], batch_number: int) -> dict[str, Outcome]:
        adds: list[dict[str, str]] = []
        removes: list[dict[str, str]] = []
        for c in batch:
            new, old = c.record_key or {}, c.old_record_key or {}
            if c.operation in ("add", "update") and new:
                adds.append(new)
            gone = {k: v for k, v in old.items() if v and v != new.get(k)}
            if gone:
                removes.append(gone)
        key = batch_key(batch)[:16]
        try:
            if adds:
                write_atomically(self.directory / f"{audience}__add__{key}.csv", self._csv(adds))
            if removes:
                write_atomically(self.directory / f"{audience}__remove__{key}.csv", self._csv(removes))
        except OSError as exc:
            raise Unavailable(f"cannot write to {self.directory}: {exc.strerror}") from exc
        return {c.idempotency_key: Outcome(SUCCESS) for c in batch}

    def close(self) -> None:
        return None


class PostgresTable:
    """Upsert into a PostgreSQL table keyed by (audience, customer_id), one text column per mapped field; a remove
    deletes the row. A batch is one transaction; when it fails, its rows are sent one by one so that only the rows
    the database refuses are rejected, with the database's message as the reason."""

    def __init__(self, destination: Destination, dsn: str, sleep: Sleep = time.sleep) -> None:
        import psycopg

        self.destination = destination
        self.table = str(destination.option("table"))
        self.sleep = sleep
        self.max_attempts = int(destination.option("max_attempts", 4))
        self.base = float(destination.option("backoff_seconds", 0.5))
        self.psycopg = psycopg
        self.conn = self._connect(dsn)
        self.columns: set[str] = set()

    def _connect(self, dsn: str) -> Any:
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self.psycopg.connect(dsn, autocommit=False, connect_timeout=10)
            except self.psycopg.OperationalError as exc:
                last = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if attempt < self.max_attempts:
                self.sleep(backoff(attempt, self.base, None))
        raise Unavailable(f"cannot connect: {last} after {self.max_attempts} attempts")

    def _ensure(self, fields: set[str]) -> None:
        from psycopg import sql

        if not self.columns:
            with self.conn.transaction():
                self.conn.execute(sql.SQL(
                    "create table if not exists {} (audience text not null, customer_id text not null, "
                    "idempotency_key text not null, synced_at timestamptz not null default now(), "
                    "primary key (audience, customer_id))").format(sql.Identifier(self.table)))
            self.columns = {"audience", "customer_id", "idempotency_key", "synced_at"}
        for name in sorted(fields - self.columns):
            with self.conn.transaction():
                self.conn.execute(sql.SQL("alter table {} add column if not exists {} text").format(
                    sql.Identifier(self.table), sql.Identifier(name)))
            self.columns.add(name)

    def _apply(self, audience: str, c: Change) -> None:
        from psycopg import sql

        table = sql.Identifier(self.table)
        if c.operation == "remove":
            self.conn.execute(sql.SQL("delete from {} where audience = %s and customer_id = %s").format(table),
                              (audience, c.customer_id))
            return
        fields = c.fields or {}
        names = ["audience", "customer_id", "idempotency_key", *sorted(fields)]
        values = [audience, c.customer_id, c.idempotency_key,
                  *(None if fields[k] is None else str(fields[k]) for k in sorted(fields))]
        updates = [n for n in names if n not in ("audience", "customer_id")]
        self.conn.execute(
            sql.SQL("insert into {t} ({cols}) values ({vals}) on conflict (audience, customer_id) do update set "
                    "{sets}, synced_at = now() where {t}.idempotency_key is distinct from excluded.idempotency_key"
                    ).format(
                t=table,
                cols=sql.SQL(", ").join(map(sql.Identifier, names)),
                vals=sql.SQL(", ").join(sql.Placeholder() * len(names)),
                sets=sql.SQL(", ").join(sql.SQL("{} = excluded.{}").format(sql.Identifier(n), sql.Identifier(n))
                                        for n in updates),
            ),
            values,
        )

    def send(self, audience: str, batch: Sequence[Change], batch_number: int) -> dict[str, Outcome]:
        fields = {k for c in batch for k in (c.fields or {})}
        psycopg = self.psycopg
        try:
            self._ensure(fields)
            try:
                with self.conn.transaction():
                    for c in batch:
                        self._apply(audience, c)
                return {c.idempotency_key: Outcome(SUCCESS) for c in batch}
            except psycopg.errors.DatabaseError as exc:
                if isinstance(exc, psycopg.OperationalError):
                    raise
            outcomes = {}
            for c in batch:
                try:
                    with self.conn.transaction():
                        self._apply(audience, c)
                    outcomes[c.idempotency_key] = Outcome(SUCCESS)
                except psycopg.errors.DatabaseError as exc:
                    if isinstance(exc, psycopg.OperationalError):
                        raise
                    reason = (getattr(exc.diag, "message_primary", None) or str(exc)).splitlines()[0]
                    outcomes[c.idempotency_key] = Outcome(REJECTED, f"{type(exc).__name__}: {reason}")
            return outcomes
        except psycopg.OperationalError as exc:
            raise Unavailable(f"connection lost: {str(exc).splitlines()[0] if str(exc) else exc}") from exc

    def close(self) -> None:
        self.conn.close()
