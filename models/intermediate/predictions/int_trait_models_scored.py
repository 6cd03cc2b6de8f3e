"""Predicted traits: every customer scored on every build by the models int_trait_models_trained keeps.

For each trait a model is trained on features as of an earlier cutoff (labels: the window after it), then
measured on a later cutoff it never saw (labels: the window after that), beside a naive baseline measured on
the same holdout; a trait is published (scores written) only when its model beats the baseline on every
metric. Training happens in int_trait_models_trained, on the history before the cadence's anchor, and only when
a retrain is due (every `cdp__predictions_retrain_days` days, or when that history changed, or on a full
refresh); this model scores every customer from the features as of the reference time (int_traits_as_of), so
new events and identity merges move the scores on every build while the model stays.

Output, one long table: kind 'metric' rows (trait_name, metric_name, metric_value, baseline_value, ...: the
kept model's holdout evaluation, trained_at = the last day of history it was trained on) and kind 'score' rows
(customer_id, trait_name, score) for published traits only.

Cost at 10^6 events (docs/benchmarks.md, load average about 6 on 2 cores): training every build here took 10.8
to 11.9 s; with the models kept, the two models take 4.7 to 5.0 s (scoring alone 1.3 to 2.3 s: one feature
query, the predictions of 50,000 customers and the table written).
"""

from __future__ import annotations

import pandas as pd

from cdp import predictions


def model(dbt, session):
    dbt.config(materialized="table")
    store = dbt.ref("int_trait_models_trained").df()
    daily = dbt.ref("int_customer_activity_daily")
    as_of_at = dbt.ref("int_traits_as_of").fetchall()[0][0]
    x_now = predictions.features_at(daily, pd.Timestamp(as_of_at).date())
    metric_frame = predictions.metric_frame(store)
    metric_frame["kind"] = "metric"
    score_frame = predictions.scores(store, x_now)
    score_frame["kind"] = "score"
    out = pd.concat([metric_frame, score_frame], ignore_index=True)
    out["score"] = out["score"].astype(float)
    for column in ("metric_value", "baseline_value", "holdout_positive_rate", "calibration_error"):
        out[column] = out[column].astype(float)
    out["is_published"] = out["is_published"].astype("boolean")
    out["model_row_id"] = out["kind"] + "|" + out["trait_name"] + "|" + out["customer_id"].fillna(
        out["metric_name"].fillna(""))
    return out
