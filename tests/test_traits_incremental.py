"""Incremental traits: a run aggregates only the rows landed since the previous run, and the result equals a
full rebuild on the same data (on a copy of the shared demo warehouse)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .conftest import run_dbt

INCREMENTAL = ["int_event_activity_aggregated", "int_event_activity_minuted", "int_event_identity_sets_keyed"]
KEYS = {"int_event_activity_aggregated": "activity_part_id", "int_event_activity_minuted": "active_minute_id",
        "int_event_identity_sets_keyed": "identity_set_key_id"}


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: con.execute(f"select * from traits.{m} order by {KEYS[m]}").fetchall() for m in INCREMENTAL}


def customer_traits(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""
            select customer_id, sessions_count, page_views, product_views, cart_adds, email_opens, revenue_total,
                   first_seen_at, last_seen_at, engagement_score, journey_stage, favourite_category
            from main.customer_360 order by customer_id""").fetchall()


SOURCES = {"web_events": "message_id", "mobile_events": "message_id", "email_events": "event_id",
           "pos_transactions": "transaction_id"}


def land_batch(warehouse: Path) -> int:
    """Lands a new file per event source (a tenth of its rows again, with new ids), as `cdp ingest` would."""
    with duckdb.connect(str(warehouse)) as con:
        for source, id_key in SOURCES.items():
            con.execute(f"""
                insert into landing.{source}
                select 'later/{source}.jsonl', row_number() over (order by _file, _line) + 1, _format,
                    json_merge_patch(_record, json_object('{id_key}', 'later-' || (_record->>'{id_key}'))),
                    _raw, _parse_error, (select max(_ingested_at) from landing.{source}) + interval 1 hour,
                    _file_modified_at
                from landing.{source}
                where _record is not null and hash(_file || _line) % 10 = 0""")
        return con.execute("select count(*) from (" + " union all ".join(
            f"select 1 from landing.{s} where _file like 'later/%'" for s in SOURCES) + ")").fetchall()[0][0]


def copy_of(demo: dict, directory: Path) -> Path:
    copy = directory / "cdp.duckdb"
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], copy)
    return copy


def test_an_identity_merge_reassigns_past_activity_without_reading_events(demo: dict, tmp_path: Path) -> None:
    """Merge two customers in identity's output and rebuild only what follows the event aggregates: the survivor
    gets both histories, every other customer is rebuilt exactly as before, and no event is read again (the
    incremental event models are not run)."""
    warehouse = copy_of(demo, tmp_path)
    before = {r[0]: r for r in customer_traits(warehouse)}
    with duckdb.connect(str(warehouse)) as con:
        (survivor, merged), = con.execute("""
            select min(customer_id), max(customer_id) from (
                select customer_id from main.customer_360
                where not is_anonymous and page_views > 0 and email_opens > 0
                order by customer_id limit 2)""").fetchall()
        con.execute("update main.customer_identifiers set customer_id = ? where customer_id = ?", [survivor, merged])
    run_dbt(["run", "--select", "int_identity_sets_resolved+,+customer_360", "--exclude", "int_trait_models_scored"],
            warehouse, Path(demo["env"]["CDP_LANDING_DIR"]), tmp_path / "target")
    after = {r[0]: r for r in customer_traits(warehouse)}
    assert merged not in after
    for column in (2, 3, 4, 5):  # page views, product views, cart adds, email opens: additive
        assert after[survivor][column] == before[survivor][column] + before[merged][column]
    assert after[survivor][7] == min(before[survivor][7], before[merged][7])  # first seen
    assert after[survivor][8] == max(before[survivor][8], before[merged][8])  # last seen
    assert {k: v for k, v in after.items() if k != survivor} == {
        k: v for k, v in before.items() if k not in (survivor, merged)}


def test_a_new_batch_is_aggregated_alone_and_equals_a_full_rebuild(demo: dict, tmp_path: Path) -> None:
    warehouse, landing = copy_of(demo, tmp_path), Path(demo["env"]["CDP_LANDING_DIR"])
    before = snapshot(warehouse)
    assert land_batch(warehouse) > 0
    run_dbt(["run", "--select", *(f"base_{s}__rows" for s in SOURCES), *INCREMENTAL], warehouse, landing,
            tmp_path / "incremental")
    incremental = snapshot(warehouse)
    # the old rows were not read again (their parts would have been appended twice) and the batch was added
    for model in INCREMENTAL:
        assert set(before[model]) < set(incremental[model]), model
        assert len(set(incremental[model])) == len(incremental[model]), model
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (new_events,), = con.execute("select sum(event_count) from traits.int_event_activity_aggregated "
                                     "where ingested_at > (select max(ingested_at) from landing._files)").fetchall()
    assert new_events > 0

    run_dbt(["run", "--full-refresh", "--select", *INCREMENTAL], warehouse, landing, tmp_path / "full")
    assert snapshot(warehouse) == incremental
