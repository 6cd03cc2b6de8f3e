"""Data-subject requests: erasure, access and do-not-sell, carried out after each build (`cdp run`).

- erasure: every identifier of the person (as resolved by identity) is kept only as a salted SHA-256 hash in
  `privacy.erased_identifiers`; every landed row holding one of them is deleted from the `landing` tables (so
  every table built from them loses it at the rebuild that follows), with quarantined rows found by their
  text; the person's access exports are deleted from the outbox. Rows landed again later for an erased
  identifier are deleted the same way on every run, before anything is published: erased data is never
  resurrected.
- access: a JSON file with everything held about the person (layout in docs/privacy.md) written to
  `CDP_OUTBOX_DIR/privacy/access_<request_id>.json`.
- do_not_sell: the dbt model `suppressions` removes the person from advertising and data-sale destinations;
  the step is logged here.

Every step goes to `privacy.request_log` (the `privacy_request_log` mart) with counts, never personal data.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from cdp.identifiers import mailbox

REQUEST_LOG_DDL = """
create table if not exists privacy.request_log (
    request_id varchar,
    request_type varchar,
    regime varchar,
    received_at timestamp,
    due_at timestamp,
    step varchar,
    destination varchar,
    status varchar,
    detail varchar,
    logged_at timestamp
)"""
ERASED_DDL = """
create table if not exists privacy.erased_identifiers (
    identifier_type varchar,
    identifier_hash varchar,
    request_id varchar,
    erased_at timestamp
)"""
EMAIL_TYPES = ("email",)
PHONE_TYPES = ("phone",)


@dataclass
class PrivacyRun:
    processed: list[str] = field(default_factory=list)
    rows_deleted: int = 0
    access_files: list[Path] = field(default_factory=list)

    @property
    def needs_rebuild(self) -> bool:
        return self.rows_deleted > 0


def regime(request_type: str) -> str:
    return "CCPA" if request_type == "do_not_sell" else "GDPR"


def due_at(request_type: str, received_at: datetime) -> datetime:
    """GDPR: one calendar month (clamped to the month's last day); CCPA: 45 days. As macro privacy_due_at."""
    if request_type == "do_not_sell":
        return received_at + timedelta(days=45)
    year, month = (received_at.year + 1, 1) if received_at.month == 12 else (received_at.year, received_at.month + 1)
    for day in (received_at.day, 30, 29, 28):
        try:
            return received_at.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def salt_for(warehouse: Path) -> str:
    """CDP_PRIVACY_SALT, or a random salt kept beside the warehouse (never inside it)."""
    if os.environ.get("CDP_PRIVACY_SALT"):
        return os.environ["CDP_PRIVACY_SALT"]
    path = warehouse.with_name(f".{warehouse.stem}.privacy_salt")
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def identifier_hash(salt: str, identifier_type: str, value: str) -> str:
    return hashlib.sha256(f"{salt}|{identifier_type}|{value}".encode()).hexdigest()


def ensure_privacy_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists privacy")
    con.execute(REQUEST_LOG_DDL)
    con.execute(ERASED_DDL)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _log(con: duckdb.DuckDBPyConnection, request: dict, step: str, status: str, detail: str,
         destination: str | None = None) -> None:
    con.execute(
        "insert into privacy.request_log values ($id, $type, $regime, $received, $due, $step, $dest, $status, "
        "$detail, $at)",
        {"id": request["privacy_request_id"], "type": request["request_type"],
         "regime": regime(request["request_type"]), "received": request["received_at"],
         "due": due_at(request["request_type"], request["received_at"]), "step": step, "dest": destination,
         "status": status, "detail": detail, "at": _now()},
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = $s and table_name = $n",
        {"s": schema, "n": name},
    ).fetchone()[0])


