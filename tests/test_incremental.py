"""An incremental build gives the same warehouse as a full rebuild of the same data.

Batch 1 is the session's demo warehouse (600 people, built from scratch). Batch 2 is landed on a copy of it by
bench/run.py's `land_increment` (new events with old timestamps, re-deliveries, new versions of entities, new
entities, a malformed line a file), then `dbt run` (incremental). A second copy of that warehouse, same landing
tables, is rebuilt with `dbt run --full-refresh`. Every table dbt built, in every schema (found in
information_schema, so models added later are covered), must hold the same rows, except the columns listed in
RUN_SPECIFIC, with customer ids read through the one-to-one map between the two builds. Rows deleted from
landing (erasure) are tested apart.
"""

from __future__ import annotations

import importlib.util
import math
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, cdp, run_dbt

# Every schema dbt builds into; `landing` (the same copy in both) and the run-by-run logs are left out.
IGNORED_SCHEMAS = ("landing", "information_schema", "pg_catalog")

# Columns whose value is legitimately specific to the run that wrote the row: the dbt invocation and the
# time it ran, what the previous run had assigned (a full rebuild has no previous run), and, for a stable
# id kept from an earlier run, the key its component had then.
RUN_SPECIFIC = {
    "assigned_in_invocation_id",
    "assigned_at",
    "customer_first_assigned_at",
    "previous_customer_id",
    "identity.int_identifiers_assigned.component_key",
    # surrogate keys hashed from a customer_id (the customer_id column itself is compared)
    "main.consent_current.consent_current_id",
    "main.audience_membership.audience_membership_id",
    "main.fct_consent_history.consent_history_id",
    "traits.int_golden_attributes_ranked.attribute_candidate_id",
    # quintiles whose ties are broken by customer_id, so by the ids' spelling
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
}

# Floating-point results (model scores and metrics) are compared to 1e-6 (absolute or relative): a model
# trained on the same rows read in another order differs in the last digits.
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")

# Stable customer ids (identity's int_identifiers_assigned): an incremental run keeps the id a customer had
# (the oldest survives a merge) where a full rebuild names each customer afresh, so ids are compared through
# the one-to-one map between the two builds (same identifier, same customer), wherever they appear in text.
CUSTOMER_ID = re.compile(r"cus_[0-9a-f]{16}")


