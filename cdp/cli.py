"""The `cdp` command: generate, ingest, run, demo (CONTRACT.md section 2)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from cdp.config import PROJECT_ROOT, Settings
from cdp.identifiers import mailbox, normalize_phone
from cdp.privacy import process_privacy_requests
from cdp.publish import publish, published_path
from cdp.writer_lock import writer_lock


def run_dbt(args: list[str], settings: Settings) -> bool:
    """Runs dbt as an analytics engineer would (its own process, in the project root), with the CDP_*
    variables of `settings`; the process exit releases the warehouse file before anything else opens it."""
    dbt = Path(sys.executable).with_name("dbt")
    root = str(PROJECT_ROOT)
    env = {**os.environ, **settings.as_env()}
    result = subprocess.run([str(dbt), *args, "--project-dir", root, "--profiles-dir", root],
                            check=False, cwd=root, env=env)
    return result.returncode == 0


def _has_landed_files(landing_dir: Path) -> bool:
    return landing_dir.is_dir() and any(p.is_file() for p in landing_dir.rglob("*"))


def print_reconciliation(settings: Settings) -> None:
    """Rows landed, staged and quarantined per source, read from the warehouse just built."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select source_name, files_landed, rows_landed, rows_staged, rows_quarantined, is_balanced
            from main.fct_landing_reconciliation
            order by source_name
            """
        ).fetchall()
    print(f"\n{'source':<18} {'files':>5} {'landed':>10} {'staged':>10} {'quarantined':>11}  balanced")
    for source, files, landed, staged, quarantined, balanced in rows:
        state = "yes" if balanced else "NO"
        if not landed:
            state = "absent (no data yet)"
        print(f"{source:<18} {files:>5} {landed:>10,} {staged:>10,} {quarantined:>11,}  {state}")
    print_quarantine_summary(settings)


def print_quarantine_summary(settings: Settings, examples: int = 3) -> None:
    """What was quarantined, by kind, with a few file:line examples (reasons never quote personal data)."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select
                quarantine_category,
                count(*) as n,
                list(file_path || ' line ' || line_number || ': ' || quarantine_reason
                    order by file_path, line_number)[1:$examples] as examples
            from main.fct_quarantined_rows
            group by quarantine_category
            order by n desc
            """,
            {"examples": examples},
        ).fetchall()
    if not rows:
        return
    print("\nquarantined rows (all of them: cdp sql \"select * from fct_quarantined_rows\"):")
    for category, n, samples in rows:
        print(f"  {category:<20} {n:>8,}")
        for sample in samples:
            print(f"      {sample}")


def cmd_generate(ns: argparse.Namespace) -> int:
    from cdp.generate import generate

    out = Path(ns.out) if ns.out else Settings.from_env().landing_dir
    started = time.perf_counter()
    rows = generate(
        out,
        customers=ns.customers,
        seed=ns.seed,
        as_of=date.fromisoformat(ns.as_of) if ns.as_of else None,
        events_per_customer=ns.events_per_customer,
        progress=not ns.quiet,
    )
    seconds = time.perf_counter() - started
    print(f"wrote {sum(rows.values()):,} rows for {ns.customers:,} people to {out} in {seconds:.1f}s")
    print(f"ground truth (never read by the platform): {out.parent / 'truth'}")
    return 0


def cmd_ingest(ns: argparse.Namespace) -> int:
    from cdp.landing import ingest

    settings = Settings.from_env()
    print(f"landing {settings.landing_dir} -> {settings.warehouse}", file=sys.stderr)
    with writer_lock(settings.warehouse, "cdp ingest (terminal)"):
        ingest(settings.landing_dir, settings.warehouse)
    return 0


def run_quality_checks(settings: Settings) -> bool:
    """The five-V suites (expectations/): results to quality.check_results, Data Docs beside the warehouse.
    False when a blocking check failed: nothing may be published or activated after it. CDP_QUALITY_SUITES_DIR
    points at another directory of suite files (a deployment's own thresholds)."""
    from expectations.run import configured_suites_dir, default_data_docs_dir, run_suites

    suites_dir = configured_suites_dir()
    print(f"== check: the five Vs ({suites_dir})", file=sys.stderr)
    result = run_suites(settings.warehouse, default_data_docs_dir(settings.warehouse), suites_dir=suites_dir)
    print(result.summary())
    if not result.success:
        print("A blocking quality check failed (listed above): nothing was published or activated. Fix the data, "
              "or tune the threshold in expectations/suites/ (docs/quality.md).", file=sys.stderr)
    return result.success


def run_pipeline(settings: Settings) -> int:
    """One full pass: copy new landing files, dbt build, carry out data-subject requests (rebuilding when
    anything was erased), the five-V checks, publish. Non-zero, and nothing published, when any step fails."""
    from cdp.landing import ingest

    print(f"== collect: {settings.landing_dir} -> {settings.warehouse}", file=sys.stderr)
    ingest(settings.landing_dir, settings.warehouse)
    print("== build: dbt build", file=sys.stderr)
    if not run_dbt(["build"], settings):
        print(
            "dbt build failed: the failing models and tests are listed above (details in logs/dbt.log); "
            "nothing downstream of them was built.",
            file=sys.stderr,
        )
        return 1
    print("== privacy: data-subject requests", file=sys.stderr)
    privacy = process_privacy_requests(settings.warehouse, settings.outbox_dir)
    print(
        f"   {len(privacy.processed)} requests carried out, {privacy.rows_deleted} landed rows erased, "
        f"{len(privacy.access_files)} access files written",
        file=sys.stderr,
    )
    if privacy.needs_rebuild:
        print("== build: dbt build (after erasure, so that no table keeps erased data)", file=sys.stderr)
        if not run_dbt(["build"], settings):
            print("dbt build after erasure failed: see above; nothing was published.", file=sys.stderr)
            return 1
    print_reconciliation(settings)
    if not run_quality_checks(settings):
        return 1
    run_activation(settings)
    published = publish(settings.warehouse)
    print(f"\n== published a read-only copy for BI tools: {published}", file=sys.stderr)
    return 0


def run_activation(settings: Settings, dry_run: bool = False, only: list[str] | None = None) -> bool:
    """Syncs every audience to its destinations (docs/activation.md), after the quality checks passed. False when
    activation was refused or a destination failed: nothing is lost (the snapshot advances only for delivered
    rows, the next run retries), so `cdp run` still publishes and exits 0, and the velocity check
    `activation_age` reports a destination that stays behind; `cdp activate` exits 1."""
    from cdp.activation.sync import activate

    print("== activate: audiences to destinations" + (" (dry run)" if dry_run else ""), file=sys.stderr)
    run = activate(settings.warehouse, settings.outbox_dir, {**os.environ, **settings.as_env()}, dry_run=dry_run,
                   only=only)
    print(run.summary())
    if dry_run:
        for result in run.results:
            for customer_id, operation in result.preview:
                print(f"  would {operation:<6} {customer_id} in {result.audience} at {result.destination}")
    return run.ok


def cmd_activate(ns: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if ns.dry_run:
        return 0 if run_activation(settings, dry_run=True, only=ns.destination or None) else 1
    with writer_lock(settings.warehouse, "cdp activate (terminal)"):
        return 0 if run_activation(settings, only=ns.destination or None) else 1


def run_locked(settings: Settings) -> int:
    """run_pipeline holding the warehouse's writer lock, so that a terminal run and a Dagster run take turns."""
    with writer_lock(settings.warehouse, "cdp run (terminal)",
                     on_wait=lambda holder: print(f"waiting for the warehouse: {holder} is writing it",
                                                  file=sys.stderr)):
        return run_pipeline(settings)


def cmd_run(ns: argparse.Namespace) -> int:
    return run_locked(Settings.from_env())


def cmd_demo(ns: argparse.Namespace) -> int:
    from cdp.generate import generate

    settings = Settings.from_env()
    if not _has_landed_files(settings.landing_dir):
        print(
            f"== demo: generating a landing zone for {ns.customers:,} people in {settings.landing_dir}",
            file=sys.stderr,
        )
        generate(settings.landing_dir, customers=ns.customers, seed=ns.seed, progress=True)
    code = run_locked(settings)
    if code:
        return code
    cdp = "cdp" if shutil.which("cdp") else os.path.relpath(Path(sys.argv[0]).resolve(), Path.cwd())
    print(
        f"""
The demo warehouse is built.
  warehouse (DuckDB, written by builds):  {settings.warehouse}
  read-only copy for BI tools:            {published_path(settings.warehouse)}
  landing zone:                           {settings.landing_dir}
  rows landed/staged/quarantined:         {cdp} sql "select * from fct_landing_reconciliation"
  quarantined rows with file and line:    {cdp} sql "select * from fct_quarantined_rows limit 20"
  staged data (schema staging):           {cdp} sql "from staging.stg_orders__orders limit 5"
  quality checks (Data Docs):             {settings.warehouse.parent / "quality" / "data_docs" / "index.html"}
  Dagster UI (lineage, runs, checks):     make dagster, then open http://127.0.0.1:3000
"""
    )
    return 0


def cmd_sql(ns: argparse.Namespace) -> int:
    """Runs one query on the published read-only copy (or the warehouse if never published)."""
    settings = Settings.from_env()
    path = published_path(settings.warehouse)
    path = path if path.exists() else settings.warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        relation = con.sql(ns.query)
        if relation is not None:
            relation.show(max_rows=ns.max_rows, max_width=200)
    return 0


def cmd_identity_quality(ns: argparse.Namespace) -> int:
    """Scores identity resolution against the generator's ground truth (pairwise precision, recall, F1)."""
    from cdp.identity.quality import main as quality_main

    settings = Settings.from_env()
    truth = ns.truth or settings.landing_dir.parent / "truth"
    return quality_main(["--warehouse", str(settings.warehouse), "--truth", str(truth)]
                        + (["--json"] if ns.json else [])
                        + ([f"--min-precision={ns.min_precision}"] if ns.min_precision is not None else [])
                        + ([f"--min-recall={ns.min_recall}"] if ns.min_recall is not None else []))


AUDIT_SQL = """
with subject as (
    select distinct customer_id from main.customer_identifiers
    where ($customer_id is not null and customer_id = $customer_id)
        or (identifier_type = 'email' and identifier_value = $email)
        or (identifier_type = 'phone' and identifier_value = $phone)
)
select
    h.customer_id, h.purpose, h.consent_context, h.scope_type, h.scope_id, h.consent_status,
    h.valid_from, h.valid_to, h.consent_event_id, h.source_system, h.legal_basis, h.proof_ref
from main.fct_consent_history as h
where h.purpose = $purpose
    and h.valid_from <= $at and (h.valid_to is null or h.valid_to > $at)
    and (
        h.customer_id in (select customer_id from subject)
        or (h.scope_type = 'address' and h.scope_id in ($email, $phone))
        or (h.scope_type = 'address' and h.scope_id in (
            select identifier_value from main.customer_identifiers
            where customer_id in (select customer_id from subject)))
    )
order by h.consent_context, h.scope_type, h.scope_id
"""


def cmd_consent_audit(ns: argparse.Namespace) -> int:
    """What consent did the person have for a purpose at a time, and on what evidence."""
    settings = Settings.from_env()
    path = published_path(settings.warehouse)
    path = path if path.exists() else settings.warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        # what was typed, in the form identity keeps (cdp/identifiers.py mirrors the SQL macros)
        params = {"customer_id": ns.customer_id, "email": mailbox(ns.email), "phone": normalize_phone(ns.phone),
                  "purpose": ns.purpose, "at": ns.at}
        if not con.execute(f"select count(*) from ({AUDIT_SQL})", params).fetchall()[0][0]:
            print(f"no consent in force for {ns.purpose} at {ns.at}: not granted (deny by default)")
            return 0
        con.sql(AUDIT_SQL, params=params).show(max_width=220)
    return 0


LOOKUP_SQL = """
select first_name, last_name, customer_id, open_orders_count, open_order_ids, last_order_id, last_order_status,
    last_order_at, last_order_total, open_tickets_count, open_ticket_ids, consent_summary
from main.customer_service_lookup
where lookup_type = $lookup_type and lookup_value = $lookup_value
"""


def cmd_lookup(ns: argparse.Namespace) -> int:
    """The call centre's lookup: name, open orders, last order, open tickets and consent by email or phone."""
    settings = Settings.from_env()
    path = published_path(settings.warehouse)
    path = path if path.exists() else settings.warehouse
    # in the form identity keeps (cdp/identifiers.py mirrors the SQL macros of staging and identity)
    lookup_type, value = ("email", mailbox(ns.email)) if ns.email else ("phone", normalize_phone(ns.phone))
    if value is None:
        print(f"the {lookup_type} given cannot be read as one (not echoed: it is personal data)", file=sys.stderr)
        return 2
    with duckdb.connect(str(path), read_only=True) as con:
        if not con.execute("select count(*) from duckdb_tables() where schema_name = 'main' "
                           "and table_name = 'customer_service_lookup'").fetchall()[0][0]:
            print(f"{path} has no customer_service_lookup yet: run `cdp run` first", file=sys.stderr)
            return 2
        found = con.execute(LOOKUP_SQL, {"lookup_type": lookup_type, "lookup_value": value}).fetchall()
        if not found:
            print(f"no customer with that {lookup_type}")
            return 1
        names = [d[0] for d in con.execute(LOOKUP_SQL, {"lookup_type": lookup_type, "lookup_value": value})
                 .description]
    for row in found:
        for name, field in zip(names, row, strict=True):
            shown = ", ".join(map(str, field)) if isinstance(field, list) else field
            print(f"{name:>20}: {'' if shown is None else shown}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdp", description="The open warehouse-native CDP.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a realistic landing zone and its ground truth")
    gen.add_argument("--out", help="landing dir to write (default: CDP_LANDING_DIR)")
    gen.add_argument("--customers", type=int, default=2000, help="number of people (default 2000)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--as-of", help="YYYY-MM-DD: the data ends at its 00:00 UTC (default: the current hour, UTC)")
    gen.add_argument("--events-per-customer", type=float, default=20.0)
    gen.add_argument("--quiet", action="store_true", help="no progress lines")
    gen.set_defaults(func=cmd_generate)

    ing = sub.add_parser("ingest", help="copy new landing files into the warehouse")
    ing.set_defaults(func=cmd_ingest)

    run = sub.add_parser("run", help="one full pass over the landing zone")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="generate a small landing zone if there is none, then run")
    demo.add_argument("--customers", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=cmd_demo)
    iq = sub.add_parser("identity-quality", help="score identity resolution against the generator's truth")
    iq.add_argument("--truth", type=Path, default=None, help="truth folder (default: CDP_LANDING_DIR/../truth)")
    iq.add_argument("--json", action="store_true")
    iq.add_argument("--min-precision", type=float, default=None, help="exit 1 below this (profile records)")
    iq.add_argument("--min-recall", type=float, default=None, help="exit 1 below this (profile records)")
    iq.set_defaults(func=cmd_identity_quality)

    audit = sub.add_parser("consent-audit", help="what consent a person had for a purpose at a time, and why")
    who = audit.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer-id")
    who.add_argument("--email")
    who.add_argument("--phone", help="as written anywhere, e.g. +14155550134 or (415) 555-0134")
    audit.add_argument("--purpose", required=True)
    audit.add_argument("--at", required=True, help="ISO-8601 time (UTC), e.g. 2026-03-15T12:00:00")
    audit.set_defaults(func=cmd_consent_audit)

    act = sub.add_parser("activate", help="sync audiences to their destinations (after `cdp run`)")
    act.add_argument("--dry-run", action="store_true", help="show what each sync would send, send nothing")
    act.add_argument("--destination", action="append", help="only this destination (repeatable)")
    act.set_defaults(func=cmd_activate)

    sql = sub.add_parser("sql", help="query the published read-only copy of the warehouse")
    sql.add_argument("query")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.set_defaults(func=cmd_sql)

    lookup = sub.add_parser("lookup", help="a person's name, open orders, tickets and consent, by email or phone")
    who = lookup.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone", help="E.164 (+15551234567) or a national number")
    lookup.set_defaults(func=cmd_lookup)
    return parser


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    return ns.func(ns)


if __name__ == "__main__":
    sys.exit(main())
