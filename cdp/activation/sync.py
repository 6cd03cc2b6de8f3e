"""Reverse-ETL syncs: audience members -> consent and suppression gates -> diff against the last synced
snapshot -> batches to the destination -> snapshot advanced for what succeeded, every record in activation_log.

State (schema `activation`, kept from run to run, never holds plaintext personal data):

    activation.sync_state   one row per (destination, audience, customer_id) last delivered: the payload hash,
                            and for customer-match destinations the hashed identifiers (needed to remove them)
    main.activation_log     one row per record sent per sync (CONTRACT.md section 4): customer_id, operation,
                            idempotency key, status, reason; never the payload

Semantics (docs/activation.md):
- a sync sends only adds, updates (payload hash changed) and removes (left the audience, lost consent, became
  suppressed, erased) against the snapshot of its destination and audience;
- each batch is delivered, then the snapshot rows of its successful records and the log rows of all its records
  are written in one transaction: a crash before that commit re-sends the batch next run with the same
  idempotency keys (the destination ignores the repeat), a crash after it sends nothing twice;
- rejected records are logged with the reason and stay out of the snapshot, so the next run retries them;
- a destination that stays down (retries exhausted) stops its sync; nothing is lost, the next run resumes.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cdp import hashing
from cdp.activation.config import (
    ADDRESS_PURPOSES,
    ActivationConfig,
    Audience,
    ConfigError,
    Destination,
    Mapping,
    load_config,
)
from cdp.activation.destinations import (
    FAILED,
    SUCCESS,
    Change,
    CustomerMatchFile,
    Outcome,
    PostgresTable,
    Sender,
    Sleep,
    Unavailable,
    Webhook,
)

STATE_DDL = [
    "create schema if not exists activation",
    """create table if not exists activation.sync_state (
        destination varchar not null,
        audience varchar not null,
        customer_id varchar not null,
        payload_hash ubigint not null,
        record_key varchar,
        idempotency_key varchar not null,
        synced_at timestamp not null,
        primary key (destination, audience, customer_id)
    )""",
    """create table if not exists main.activation_log (
        activation_log_id varchar not null,
        sync_id varchar not null,
        destination varchar not null,
        audience varchar not null,
        customer_id varchar not null,
        operation varchar not null,
        idempotency_key varchar not null,
        payload_hash ubigint,
        batch_number integer not null,
        attempts integer not null,
        sync_status varchar not null,
        reason varchar,
        synced_at timestamp not null
    )""",
    # one row per (destination, audience) a run tried to sync, changes or not: what the activation_age check
    # reads, so that a destination with nothing new to send is still seen as up to date, and one that is down
    # is seen falling behind
    """create table if not exists activation.sync_runs (
        sync_id varchar not null,
        destination varchar not null,
        audience varchar not null,
        sync_status varchar not null,
        changes integer not null,
        delivered integer not null,
        failed integer not null,
        rejected integer not null,
        finished_at timestamp not null,
        primary key (sync_id, destination, audience)
    )""",
]

# The diff: benchmarked against the naive full-snapshot EXCEPT in bench/activation_diff.py.
DIFF_SQL = """
select
    coalesce(cur.customer_id, st.customer_id) as customer_id,
    case when st.customer_id is null then 'add' when cur.customer_id is null then 'remove' else 'update' end
        as operation,
    cur.payload_hash,
    st.payload_hash as old_payload_hash,
    cur.record_key,
    st.record_key as old_record_key
