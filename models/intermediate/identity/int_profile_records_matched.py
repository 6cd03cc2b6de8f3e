"""Probabilistic links between profile records (Splink, as SQL on DuckDB): see cdp/identity/matching.py."""

from cdp.identity.matching import MatchConfig, match_profile_records


def model(dbt, session):
    dbt.config(materialized="table")
    config = MatchConfig(
        match_weight_threshold=float(dbt.config.get("match_weight_threshold") or 7.0),
        min_records_to_train=int(dbt.config.get("min_records_to_train") or 2000),
    )
    records = dbt.ref("int_profile_records_prepared").arrow()
    if hasattr(records, "read_all"):
        records = records.read_all()
    links, _ = match_profile_records(records, config)
    return links
