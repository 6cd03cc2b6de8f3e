"""Incremental matching (cdp/identity/match_increment.py): an increment scores only the pairs with a new,
changed or removed record, with the stored model, and gives the links a full rescoring gives.

The dbt model's flow is replayed on a DuckDB connection: `match_increment` deletes the links it replaces from
the model's table, and its result is appended, as dbt's incremental `append` strategy does."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdp.identity.match_increment import match_increment
from cdp.identity.matching import MatchConfig

ROOT = Path(__file__).resolve().parent.parent
THIS = 'identity."int_profile_records_matched"'


def _synthetic(n: int, seed: int) -> pa.Table:
    spec = importlib.util.spec_from_file_location("identity_scale", ROOT / "bench" / "identity_scale.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    records, _ = module.synthetic_contacts(n, seed=seed)
    return records


def _build(con: duckdb.DuckDBPyConnection, records: pa.Table, config: MatchConfig, growth: float = 0.1) -> dict:
    """One dbt run of the model: incremental when its table exists."""
    con.execute("create schema if not exists identity")
    incremental = bool(con.execute("select count(*) from information_schema.tables where table_schema = 'identity' "
                                   "and table_name = 'int_profile_records_matched'").fetchall()[0][0])
    links, stats = match_increment(con, THIS, records, config, incremental=incremental, retrain_growth=growth)
    con.register("new_links", links)
    con.execute(f"insert into {THIS} select * from new_links" if incremental
                else f"create table {THIS} as select * from new_links")
    con.unregister("new_links")
    return stats


def _links(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"select link_id, left_source, right_source, match_weight, matched_fields from {THIS} "
                       "order by link_id").fetchall()


def _changed(base: pa.Table, extra: pa.Table) -> pa.Table:
    """base less its first record, with the email of its second changed, plus the records of `extra`."""
    ids = base.column("record_id").to_pylist()
    kept = base.filter(pc.is_in(base.column("record_id"), pa.array(ids[1:])))
    email = kept.column("email_std").to_pylist()
    email[0] = "someone.else@example.org"
    kept = kept.set_column(kept.column_names.index("email_std"), "email_std", pa.array(email, pa.string()))
    extra = extra.set_column(0, "record_id", pc.binary_join_element_wise("new-", extra.column("record_id"), ""))
    return pa.concat_tables([kept, extra.cast(kept.schema)])


@pytest.fixture(scope="module")
def data() -> dict[str, pa.Table]:
    base = _synthetic(1200, seed=3)
    return {"base": base, "after": _changed(base, _synthetic(60, seed=4))}


def test_an_increment_scores_only_the_touched_pairs_and_equals_a_full_rescoring(data: dict) -> None:
    config = MatchConfig()  # 1,200 records: below the training size, the prior model
    inc = duckdb.connect()
    first = _build(inc, data["base"], config)
    assert first["mode"] == "full"
    second = _build(inc, data["after"], config)
    # the 60 new records, the changed one and the removed one are touched, nothing else
    assert second["mode"] == "increment" and second["touched"] == 62
    full = duckdb.connect()
    _build(full, data["after"], config)
    assert _links(inc) == _links(full)
    assert any(link[0].startswith("new-") or " ~ new-" in link[0] for link in _links(inc))  # the new records link
    # no link of the removed record is left, and the changed record's old links were rescored
    removed = data["base"].column("record_id")[0].as_py()
    assert not [link for link in _links(inc) if removed in link[0].split(" ~ ")]


def test_an_increment_does_not_train_and_a_retrain_comes_with_growth_or_a_new_definition(data: dict) -> None:
    config = MatchConfig(min_records_to_train=500)  # trained
    con = duckdb.connect()
    first = _build(con, data["base"], config)
    assert first["mode"] == "full" and first["trained"]
    stored = con.execute('select model_json, trained_records from identity."int_profile_records_matched__model"'
                         ).fetchall()[0]
    assert json.loads(stored[0])["comparisons"] and stored[1] == data["base"].num_rows
    second = _build(con, data["after"], config)  # 5% more records: within the 10% growth
    assert second["mode"] == "increment" and not second["trained"] and second["train_seconds"] < 0.01
    assert con.execute('select model_json from identity."int_profile_records_matched__model"').fetchall()[0][0] \
        == stored[0]
    third = _build(con, data["after"], config)  # nothing new: nothing scored
    assert third["mode"] == "increment" and third["touched"] == 0
    more = _synthetic(200, seed=5)
    more = more.set_column(0, "record_id", pc.binary_join_element_wise("more-", more.column("record_id"), ""))
    grown = pa.concat_tables([data["after"], more.cast(data["after"].schema)])
    fourth = _build(con, grown, config, growth=0.1)
    assert fourth["mode"] == "full" and "grew" in fourth["reason"] and fourth["trained"]
    fifth = _build(con, grown, MatchConfig(min_records_to_train=500, match_weight_threshold=9.0))
    assert fifth["mode"] == "full" and fifth["reason"] == "the model's definition changed"
    assert con.execute(f"select min(match_weight) from {THIS}").fetchall()[0][0] >= 9.0