from {current} as cur
full outer join {snapshot} as st on cur.customer_id = st.customer_id
where st.customer_id is null or cur.customer_id is null or cur.payload_hash <> st.payload_hash
"""

EMAIL_ADDRESS = "regexp_replace(lower(trim({column})), '\\+[^@]*@', '@')"
PERSON_SUPPRESSION_SCOPES = {"advertising": ("advertising",), "data_sale": ("data_sale",)}
Hook = Callable[[str, int], None]


@dataclass
class SyncResult:
    destination: str
    audience: str
    members: int = 0
    eligible: int = 0
    adds: int = 0
    updates: int = 0
    removes: int = 0
    delivered: int = 0
    rejected: int = 0
    failed: int = 0
    not_attempted: int = 0
    batches: int = 0
    skipped: str | None = None
    error: str | None = None
    preview: list[tuple[str, str]] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        """Members not sent for lack of consent or because suppressed."""
        return self.members - self.eligible

    def line(self) -> str:
        head = f"{self.destination:<22} {self.audience:<22}"
        if self.skipped:
            return f"{head} skipped: {self.skipped}"
        text = (f"{head} members {self.members:>6,} eligible {self.eligible:>6,} | +{self.adds} ~{self.updates} "
                f"-{self.removes} | delivered {self.delivered} rejected {self.rejected} failed {self.failed}")
        if self.not_attempted:
            text += f" not attempted {self.not_attempted}"
        return text + (f" | {self.error}" if self.error else "")


@dataclass
class ActivationRun:
    sync_id: str
    dry_run: bool
    results: list[SyncResult] = field(default_factory=list)
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and not any(r.error for r in self.results)

    def summary(self) -> str:
        if self.refused:
            return f"activation refused: {self.refused}"
        mode = "dry run (nothing sent)" if self.dry_run else f"sync {self.sync_id}"
        return "\n".join([f"activation, {mode}:", *("  " + r.line() for r in self.results)])


class NotConfigured(Exception):
    """The destination's URL or DSN is not set: it is skipped, with a log line, never silently."""


def _ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in STATE_DDL:
        con.execute(ddl)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and "
                            "table_name = ?", [schema, name]).fetchall()[0][0])


