"""The predicted traits' models, kept in the warehouse and retrained only when a retrain is due.

One row per trait (cdp/predictions.py does the work): the serialized model, its holdout metrics, the last day
of history it was trained on (`trained_through_date`, the day before the cadence's anchor), the cadence, the
training code's version and a fingerprint of the history it saw. An incremental build reads the kept rows
and retrains a trait only when one of those changed: the cadence moved the anchor (every
`cdp__predictions_retrain_days` days, default 7: weekly, anchored on Mondays), late events, an identity merge
or an erasure changed the history before the anchor, or the code changed. `dbt run --full-refresh` retrains
everything. Training is deterministic and reads the history in an order that does not depend on customer
ids, so a full rebuild trains, byte for byte, the models an incremental build kept (tests/test_incremental.py
compares this table too). The table holds no customer rows: models (trees, bin thresholds) and aggregates only;
after an erasure the history changes, so the next build retrains without the erased person.

Measured at 10^6 events (50,000 people, the bench's warehouse; docs/benchmarks.md), load average 5.6 to 6.1 on
2 cores: the old model, training every build, took 10.8 and 11.9 s; this one 2.5 and 2.7 s when it keeps the
models (the fingerprint query, and the import of scikit-learn that scoring needs anyway) and 5.6 and 6.9 s when it
retrains (the features and labels now one query per cutoff in DuckDB); scoring (int_trait_models_scored) 1.3 to
2.3 s. A build that lands late events all over the history (bench/run.py's increment) retrains.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cdp import predictions


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="trait_name", incremental_strategy="delete+insert")
    retrain_days = int(dbt.config.meta_get("retrain_days"))  # the var cdp__predictions_retrain_days (yml)
    daily = dbt.ref("int_customer_activity_daily")
    as_of_at = dbt.ref("int_traits_as_of").fetchall()[0][0]
    through = predictions.training_anchor(pd.Timestamp(as_of_at).date(), retrain_days) - dt.timedelta(days=1)
    fingerprint = predictions.history_fingerprint(daily, through)
    kept = {}
    if dbt.is_incremental:
        kept = {row[0]: tuple(row[1:]) for row in session.execute(f"""
            select trait_name, trained_through_date, retrain_days, model_version, training_fingerprint
            from {dbt.this}""").fetchall()}
    due = predictions.due_traits(kept, through, retrain_days, fingerprint)
    trained = predictions.train(daily, through, due) if due else []
    return predictions.store_rows(trained, through, retrain_days, fingerprint)