def pending_requests(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _rows(con, """
        select privacy_request_id, request_type, subject_type, normalized_subject_id, received_at
        from staging.stg_privacy_requests__requests as r
        where not exists (
            select 1 from privacy.request_log as l
            where l.request_id = r.privacy_request_id and l.step = 'completed'
        )
        order by received_at, privacy_request_id""")


def resolve_identifiers(con: duckdb.DuckDBPyConnection, request: dict) -> tuple[str | None, list[tuple[str, str]]]:
    """(customer_id, [(identifier_type, value)]) of the request's subject, in identity's form."""
    subject_type = "crm_contact_id" if request["subject_type"] == "contact_id" else request["subject_type"]
    value = request["normalized_subject_id"]
    if value is None:
        return None, []
    if subject_type == "email":
        value = mailbox(value) or value  # staging normalized it; identity keeps the mailbox without its +tag
    match = con.execute(
        """
        select min(customer_id) from main.customer_identifiers
        where identifier_type = $t
            and (identifier_value = $v or ($t = 'crm_contact_id' and identifier_value like '%:' || $v))
        """,
        {"t": subject_type, "v": value},
    ).fetchone()[0]
    if match is None:
        return None, [(subject_type, value)]
    identifiers = con.execute(
        "select identifier_type, identifier_value from main.customer_identifiers where customer_id = $c",
        {"c": match},
    ).fetchall()
    return match, [(t, v) for t, v in identifiers]


def _text_needles(identifiers: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Lower-case emails, and the national digits of phones, to find an erased person in unparsed text."""
    emails = [v.lower() for t, v in identifiers if t in EMAIL_TYPES]
    phones = [v.lstrip("+")[-10:] for t, v in identifiers if t in PHONE_TYPES and len(v) >= 8]
    return emails, phones


def _values(pairs: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """A VALUES list of (identifier_type, identifier_value) pairs, as SQL and parameters."""
    return ", ".join(["(?, ?)"] * len(pairs)), [x for pair in pairs for x in pair]


def locate_rows(con: duckdb.DuckDBPyConnection, identifiers: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(source, file, line) of every landed row holding one of the identifiers, parsed or quarantined."""
    if not identifiers:
        return []
    values, params = _values(identifiers)
    located = con.execute(f"""
        select distinct r.source_name, r._file, r._line
        from main.int_landed_rows_identified as r
        inner join (values {values}) as e(identifier_type, identifier_value)
            on r.identifier_type = e.identifier_type and r.identifier_value = e.identifier_value""",
                          params).fetchall()
    emails, phones = _text_needles(identifiers)
    needles = [*emails, *phones]
    if needles:
        conditions = [f"contains(lower(raw_record), ${i + 1})" for i in range(len(emails))] + [
            f"contains(regexp_replace(raw_record, '[^0-9]', '', 'g'), ${len(emails) + i + 1})"
            for i in range(len(phones))
        ]
        located += con.execute(f"""
            select distinct source_name, file_path, line_number
            from main.fct_quarantined_rows
            where {" or ".join(conditions)}""", needles).fetchall()
    return sorted(set(located))


def delete_rows(con: duckdb.DuckDBPyConnection, located: list[tuple[str, str, int]]) -> dict[str, int]:
    """Deletes the located landed rows; returns counts per source."""
    counts: dict[str, int] = {}
    for source in sorted({s for s, _, _ in located}):
        keys = [(f, line) for s, f, line in located if s == source]
        values = ", ".join(["(?, ?)"] * len(keys))
        (deleted,) = con.execute(
            f"delete from landing.{source} where (_file, _line) in (select * from (values {values}))",
            [x for key in keys for x in key],
        ).fetchone()
        if deleted:
            counts[source] = deleted
    return counts


def purge_persisted(con: duckdb.DuckDBPyConnection, identifiers: list[tuple[str, str]]) -> dict[str, int]:
    """Deletes the identifiers from every table that keeps them from run to run (incremental models such as
    identity's stable-id assignment): any table outside `landing` with identifier_type and identifier_value
    columns. Tables rebuilt from landing lose them at the rebuild anyway."""
    if not identifiers:
        return {}
    tables = con.execute("""
        select table_schema, table_name
        from information_schema.columns as c
        where column_name in ('identifier_type', 'identifier_value')
            and table_schema not in ('landing', 'privacy')
            and exists (
                select 1 from information_schema.tables as t
                where t.table_schema = c.table_schema and t.table_name = c.table_name
                    and t.table_type = 'BASE TABLE'
            )
        group by all
        having count(*) = 2""").fetchall()
    values, params = _values(identifiers)
    counts = {}
    for schema, table in tables:
        (deleted,) = con.execute(f"""
            delete from "{schema}"."{table}"
            where (identifier_type, identifier_value) in (select * from (values {values}))""", params).fetchone()
        if deleted:
            counts[f"{schema}.{table}"] = deleted
    return counts


def drop_relanded(con: duckdb.DuckDBPyConnection, salt: str) -> dict[str, int]:
    """Deletes rows landed again for identifiers erased before (matched by their salted hash)."""
    if not con.execute("select count(*) from privacy.erased_identifiers").fetchone()[0]:
        return {}
    candidates = con.execute("""
        select distinct identifier_type, identifier_value from main.int_landed_rows_identified""").fetchall()
    erased = {(t, h) for t, h in con.execute(
        "select identifier_type, identifier_hash from privacy.erased_identifiers").fetchall()}
    matches = [(t, v) for t, v in candidates if (t, identifier_hash(salt, t, v)) in erased]
    located = locate_rows(con, matches)
    # the other identifiers of the rows landed again (a new account id beside an erased email) belong to the
    # erased person too: they are erased the same way and remembered, hashed
    companions = sorted({*matches, *identifiers_of_rows(con, located)})
    known = {(t, h) for t, h in erased}
    new_hashes = [(t, identifier_hash(salt, t, v)) for t, v in companions]
    remembered = [(t, h, _now()) for t, h in new_hashes if (t, h) not in known]
    if remembered:
        con.executemany("insert into privacy.erased_identifiers values (?, ?, 'relanded', ?)", remembered)
    counts = delete_rows(con, located)
    purged = purge_persisted(con, companions)
    return {**counts, **purged}


def identifiers_of_rows(con: duckdb.DuckDBPyConnection, located: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """Every identifier of the given landed rows."""
    if not located:
        return []
    values = ", ".join(["(?, ?, ?)"] * len(located))
    return con.execute(f"""
        select distinct r.identifier_type, r.identifier_value
        from main.int_landed_rows_identified as r
        inner join (values {values}) as l(source_name, file, line)
            on r.source_name = l.source_name and r._file = l.file and r._line = l.line""",
                       [x for row in located for x in row]).fetchall()


def _json_default(value: object) -> str | float:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def access_export(con: duckdb.DuckDBPyConnection, request: dict, customer_id: str | None,
                  identifiers: list[tuple[str, str]]) -> dict:
    """Everything held about the person: identifiers, every staged row that names them, consent, suppressions."""
    located = locate_rows(con, identifiers)
    records: dict[str, list[dict]] = {}
    for source in sorted({s for s, _, _ in located}):
        keys = [(f, line) for s, f, line in located if s == source]
        values = ", ".join(["(?, ?)"] * len(keys))
        rows = _rows(con, f"""
            select * exclude (_invalid_values, _quarantine_reason, _record, _raw)
            from staging.base_{source}__rows
            where (_file, _line) in (select * from (values {values}))
            order by _file, _line""", [x for key in keys for x in key])
        records[source] = rows
    consent, suppressions = [], []
    if customer_id:
        consent = _rows(con, "select * from main.consent_events where customer_id = $c order by captured_at",
                        {"c": customer_id})
        suppressions = _rows(con, "select * from main.suppressions where customer_id = $c", {"c": customer_id})
    return {
        "layout_version": 1,
        "request": {"request_id": request["privacy_request_id"], "received_at": request["received_at"],
                    "generated_at": _now()},
        "customer_id": customer_id,
        "identifiers": [{"identifier_type": t, "identifier_value": v} for t, v in identifiers],
        "records": records,
        "consent_events": consent,
        "suppressions": suppressions,
    }


def process_privacy_requests(warehouse: Path, outbox_dir: Path) -> PrivacyRun:
    """Carries out every pending request and drops re-landed rows of erased people; the caller rebuilds
    the warehouse (dbt build) when `needs_rebuild`."""
    run = PrivacyRun()
    salt = salt_for(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        ensure_privacy_tables(con)
        if not _relation_exists(con, "main", "int_landed_rows_identified"):
            return run
        for request in pending_requests(con):
            customer_id, identifiers = resolve_identifiers(con, request)
            _log(con, request, "resolved", "done" if customer_id else "skipped",
                 f"{len(identifiers)} identifiers of the subject" + ("" if customer_id else
                                                                     " (subject not resolved to a customer)"))
            kind = request["request_type"]
            if kind == "erasure":
                erased_at = _now()
                if identifiers:
                    con.executemany(
                        "insert into privacy.erased_identifiers values (?, ?, ?, ?)",
                        [(t, identifier_hash(salt, t, v), request["privacy_request_id"], erased_at)
                         for t, v in identifiers],
                    )
                _log(con, request, "identifiers_hashed", "done", f"{len(identifiers)} salted hashes kept")
                for source, count in delete_rows(con, locate_rows(con, identifiers)).items():
                    run.rows_deleted += count
                    _log(con, request, "landed_rows_deleted", "done", f"{count} rows", f"landing.{source}")
                for table, count in purge_persisted(con, identifiers).items():
                    run.rows_deleted += count
                    _log(con, request, "persisted_rows_deleted", "done", f"{count} rows", table)
                removed = 0
                if customer_id:
                    for path in (outbox_dir / "privacy").glob("access_*.json"):
                        if json.loads(path.read_text()).get("customer_id") == customer_id:
                            path.unlink()
                            removed += 1
                _log(con, request, "exports_deleted", "done", f"{removed} access exports", "outbox/privacy")
                _log(con, request, "warehouse_rebuilt", "done",
                     "every table is rebuilt from the purged landing tables in this run")
                _log(con, request, "destinations", "done",
                     "no activation destination holds data yet; later syncs read the purged warehouse")
            elif kind == "access":
                export = access_export(con, request, customer_id, identifiers)
                target = outbox_dir / "privacy" / f"access_{request['privacy_request_id']}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".json.tmp")
                tmp.write_text(json.dumps(export, default=_json_default, indent=2))
                os.replace(tmp, target)
                run.access_files.append(target)
                count = sum(len(v) for v in export["records"].values())
                _log(con, request, "access_file_written", "done", f"{count} records", f"outbox/{target.name}")
            elif kind == "do_not_sell":
                _log(con, request, "suppressed", "done",
                     "suppressions holds the person for advertising and data_sale destinations")
            _log(con, request, "completed", "done", "")
            run.processed.append(request["privacy_request_id"])
        relanded = drop_relanded(con, salt)
        run.rows_deleted += sum(relanded.values())
    return run
