"""Probabilistic links between profile records (Splink, as SQL on DuckDB): see cdp/identity/matching.py."""

from cdp.identity.matching import MatchConfig, match_profile_records


def model(dbt, session):
    dbt.config(materialized="table")
    # each dbt.config.get on its own line: dbt finds the config keys a Python model reads by parsing its calls,
    # and misses a call nested in an expression (`float(dbt.config.get(...) or 7.0)` read no var at all)
    threshold = dbt.config.get("match_weight_threshold", 7.0)
    min_records = dbt.config.get("min_records_to_train", 2000)
    config = MatchConfig(match_weight_threshold=float(threshold), min_records_to_train=int(min_records))
    records = dbt.ref("int_profile_records_prepared").arrow()
    if hasattr(records, "read_all"):
        records = records.read_all()
    links, _ = match_profile_records(records, config)
    return links
