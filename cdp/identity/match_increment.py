"""Probabilistic matching, incrementally: an increment scores only the pairs with a new or changed record.

The model `int_profile_records_matched` keeps, beside its links, two tables of its own in its schema:

- `<model>__records` (record_id, record_hash): each profile record matched and an md5 of the fields the
  comparisons read. A record whose hash changed (a new version, a nickname seed change), a new record and a
  record gone (erased, deleted) are the *touched* records: their links are deleted and the pairs with at least
  one touched record are scored again; links between two untouched records are kept as they are.
- `<model>__model` (one row): the fingerprint of the model's definition (comparisons, blocking rules,
  threshold, training settings), the number of records it was trained on, and the trained Splink model (JSON:
  m and u probabilities, no record). An increment scores with the stored model: no training. Everything is
  scored again (and retrained when the data is large enough to train) after `dbt run --full-refresh`, when the
  definition changed, when the data becomes large enough to train, or when the records grew by more than
  `retrain_growth` (dbt var `cdp__identity_match_retrain_growth`, default 0.1) since the training.

Below the training size (`min_records_to_train`) the model is the prior m and u probabilities without
term-frequency adjustments: the weight of a pair depends on the pair only, so an increment gives exactly the
links of a full rescoring. A trained model also adjusts for how common a name is, counted over the records of
the run that scores the pair: between two retrains a kept link keeps the weight it was scored with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

import duckdb
import pyarrow as pa

from cdp.identity.matching import (
    BLOCKING_RULES,
    EMPTY,
    MATCH_COLUMNS,
    MatchConfig,
    comparisons,
    match_profile_records,
)

FLAG = "is_touched"


def definition_fingerprint(config: MatchConfig) -> str:
    """md5 of everything that decides a pair's weight apart from the data: a change rescores everything."""
    definition = {"config": asdict(config), "comparisons": comparisons(), "blocking": list(BLOCKING_RULES),
                  "columns": list(MATCH_COLUMNS)}
    return hashlib.md5(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()


def _record_hashes(records: pa.Table) -> pa.Table:
    """(record_id, record_hash): md5 of the compared fields of each record."""
    fields = ", ".join(f"coalesce(cast(\"{c}\" as varchar), '\\x00')" for c in MATCH_COLUMNS if c != "record_id")
    local = duckdb.connect()
    local.register("records", records)
    return local.sql(f"select record_id, md5(concat_ws('\\x1f', {fields})) as record_hash from records").to_arrow_table()


def _stored_model(session: Any, schema_name: str, table: str) -> tuple | None:
    """(fingerprint, trained_records, model_json) of the previous run, or None."""
    exists = session.execute("select count(*) from information_schema.tables where table_schema = ? "
                             "and table_name = ?", [schema_name.split(".")[-1].strip('"'), table]).fetchall()[0][0]
    if not exists:
        return None
    rows = session.execute(f'select fingerprint, trained_records, model_json from {schema_name}."{table}"').fetchall()
    return rows[0] if rows else None


def match_increment(session: Any, this: str, records: pa.Table, config: MatchConfig, incremental: bool,
                    retrain_growth: float = 0.1) -> tuple[pa.Table, dict[str, Any]]:
    """The links to append to `this` (after deleting from it the links the increment replaces), and what was
    done (`mode`: 'full' or 'increment', touched records, pairs scored)."""
    from cdp.identity.matching import with_derived_columns

    if "first_name_forms_text" not in records.column_names:
        records = with_derived_columns(records)
    schema_name = this.rsplit(".", 1)[0]
    name = this.rsplit(".", 1)[1].strip('"')
    state, model_table = f'{schema_name}."{name}__records"', f'{schema_name}."{name}__model"'
    fingerprint = definition_fingerprint(config)
    hashes = _record_hashes(records)
    trainable = records.num_rows >= config.min_records_to_train

    stored = _stored_model(session, schema_name, f"{name}__model") if incremental else None
    reason = None
    if not incremental:
        reason = "full refresh or first run"
    elif not stored:
        reason = "no stored model"
    else:
        stored_fingerprint, trained_records, model_json = stored
        if stored_fingerprint != fingerprint:
            reason = "the model's definition changed"
        elif trainable and model_json is None:
            reason = "large enough to train"
        elif model_json is not None and records.num_rows > trained_records * (1 + retrain_growth):
            reason = f"records grew by more than {retrain_growth:.0%} since the training"

    session.register("cdp_match_record_hashes", hashes)
    if reason is None:
        _, trained_records, model_json = stored
        model = json.loads(model_json) if model_json else None
        touched = session.execute(f"""
            select h.record_id from cdp_match_record_hashes as h left join {state} as s using (record_id)
            where s.record_hash is distinct from h.record_hash""").fetchall()
        gone = session.execute(f"select record_id from {state} except select record_id from cdp_match_record_hashes"
                               ).fetchall()
        touched_ids = [r[0] for r in touched] + [r[0] for r in gone]
        session.register("cdp_match_touched", pa.table({"record_id": pa.array(touched_ids, pa.string())}))
        session.execute(f"""delete from {this} where left_record_id in (select record_id from cdp_match_touched)
                            or right_record_id in (select record_id from cdp_match_touched)""")
        flagged = {r[0] for r in touched}
        if flagged:
            flags = pa.array([rid in flagged for rid in records.column("record_id").to_pylist()], pa.bool_())
            links, stats = match_profile_records(records.append_column(FLAG, flags), config, model=model,
                                                 new_flag=FLAG)
        else:
            links, stats = EMPTY.empty_table(), {}
        stats |= {"mode": "increment", "touched": len(touched_ids)}
        session.unregister("cdp_match_touched")
    else:
        if incremental:
            session.execute(f"delete from {this}")
        links, stats = match_profile_records(records, config)
        model = stats.get("model")
        trained_records = records.num_rows if stats.get("trained") else None
        session.execute(f"create or replace table {model_table} (fingerprint varchar, trained_records bigint, "
                        "model_json varchar)")
        session.execute(f"insert into {model_table} values (?, ?, ?)",
                        [fingerprint, trained_records, json.dumps(model) if model else None])
        stats |= {"mode": "full", "reason": reason}
    session.execute(f"create or replace table {state} as select * from cdp_match_record_hashes")
    session.unregister("cdp_match_record_hashes")
    stats.pop("model", None)
    return links, stats