def _bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def customer_id_map(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{customer_id in a: customer_id in b}, one to one (asserted), from the identifiers both assign."""
    try:
        pairs = con.execute("""
            select distinct a_ids.customer_id, b_ids.customer_id
            from a.identity.int_identifiers_assigned as a_ids
            inner join b.identity.int_identifiers_assigned as b_ids using (identifier_key)""").fetchall()
    except duckdb.CatalogException:
        return {}
    mapping = dict(pairs)
    assert len(mapping) == len(pairs) == len(set(mapping.values())), "the two builds cluster identifiers differently"
    return mapping


def _split(rows: list[tuple], floats: list[bool], mapping: dict[str, str]) -> list[tuple[tuple, tuple]]:
    """Each row as (its other values, customer ids mapped; its floating-point values), sorted."""
    def fix(value: object) -> object:
        return CUSTOMER_ID.sub(lambda m: mapping.get(m.group(0), m.group(0)), value) if isinstance(value, str) \
            else value
    def order(row: tuple[tuple, tuple]) -> tuple:
        return tuple((v is None, "" if v is None else v) for v in row[0]) + tuple(
            (v is None, 0.0 if v is None else v) for v in row[1])

    return sorted(
        ((tuple(fix(v) for v, f in zip(row, floats, strict=True) if not f),
          tuple(v for v, f in zip(row, floats, strict=True) if f))
         for row in rows),
        key=order,
    )


def _close(x: tuple, y: tuple) -> bool:
    return all(a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6))
               for a, b in zip(x, y, strict=True))


def table_differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """{schema.table: (rows only in a, rows only in b)} over every base table built in a (a table missing
    from b counts as every row differing): first an exact EXCEPT ALL both ways; where that finds differences,
    rows are compared again with the customer ids of a read through `customer_id_map` and floating-point
    values to 1e-6."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    ignored = ", ".join(f"'{s}'" for s in IGNORED_SCHEMAS)
    tables = con.execute(f"""
        select table_schema, table_name from information_schema.tables
        where table_catalog = 'a' and table_schema not in ({ignored}) and table_type = 'BASE TABLE'
        order by all""").fetchall()
    assert tables, f"no tables in {a}"
    mapping = customer_id_map(con)
    differences = {}
    for schema, table in tables:
        columns = [(c, t) for c, t in con.execute("""
            select column_name, data_type from information_schema.columns
            where table_catalog = 'a' and table_schema = ? and table_name = ? order by ordinal_position""",
                                                  [schema, table]).fetchall()
                   if c not in RUN_SPECIFIC and f"{schema}.{table}.{c}" not in RUN_SPECIFIC]
        floats = [t in FLOAT_TYPES for _, t in columns]
        listed = ", ".join(f'"{c}"' if f else f'cast("{c}" as varchar)' for (c, _), f in zip(columns, floats,
                                                                                              strict=True))
        relation = f'"{schema}"."{table}"'
        try:
            only_a, only_b = (con.execute(f"""
                select count(*) from (
                    select {listed} from {x}.{relation} except all select {listed} from {y}.{relation}
                )""").fetchall()[0][0] for x, y in (("a", "b"), ("b", "a")))
        except duckdb.CatalogException:
            only_a, only_b = con.execute(f"select count(*) from a.{relation}").fetchall()[0][0], 0
        if (only_a or only_b) and only_a == only_b:
            rows_a = _split(con.execute(f"select {listed} from a.{relation}").fetchall(), floats, mapping)
            rows_b = _split(con.execute(f"select {listed} from b.{relation}").fetchall(), floats, {})
            only_a = only_b = sum(1 for x, y in zip(rows_a, rows_b, strict=True)
                                  if x[0] != y[0] or not _close(x[1], y[1]))
        if only_a or only_b:
            differences[f"{schema}.{table}"] = (only_a, only_b)
    con.close()
    return differences


def make_builds(demo_warehouse: Path, tmp: Path) -> dict:
    """Batch 2 and an erasure on a copy of `demo_warehouse`, built incrementally; a copy rebuilt in full."""
    incremental, full = tmp / "incremental" / "cdp.duckdb", tmp / "full" / "cdp.duckdb"
    incremental.parent.mkdir(parents=True)
    full.parent.mkdir(parents=True)
    shutil.copy(demo_warehouse, incremental)
    landing = tmp / "landing"
    written = _bench_run().land_increment(incremental, landing, share=0.05, tag="batch2")
    result = cdp(["ingest"], {"CDP_LANDING_DIR": str(landing), "CDP_WAREHOUSE": str(incremental)})
    assert result.returncode == 0, result.stderr
    # a copy as it stands before the incremental run, for the tests that look at which rows a run rewrites
    before_run = tmp / "before_run" / "cdp.duckdb"
    before_run.parent.mkdir(parents=True)
    shutil.copy(incremental, before_run)
    with duckdb.connect(str(incremental), read_only=True) as con:
        staged_before = {
            name: con.execute(f"select count(*) from staging.{name}").fetchall()[0][0]
            for name in ("base_web_events__rows", "base_crm_contacts__rows")
        }
    run_dbt(["run"], incremental, landing, tmp / "target_incremental")
    shutil.copy(incremental, full)
    run_dbt(["run", "--full-refresh"], full, landing, tmp / "target_full")
    return {"incremental": incremental, "full": full, "written": written, "staged_before": staged_before,
            "landing": landing, "tmp": tmp, "before_run": before_run}


@pytest.fixture(scope="module")
def builds(demo: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return make_builds(Path(demo["env"]["CDP_WAREHOUSE"]), tmp_path_factory.mktemp("incremental"))


def test_incremental_build_equals_full_rebuild(builds: dict) -> None:
    assert table_differences(builds["incremental"], builds["full"]) == {}


def test_the_increment_exercises_duplicates_versions_and_late_rows(builds: dict) -> None:
    """The equality above means something: batch 2 was staged (every new row, once), its re-deliveries were caught against rows staged by the earlier run, entities got new current versions, and
    events with old timestamps were staged."""
    assert builds["written"]["web_events"] > 20
    with duckdb.connect(str(builds["incremental"]), read_only=True) as con:
        def one(sql: str) -> int:
            return con.execute(sql).fetchall()[0][0]

        new_web = one("select count(*) from staging.base_web_events__rows where _file like '%batch2%'")
        assert new_web == builds["written"]["web_events"]
        assert one("select count(*) from staging.base_web_events__rows") == (
            builds["staged_before"]["base_web_events__rows"] + new_web)
        assert one("""
            select count(*) from staging.base_web_events__rows
            where _file like '%batch2%' and _quarantine_reason like 'duplicate delivery of message_id first landed in %'
                and _quarantine_reason not like '%batch2%'""") > 0
        assert one("""
            select count(*) from staging.base_web_events__rows
            where _file like '%batch2%' and _quarantine_reason is null
                and "timestamp" < (select max(_ingested_at) from landing.web_events where _file not like '%batch2%')
            """) > 0
        # a contact version of batch 1 that was current is superseded by its batch-2 version
        assert one("""
            select count(*) from staging.base_crm_contacts__rows as old
            inner join staging.base_crm_contacts__rows as new
                on old.contact_id = new.contact_id and old.source_system is not distinct from new.source_system
            where old._file not like '%batch2%' and new._file like '%batch2%'
                and old._quarantine_reason is null and not old._is_current and new._is_current""") > 0
        assert one("""
            select count(*) from staging.base_crm_contacts__rows
            where _file like '%batch2%' and _quarantine_reason like 'malformed JSON%'""") == 1


def test_a_recent_increment_happens_after_the_reference_time_and_a_late_one_before(demo: dict, tmp_path: Path) -> None:
    """bench/run.py's two kinds of increment: `recent` (the daily case) puts every new event and new order in the
    day after the warehouse's reference time; `late` keeps their old timestamps; re-deliveries and new versions of
    an order keep theirs."""
    warehouse = Path(demo["env"]["CDP_WAREHOUSE"])
    bench = _bench_run()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (as_of,) = con.execute("select as_of_at from traits.int_traits_as_of").fetchone()
    counts = {}
    for kind in ("recent", "late"):
        bench.land_increment(warehouse, tmp_path / kind, share=0.2, tag=kind, kind=kind)
        for source, key, time in (("web_events", "message_id", "timestamp"), ("orders", "order_id", "ordered_at")):
            path = tmp_path / kind / source / f"{source}_{kind}.jsonl"
            with duckdb.connect() as con:
                con.execute("set TimeZone = 'UTC'")
                counts[kind, source] = con.execute(f"""
                    with rows as (
                        select {key} like '%-{kind}' as is_new,
                            cast(cast({time} as timestamptz) as timestamp) between timestamp '{as_of}'
                                and timestamp '{as_of}' + interval 1 day as is_recent
                        from read_json('{path}', format = 'newline_delimited', ignore_errors = true,
                            columns = {{'{key}': 'varchar', '{time}': 'varchar'}})
                        where {key} is not null
                    )
                    select count(*) filter (where is_new), count(*) filter (where is_new and is_recent),
                        count(*) filter (where not is_new), count(*) filter (where not is_new and is_recent)
                    from rows""").fetchone()
    for source in ("web_events", "orders"):
        new, new_recent, kept, kept_recent = counts["recent", source]
        assert new > 5 and kept > 0 and new_recent == new and kept_recent == 0, (source, counts["recent", source])
        new, new_recent, kept, kept_recent = counts["late", source]
        assert new > 5 and new_recent == 0 and kept_recent == 0, (source, counts["late", source])


def test_the_comparison_catches_a_difference(builds: dict, tmp_path: Path) -> None:
    """The check fails on the bad case: one flag flipped in a copy of the full rebuild is found."""
    changed = tmp_path / "cdp.duckdb"
    shutil.copy(builds["full"], changed)
    with duckdb.connect(str(changed)) as con:
        con.execute("""
            update staging.base_crm_contacts__rows set _is_current = not _is_current
            where _row_id = (select min(_row_id) from staging.base_crm_contacts__rows)""")
    assert table_differences(builds["incremental"], changed) == {"staging.base_crm_contacts__rows": (1, 1)}


def test_rows_deleted_from_landing_leave_the_incremental_staging(builds: dict, tmp_path: Path) -> None:
    """Erasure deletes landed rows (cdp/privacy.py): the next incremental run must not keep their staged copies
    (the base model's pre-hook empties and restages it), and must equal a full rebuild."""
    warehouse = tmp_path / "incremental" / "cdp.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(builds["incremental"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        erased = set(con.execute("""
            delete from landing.support_tickets where hash(_file, _line) % 10 = 0
            returning _file, _line""").fetchall())
    assert erased
    models = ["--select", "base_support_tickets__rows", "base_web_events__rows"]
    run_dbt(["run", *models], warehouse, builds["landing"], tmp_path / "target")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        staged = set(con.execute("select _file, _line from staging.base_support_tickets__rows").fetchall())
        landed = set(con.execute("select _file, _line from landing.support_tickets").fetchall())
    assert staged == landed and not staged & erased
    full = tmp_path / "full" / "cdp.duckdb"
    full.parent.mkdir()
    shutil.copy(warehouse, full)
    run_dbt(["run", "--full-refresh", *models], full, builds["landing"], tmp_path / "target_full")
    assert table_differences(warehouse, full) == {}


# identity's models and what they read (staging of the identity sources, seeds excepted)
IDENTITY = ["--select", "+path:models/marts/identity"]
# the append-only history of customer ids: an incremental run records the changes it makes, a full rebuild
# starts the history afresh, so these never equal a rebuild's
ID_HISTORY = ("main.fct_customer_id_changes", "main.fct_customer_merges", "main.fct_customer_splits")


def test_identity_after_an_erasure_equals_a_full_rebuild(builds: dict, tmp_path: Path) -> None:
    """Erasure deletes landed rows: the incremental identity models (extraction, edges, resolved rows) notice
    that staged rows they processed are gone, rebuild, and give what a full rebuild gives."""
    warehouse = tmp_path / "incremental" / "cdp.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(builds["incremental"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        erased = [con.execute(f"delete from landing.{source} where hash(_file, _line) % 10 = 0").fetchone()[0]
                  for source in ("web_events", "crm_contacts", "orders")]
    assert all(erased)
    run_dbt(["run", *IDENTITY], warehouse, builds["landing"], tmp_path / "target")
    with duckdb.connect(str(warehouse)) as con:
        # the stable ids remember identifiers that vanished (so that no id is ever reissued); erasure purges the
        # erased ones (cdp/privacy.py purge_persisted), this test deletes landed rows directly: forget them here
        con.execute("""
            delete from identity.int_identifiers_assigned
            where identifier_key not in (select identifier_key from identity.int_identifiers_clustered)""")
    full = tmp_path / "full" / "cdp.duckdb"
    full.parent.mkdir()
    shutil.copy(warehouse, full)
    run_dbt(["run", "--full-refresh", *IDENTITY], full, builds["landing"], tmp_path / "target_full")
    differences = table_differences(warehouse, full)
    assert {t: d for t, d in differences.items() if t not in ID_HISTORY} == {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (left,) = con.execute("""
            select count(*) from identity.int_source_records_resolved
            where source in ('web_events', 'crm_contacts', 'orders')""").fetchone()
        (landed,) = con.execute("""
            select count(*) from (
                select 1 from staging.stg_web_events__events union all
                select 1 from staging.stg_crm_contacts__contacts union all
                select 1 from staging.stg_orders__orders
            )""").fetchone()
    assert left == landed


def test_an_increment_rewrites_only_the_identifiers_of_the_records_it_touches(builds: dict, tmp_path: Path) -> None:
    """The incremental extraction reads the new staged rows only and rewrites only the rows of the records
    they belong to: every other row is left as it was (marked before the run, still marked after it)."""
    warehouse = tmp_path / "cdp.duckdb"
    shutil.copy(builds["before_run"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (total,) = con.execute("select count(*) from identity.int_identifiers_extracted").fetchone()
        con.execute("update identity.int_identifiers_extracted set identifier_priority = -1")
    run_dbt(["run", "--select", "+int_identifiers_extracted"], warehouse, builds["landing"], tmp_path / "target")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rewritten = set(con.execute("""
            select source, record_key from identity.int_identifiers_extracted
            where identifier_priority <> -1""").fetchall())
        untouched = con.execute("""
            select count(*) from identity.int_identifiers_extracted where identifier_priority = -1""").fetchone()[0]
        touched = set(con.execute("""
            select 'web_events', message_id from staging.stg_web_events__events where _file like '%batch2%'
            union all
            select 'crm_contacts', crm_contact_key from staging.stg_crm_contacts__contacts
            where _file like '%batch2%'
            union all
            select 'orders', order_id from staging.stg_orders__orders where _file like '%batch2%'
            union all
            select 'mobile_events', message_id from staging.stg_mobile_events__events where _file like '%batch2%'
            union all
            select 'email_events', email_event_id from staging.stg_email_events__events where _file like '%batch2%'
            """).fetchall())
    assert touched & rewritten, "the increment touched no record"
    # the records of batch 2 of these sources are rewritten, the others (batch 1 only) are not
    assert {r for r in rewritten if r[0] in {s for s, _ in touched}} <= touched
    assert untouched > 0.8 * total
