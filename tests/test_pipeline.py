"""End to end, as a user runs it: `cdp demo` generates a landing zone and builds it; the generator's ground
truth then says which rows had to be quarantined, and the warehouse must agree row for row."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cdp.landing import landing_sources
from tests.conftest import cdp

QUARANTINED_FAULTS = {
    "broken_json": "malformed_row",
    "wrong_column_count": "malformed_row",
    "missing_required": "missing_required",
    "invalid_required": "invalid_required",
    "duplicate_delivery": "duplicate_delivery",
    "unreadable_file": "unreadable_file",
    "unsupported_file": "unsupported_file",
}


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def warehouse(demo: dict) -> Path:
    return Path(demo["env"]["CDP_WAREHOUSE"])


def test_demo_builds_every_source_and_says_where_to_look(demo: dict) -> None:
    out = demo["result"].stdout
    assert "The demo warehouse is built." in out
    assert str(warehouse(demo)) in out
    got = query(warehouse(demo), "select source_name, has_data, is_balanced from fct_landing_reconciliation")
    assert sorted(got) == sorted((s, True, True) for s in landing_sources())


def test_every_injected_fault_is_quarantined_at_its_file_and_line_and_nothing_else_is(demo: dict) -> None:
    faults = demo["truth"] / "injected_faults.parquet"
    missed = query(warehouse(demo), f"""
        select f.source, f.file, f.line, f.fault
        from read_parquet('{faults}') as f
        left join fct_quarantined_rows as q on q.file_path = f.file and q.line_number = f.line
        where f.fault in ({", ".join(f"'{k}'" for k in QUARANTINED_FAULTS)})
            and (q.quarantine_category is null or q.quarantine_category <> case f.fault
                {" ".join(f"when '{k}' then '{v}'" for k, v in QUARANTINED_FAULTS.items())} end)""")
    assert missed == []
    wrongly = query(warehouse(demo), f"""
        select q.source_name, q.file_path, q.line_number, q.quarantine_reason
        from fct_quarantined_rows as q
        left join read_parquet('{faults}') as f on q.file_path = f.file and q.line_number = f.line
        where f.fault is null""")
    assert wrongly == []
    (count,) = query(warehouse(demo), "select count(*) from fct_quarantined_rows")
    assert count[0] > 50


def test_an_unparseable_optional_value_keeps_its_row_and_is_flagged(demo: dict) -> None:
    faults = demo["truth"] / "injected_faults.parquet"
    rows = query(warehouse(demo), f"select source, file, line, field from read_parquet('{faults}') "
                                  "where fault = 'invalid_optional' and field not like '%.%'")
    assert rows
    for source, file, line, field in rows:
        (flagged,) = query(warehouse(demo), f"""
            select _invalid_fields from staging.base_{source}__rows where _file = '{file}' and _line = {line}""")
        assert field in flagged[0], (source, file, line, field)


def test_every_true_record_without_a_fault_is_staged_unless_its_person_was_erased(demo: dict) -> None:
    truth = demo["truth"]
    landed = " union all ".join(f"select '{s}' as source, _file, _line from landing.{s}" for s in landing_sources())
    counts = query(warehouse(demo), f"""
        with
        healthy as (
            select r.source, r.file, r.line
            from read_parquet('{truth / "source_records.parquet"}') as r
            anti join read_parquet('{truth / "injected_faults.parquet"}') as f
                on r.file = f.file and r.line = f.line and f.fault <> 'invalid_optional'
        ),
        still_landed as (select * from healthy semi join ({landed}) as l on healthy.file = l._file
                         and healthy.line = l._line),
        erased as (select * from healthy anti join ({landed}) as l on healthy.file = l._file
                   and healthy.line = l._line)
        select
            (select count(*) from healthy),
            (select count(*) from erased),
            (select sum(cast(split_part(detail, ' ', 1) as bigint)) from privacy.request_log
             where step = 'landed_rows_deleted'),
            (select list(distinct source order by source) from erased)""")
    healthy, erased, deleted_by_erasure, erased_sources = counts[0]
    assert healthy > 10_000
    # the demo holds erasure requests: the only healthy rows no longer landed are those erasure deleted
    assert 0 < erased <= deleted_by_erasure, erased_sources
    staged = dict(query(warehouse(demo), "select source_name, rows_staged from fct_landing_reconciliation"))
    expected = dict(query(warehouse(demo), f"""
        select r.source, count(*)
        from read_parquet('{truth / "source_records.parquet"}') as r
        anti join read_parquet('{truth / "injected_faults.parquet"}') as f
            on r.file = f.file and r.line = f.line and f.fault <> 'invalid_optional'
        semi join ({landed}) as l on r.file = l._file and r.line = l._line
        group by r.source"""))
    assert {s: staged[s] for s in expected} == expected


def test_a_second_run_on_the_same_landing_zone_changes_nothing(demo: dict) -> None:
    # quality.check_results (every check run) and activation.sync_runs (every sync attempt) are run logs: they
    # grow by one run per run, by design
    tables = ("select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
              "and table_schema <> 'quality' and not (table_schema = 'activation' and table_name = 'sync_runs')")

    def snapshot() -> dict:
        with duckdb.connect(str(warehouse(demo)), read_only=True) as con:
            return {
                f"{s}.{t}": con.execute(f'select count(*), sum(hash(t)) from "{s}"."{t}" as t').fetchone()
                for s, t in con.execute(tables).fetchall()
            }

    before = snapshot()
    result = cdp(["run"], demo["env"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "0 new files" in result.stderr
    assert snapshot() == before


def test_bi_readers_use_the_published_copy_which_a_build_never_blocks(demo: dict) -> None:
    published = warehouse(demo).with_name("cdp_published.duckdb")
    with duckdb.connect(str(published), read_only=True) as reader:
        before = reader.execute("select sum(rows_landed) from fct_landing_reconciliation").fetchone()
        result = cdp(["run"], demo["env"])
        assert result.returncode == 0, result.stderr[-3000:]
        assert reader.execute("select sum(rows_landed) from fct_landing_reconciliation").fetchone() == before
    result = cdp(["sql", "select count(*) as n from fct_landing_reconciliation"], demo["env"])
    assert result.returncode == 0 and "17" in result.stdout
