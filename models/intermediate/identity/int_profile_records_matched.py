"""Probabilistic links between profile records (Splink, as SQL on DuckDB): see cdp/identity/matching.py.

Incremental: an increment scores only the pairs with a record new or changed since the last run, with the model
trained before (cdp/identity/match_increment.py); a full refresh scores every pair and trains again."""

from cdp.identity.match_increment import match_increment
from cdp.identity.matching import MatchConfig


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # each dbt.config.get on its own line: dbt finds the config keys a Python model reads by parsing its calls,
    # and misses a call nested in an expression (`float(dbt.config.get(...) or 7.0)` read no var at all)
    threshold = dbt.config.get("match_weight_threshold", 7.0)
    min_records = dbt.config.get("min_records_to_train", 2000)
    retrain_growth = dbt.config.get("retrain_growth", 0.1)
    config = MatchConfig(match_weight_threshold=float(threshold), min_records_to_train=int(min_records))
    records = dbt.ref("int_profile_records_prepared").arrow()
    if hasattr(records, "read_all"):
        records = records.read_all()
    links, _ = match_increment(session, str(dbt.this), records, config, incremental=bool(dbt.is_incremental),
                               retrain_growth=float(retrain_growth))
    return links