def quality_gate(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why activation must not run now, or None: the last run of the five-V checks had a blocking failure, or
    no check ever ran on this warehouse (deny by default)."""
    if not _exists(con, "quality", "check_results"):
        return "no quality check has run on this warehouse (run `cdp run`)"
    failed = con.execute("""
        select list(distinct check_name order by check_name)
        from quality.check_results
        where run_id = (select run_id from quality.check_results order by checked_at desc, run_id desc limit 1)
            and is_blocking and status in ('failed', 'error')""").fetchall()[0][0]
    if failed:
        return f"the last quality run has blocking failures: {', '.join(failed)}"
    return None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def address_trait(purpose: str, context: str) -> str | None:
    """The customer_360 column holding the address an address purpose sends to."""
    channel = ADDRESS_PURPOSES.get(purpose)
    if channel == "email":
        return "work_email" if context == "work" else "email"
    if channel == "phone":
        return "phone"
    return None


def gate_sql(purposes: Iterable[str], context: str) -> str:
    """Conditions on `c` (customer_360) for being sent for these purposes: a granted consent in force for each
    (deny by default), the address granted for address purposes, and no active suppression that applies."""
    conditions = [("not exists (select 1 from main.suppressions as s where s.is_active "
                  "and s.suppression_scope = 'all' and s.customer_id = c.customer_id)")]
    for purpose in sorted(set(purposes)):
        grant = (f"cc.customer_id = c.customer_id and cc.purpose = {_sql_str(purpose)} "
                 f"and cc.consent_context = {_sql_str(context)} and cc.is_granted")
        column = address_trait(purpose, context)
        if column is None:
            conditions.append(f"exists (select 1 from main.consent_current as cc where {grant})")
            for scope in PERSON_SUPPRESSION_SCOPES.get(purpose, ()):
                conditions.append(f"not exists (select 1 from main.suppressions as s where s.is_active and "
                                  f"s.suppression_scope = {_sql_str(scope)} and s.customer_id = c.customer_id)")
            continue
        address = EMAIL_ADDRESS.format(column=f"c.{column}") if column != "phone" else "c.phone"
        conditions.append(f"c.{column} is not null")
        conditions.append(f"exists (select 1 from main.consent_current as cc where {grant} "
                          f"and list_contains(cc.granted_addresses, {address}))")
        if ADDRESS_PURPOSES[purpose] == "email":
            conditions.append(f"not exists (select 1 from main.suppressions as s where s.is_active and "
                              f"s.suppression_scope = 'email' and s.identifier_value = {address})")
    return "\n    and ".join(conditions)


def required_purposes(audience: Audience, destination: Destination) -> list[str]:
    return sorted({audience.purpose, *([destination.purpose] if destination.purpose else [])})


def current_rows_sql(audience: Audience, destination: Destination, mapping: Mapping) -> str:
    fields = "".join(f",\n    c.{_quote(trait)} as {_quote(out)}" for out, trait in sorted(mapping.fields.items()))
    return f"""
select
    c.customer_id{fields}
from main.audience_membership as m
inner join main.customer_360 as c on m.customer_id = c.customer_id
where m.audience = {_sql_str(audience.name)}
    and {gate_sql(required_purposes(audience, destination), audience.consent_context)}
order by c.customer_id
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def fingerprint(text: str) -> int:
    """The payload hash kept in the snapshot: the first 64 bits of its SHA-256, an unsigned integer, so that the
    diff compares integers (bench/activation_diff.py); two versions of one customer's payload collide with
    probability 2^-64."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


CUSTOMER_MATCH_HASH = {
    "google": {"email": hashing.google_email_hash, "phone": hashing.google_phone_hash},
    "meta": {"email": hashing.meta_email_hash, "phone": hashing.meta_phone_hash},
}


def payloads(destination: Destination, columns: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    """Per eligible customer: the fields sent, the payload hash, and for customer match the hashed identifiers
    (which are the payload: nothing else is sent). A customer-match row without a usable identifier is dropped."""
    out = []
    for row in rows:
        customer_id, values = row[0], dict(zip(columns[1:], row[1:], strict=True))
        if destination.type == "customer_match_file":
            hashers = CUSTOMER_MATCH_HASH[str(destination.option("layout"))]
            key = {k: hashers[k](values.get(k)) for k in sorted(values)}
            key = {k: v for k, v in key.items() if v}
            if not key:
                continue
            record_key = json.dumps(key, sort_keys=True)
            out.append({"customer_id": customer_id, "fields": None, "record_key": record_key,
                        "payload_hash": fingerprint(record_key)})
        else:
            fields = {k: _jsonable(v) for k, v in values.items()}
            text = json.dumps(fields, sort_keys=True, default=str)
            out.append({"customer_id": customer_id, "fields": fields, "record_key": None,
                        "payload_hash": fingerprint(text)})
    return out


def diff(con: duckdb.DuckDBPyConnection, destination: str, audience: str, current: list[dict[str, Any]],
         has_state: bool) -> list[dict[str, Any]]:
    """Adds, updates and removes of `current` against the snapshot, ordered (removes, updates, adds; by customer)."""
    table = pa.table({
        "customer_id": pa.array([r["customer_id"] for r in current], pa.string()),
        "payload_hash": pa.array([r["payload_hash"] for r in current], pa.uint64()),
        "record_key": pa.array([r["record_key"] for r in current], pa.string()),
    })
    con.register("activation_current", table)
    try:
        snapshot = (f"(select customer_id, payload_hash, record_key from activation.sync_state "
                    f"where destination = {_sql_str(destination)} and audience = {_sql_str(audience)})"
                    if has_state else
                    "(select null::varchar as customer_id, null::ubigint as payload_hash, "
                    "null::varchar as record_key where false)")
        sql = DIFF_SQL.format(current="activation_current", snapshot=snapshot)
        rows = con.execute(f"select * from ({sql}) order by case operation when 'remove' then 0 "
                           f"when 'update' then 1 else 2 end, customer_id").fetchall()
    finally:
        con.unregister("activation_current")
    names = ["customer_id", "operation", "payload_hash", "old_payload_hash", "record_key", "old_record_key"]
    return [dict(zip(names, r, strict=True)) for r in rows]


def idempotency_key(destination: str, audience: str, change: dict[str, Any]) -> str:
    """Same change, same key, in every run: what lets a destination ignore a batch sent again after a crash."""
    version = (str(change["payload_hash"]) if change["operation"] != "remove"
               else f"removed:{change['old_payload_hash']}")
    return _digest(destination, audience, change["customer_id"], change["operation"], version)


REDACT = re.compile(r"[^\s@,;:()<>\"']+@[^\s@,;:()<>\"']+|\+?\d[\d\s().-]{6,}\d")


def redact(text: str | None) -> str | None:
    """A reason as logged: no email address or phone number a destination may have echoed."""
    return REDACT.sub("[redacted]", text)[:300] if text else text


def make_sender(destination: Destination, outbox_dir: Path, env: dict[str, str], sync_id: str,
                sleep: Sleep) -> Sender:
    """The destination's sender; NotConfigured when its URL or DSN is unset, Unavailable when it is down."""
    if destination.type == "webhook":
        url = env.get(str(destination.option("url_env"))) if destination.option("url_env") else None
        url = url or destination.option("url")
        if not url:
            raise NotConfigured(f"not configured: {destination.option('url_env')} is not set")
        auth_env = destination.option("auth_header_env")
        return Webhook(destination, url, env.get(auth_env) if auth_env else None, sleep=sleep, sync_id=sync_id)
    if destination.type == "customer_match_file":
        return CustomerMatchFile(destination, outbox_dir)
    dsn = env.get(str(destination.option("dsn_env")))
    if not dsn:
        raise NotConfigured(f"not configured: {destination.option('dsn_env')} is not set")
    return PostgresTable(destination, dsn, sleep=sleep)


def _commit_batch(con: duckdb.DuckDBPyConnection, sync_id: str, destination: str, audience: str,
                  batch: list[Change], outcomes: dict[str, Outcome], batch_number: int, now: datetime) -> None:
    log_rows = []
    con.execute("begin transaction")
    try:
        for c in batch:
            o = outcomes.get(c.idempotency_key) or Outcome(FAILED, "no answer for this record")
            log_rows.append([_digest(sync_id, c.idempotency_key), sync_id, destination, audience, c.customer_id,
                             c.operation, c.idempotency_key, c.payload_hash, batch_number, o.attempts, o.status,
                             redact(o.reason), now])
            if o.status != SUCCESS:
                continue
            if c.operation == "remove":
                con.execute("delete from activation.sync_state where destination = ? and audience = ? and "
                            "customer_id = ?", [destination, audience, c.customer_id])
            else:
                con.execute("insert or replace into activation.sync_state values (?, ?, ?, ?, ?, ?, ?)",
                            [destination, audience, c.customer_id, c.payload_hash,
                             json.dumps(c.record_key, sort_keys=True) if c.record_key else None,
                             c.idempotency_key, now])
        con.executemany("insert into main.activation_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", log_rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def sync_one(con: duckdb.DuckDBPyConnection, sync_id: str, audience: Audience, destination: Destination,
             mapping: Mapping, sender: Sender | None, dry_run: bool, hook: Hook | None = None,
             clock: Callable[[], datetime] | None = None) -> SyncResult:
    result = SyncResult(destination.name, audience.name)
    result.members = con.execute("select count(*) from main.audience_membership where audience = ?",
                                 [audience.name]).fetchall()[0][0]
    cursor = con.execute(current_rows_sql(audience, destination, mapping))
    columns = [d[0] for d in cursor.description]
    current = payloads(destination, columns, cursor.fetchall())
    result.eligible = len(current)
    has_state = _exists(con, "activation", "sync_state")
    snapshot_size = con.execute("select count(*) from activation.sync_state where destination = ? and audience = ?",
                                [destination.name, audience.name]).fetchall()[0][0] if has_state else 0
    if result.members == 0 and snapshot_size:
        result.error = (f"audience {audience.name} has no member now but {snapshot_size} were synced: refusing to "
                        "remove them all (a broken or unbuilt audience?); check audience_membership")
        return result
    changes = diff(con, destination.name, audience.name, current, has_state)
    fields = {r["customer_id"]: r["fields"] for r in current}
    for c in changes:
        result.adds += c["operation"] == "add"
        result.updates += c["operation"] == "update"
        result.removes += c["operation"] == "remove"
    result.preview = [(c["customer_id"], c["operation"]) for c in changes[:20]]
    if dry_run or sender is None or not changes:
        return result
    pending = [
        Change(
            customer_id=c["customer_id"], operation=c["operation"],
            idempotency_key=idempotency_key(destination.name, audience.name, c),
            payload_hash=c["payload_hash"] if c["operation"] != "remove" else c["old_payload_hash"],
            fields=fields.get(c["customer_id"]) if c["operation"] != "remove" else None,
            record_key=json.loads(c["record_key"]) if c["record_key"] else None,
            old_record_key=json.loads(c["old_record_key"]) if c["old_record_key"] else None,
        )
        for c in changes
    ]
    size = destination.batch_size
    for start in range(0, len(pending), size):
        batch = pending[start:start + size]
        number = start // size + 1
        try:
            outcomes = sender.send(audience.name, batch, number)
        except Unavailable as exc:
            outcomes = {c.idempotency_key: Outcome(FAILED, str(exc), 0) for c in batch}
            result.error = f"{destination.name} unavailable: {exc}; the rest is retried next run"
            result.not_attempted = len(pending) - start - len(batch)
        if hook:
            hook("sent", number)
        now = (clock or (lambda: datetime.now(UTC).replace(tzinfo=None)))()
        _commit_batch(con, sync_id, destination.name, audience.name, batch, outcomes, number, now)
        result.batches += 1
        if hook:
            hook("committed", number)
        for o in outcomes.values():
            result.delivered += o.status == SUCCESS
            result.rejected += o.status == "rejected"
            result.failed += o.status == FAILED
        if result.error:
            break
    return result


def _record_run(con: duckdb.DuckDBPyConnection, sync_id: str, result: SyncResult) -> None:
    """One row of activation.sync_runs: success when nothing failed (rejected rows are the destination's verdict
    on the data, logged and retried; they do not make the destination stale)."""
    status = "failed" if result.error or result.failed else "success"
    con.execute("insert or replace into activation.sync_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        sync_id, result.destination, result.audience, status, result.adds + result.updates + result.removes,
        result.delivered, result.failed, result.rejected, datetime.now(UTC).replace(tzinfo=None)])


def activate(warehouse: Path, outbox_dir: Path, env: dict[str, str], dry_run: bool = False,
             config: ActivationConfig | None = None, only: Iterable[str] | None = None,
             sleep: Sleep = time.sleep, hook: Hook | None = None, check_quality: bool = True,
             log: Callable[[str], None] | None = None) -> ActivationRun:
    """Syncs every (destination, audience) pair of the configuration, or only the destinations named in `only`."""
    log = log or (lambda text: print(text, file=sys.stderr))
    run = ActivationRun(sync_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8],
                        dry_run=dry_run)
    if config is None:
        from cdp.activation.compiler import MODEL_PATH, is_model_current

        try:
            config = load_config()
            current = is_model_current()
        except ConfigError as exc:
            run.refused = str(exc)
            return run
        if not current:
            run.refused = (f"{MODEL_PATH.name} is not in step with audiences/*.yml: run "
                           "`python -m cdp.activation compile`, then `cdp run`")
            return run
    wanted = set(only) if only is not None else set(config.destinations)
    if unknown := sorted(wanted - set(config.destinations)):
        run.refused = f"unknown destination(s) {', '.join(unknown)} (known: {', '.join(sorted(config.destinations))})"
        return run
    with duckdb.connect(str(warehouse), read_only=dry_run) as con:
        if not _exists(con, "main", "audience_membership") or not _exists(con, "main", "customer_360"):
            run.refused = "audience_membership or customer_360 is not built (run `cdp run`)"
            return run
        if check_quality and (why := quality_gate(con)):
            run.refused = why
            return run
        if not dry_run:
            _ensure_state(con)
        for name in sorted(wanted):
            destination = config.destinations[name]
            pairs = [(a, m) for a in config.audiences.values() for m in a.destinations if m.destination == name]
            sender: Sender | None = None
            skipped = down = None
            if not dry_run:
                try:
                    sender = make_sender(destination, outbox_dir, env, run.sync_id, sleep)
                except NotConfigured as exc:
                    skipped = str(exc)
                    log(f"activation: destination {name} skipped: {exc}")
                except Unavailable as exc:
                    down = f"{name} unavailable: {exc}; everything is retried next run"
                    log(f"activation: destination {name} is down: {exc}")
            try:
                for audience, mapping in sorted(pairs, key=lambda p: p[0].name):
                    if skipped or down:
                        result = SyncResult(name, audience.name, skipped=skipped, error=down)
                    else:
                        result = sync_one(con, run.sync_id, audience, destination, mapping, sender, dry_run, hook)
                    run.results.append(result)
                    if not dry_run and not skipped:
                        _record_run(con, run.sync_id, result)
                    if result.error and "unavailable" in result.error:
                        down = f"not attempted: {result.error}"
            finally:
                if sender is not None:
                    sender.close()
    return run
