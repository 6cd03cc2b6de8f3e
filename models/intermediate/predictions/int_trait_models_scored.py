"""Predicted traits, trained on the warehouse's own history with a time-based holdout.

For each trait a model is trained on features as of an earlier cutoff (labels: the window after it), then
measured on a later cutoff it never saw (labels: the window after that), beside a naive baseline measured on
the same holdout. A trait is published (scores written) only when its model beats the baseline on every
metric. Features come from int_customer_activity_daily, so everything is as of the reference time
(int_traits_as_of), deterministic (fixed random_state) and repeatable.

Output, one long table: kind 'metric' rows (trait_name, metric_name, metric_value, baseline_value, ...) and
kind 'score' rows (customer_id, trait_name, score) for published traits only.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import brier_score_loss, r2_score, roc_auc_score
from threadpoolctl import threadpool_limits

HORIZON_DAYS = 90  # every trait looks 90 days ahead
MIN_HOLDOUT_ROWS = 50
FEATURES = [
    "days_since_first_active", "days_since_last_active", "days_since_last_purchase",
    "active_days_30", "active_days_90", "active_days_365",
    "purchases_90", "purchases_365", "revenue_90", "revenue_365", "returns_365",
    "page_views_30", "product_views_30", "cart_adds_30", "page_views_90", "cart_adds_90",
    "email_sends_90", "email_opens_90", "email_clicks_90", "email_open_rate",
]


_CACHE: dict[tuple[int, dt.date, str], pd.DataFrame] = {}


def features_at(daily: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """One row per customer active (or emailed) on or before `cutoff`, features from the days up to it."""
    key = (id(daily), cutoff, "features")
    if key not in _CACHE:
        _CACHE[key] = _features_at(daily, cutoff)
    return _CACHE[key]


def _features_at(daily: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    past = daily[daily["activity_date"] <= cutoff].copy()
    past["age"] = (pd.Timestamp(cutoff) - pd.to_datetime(past["activity_date"])).dt.days
    past["is_active_day"] = past["first_active_at"].notna()
    past["purchases"] = past["orders_count"] + (past["store_purchase_lines"] > 0).astype(int)
    past["revenue"] = past["order_revenue"].astype(float) + past["store_purchase_amount"].astype(float)
    g = past.groupby("customer_id")

    def window(column: str, days: int) -> pd.Series:
        return past[past["age"] < days].groupby("customer_id")[column].sum()

    active = past[past["is_active_day"]]
    bought = past[past["purchases"] > 0]
    f = pd.DataFrame(index=g.size().index)
    f["days_since_first_active"] = active.groupby("customer_id")["age"].max()
    f["days_since_last_active"] = active.groupby("customer_id")["age"].min()
    f["days_since_last_purchase"] = bought.groupby("customer_id")["age"].min()
    for days in (30, 90, 365):
        f[f"active_days_{days}"] = active[active["age"] < days].groupby("customer_id").size()
    for days in (90, 365):
        f[f"purchases_{days}"] = window("purchases", days)
        f[f"revenue_{days}"] = window("revenue", days)
    f["returns_365"] = window("returns_count", 365)
    for column in ("page_views", "product_views", "cart_adds"):
        f[f"{column}_30"] = window(column, 30)
    f["page_views_90"] = window("page_views", 90)
    f["cart_adds_90"] = window("cart_adds", 90)
    for column in ("email_sends", "email_opens", "email_clicks"):
        f[f"{column}_90"] = window(column, 90)
    sends, opens = g["email_sends"].sum(), g["email_opens"].sum()
    f["email_open_rate"] = (opens / sends.where(sends > 0)).clip(upper=1.0)
    never = 10_000  # "never" for the recency features
    f[["days_since_first_active", "days_since_last_active", "days_since_last_purchase"]] = f[
        ["days_since_first_active", "days_since_last_active", "days_since_last_purchase"]].fillna(never)
    f["email_open_rate"] = f["email_open_rate"].fillna(-1.0)
    return f.fillna(0.0)[FEATURES]


def labels_after(daily: pd.DataFrame, cutoff: dt.date, days: int) -> pd.DataFrame:
    key = (id(daily), cutoff, f"labels{days}")
    if key not in _CACHE:
        _CACHE[key] = _labels_after(daily, cutoff, days)
    return _CACHE[key]


def _labels_after(daily: pd.DataFrame, cutoff: dt.date, days: int) -> pd.DataFrame:
    after = daily[(daily["activity_date"] > cutoff) & (daily["activity_date"] <= cutoff + dt.timedelta(days=days))]
    g = after.groupby("customer_id")
    out = pd.DataFrame(index=g.size().index)
    out["is_active"] = after[after["first_active_at"].notna()].groupby("customer_id").size() > 0
    out["has_purchase"] = g["orders_count"].sum() + g["store_purchase_lines"].sum() > 0
    out["revenue"] = g["order_revenue"].sum().astype(float) + g["store_purchase_amount"].sum().astype(float)
    out["email_sends"] = g["email_sends"].sum()
    out["has_open"] = g["email_opens"].sum() > 0
    return out


def trait_frames(daily: pd.DataFrame, cutoff: dt.date, trait: str) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(features, label, baseline score) of the trait's population at `cutoff`."""
    x = features_at(daily, cutoff)
    y_all = labels_after(daily, cutoff, HORIZON_DAYS).reindex(x.index)
    if trait == "churn_risk":  # customers active in the 90 days before: not active at all in the next 90
        keep = x["active_days_90"] > 0
        y = ~y_all["is_active"].fillna(False).astype(bool)
        baseline = x["days_since_last_active"]
    elif trait == "purchase_propensity_90d":  # everyone known: any purchase in the next 90 days
        keep = x["days_since_first_active"] < 10_000
        y = y_all["has_purchase"].fillna(False).astype(bool)
        baseline = -x["days_since_last_purchase"]
    elif trait == "email_open_probability":  # people emailed in the 90 days before: any open in the next 90
        keep = x["email_sends_90"] > 0
        y = y_all["has_open"].fillna(False).astype(bool)
        baseline = x["email_open_rate"]
    else:  # predicted_ltv: revenue of the next 90 days, the baseline carries the last 90 days forward
        keep = x["days_since_first_active"] < 10_000
        y = y_all["revenue"].fillna(0.0)
        baseline = x["revenue_90"]
    return x[keep], y[keep], baseline[keep]


def evaluate(daily: pd.DataFrame, as_of: dt.date, trait: str) -> tuple[list[dict], object | None]:
    """Train at as_of - 2h, measure at as_of - h (h: the horizon, 90 days); metric rows and the model."""
    horizon = HORIZON_DAYS
    train_cutoff = as_of - dt.timedelta(days=2 * horizon)
    holdout_cutoff = as_of - dt.timedelta(days=horizon)
    x_train, y_train, _ = trait_frames(daily, train_cutoff, trait)
    x_test, y_test, baseline = trait_frames(daily, holdout_cutoff, trait)
    common = {"trait_name": trait, "train_rows": len(x_train), "holdout_rows": len(x_test),
              "train_cutoff_at": pd.Timestamp(train_cutoff), "holdout_cutoff_at": pd.Timestamp(holdout_cutoff),
              "horizon_days": horizon}
    regression = trait == "predicted_ltv"
    usable = len(x_train) >= MIN_HOLDOUT_ROWS and len(x_test) >= MIN_HOLDOUT_ROWS and (
        regression or (y_train.nunique() == 2 and y_test.nunique() == 2))
    if not usable:
        row = {**common, "metric_name": "r2" if regression else "auc", "metric_value": None,
               "baseline_value": None, "baseline_name": "not enough history", "holdout_positive_rate": None,
               "calibration_error": None}
        return [row], None
    if regression:
        model = HistGradientBoostingRegressor(loss="poisson", max_iter=100, learning_rate=0.1, random_state=0)
        model.fit(x_train, y_train)
        predicted = np.clip(model.predict(x_test), 0, None)
        # the better of two naive forecasts: the last 90 days carried forward, the training mean for everyone
        naive = max(r2_score(y_test, baseline), r2_score(y_test, np.full(len(y_test), float(y_train.mean()))))
        rows = [{**common, "metric_name": "r2", "metric_value": r2_score(y_test, predicted),
                 "baseline_value": naive,
                 "baseline_name": "best of: last 90 days' revenue carried forward, training mean",
                 "holdout_positive_rate": float((y_test > 0).mean()),
                 "calibration_error": float(predicted.mean() - y_test.mean())}]
        return rows, model
    model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, random_state=0)
    model.fit(x_train, y_train)
    p = model.predict_proba(x_test)[:, 1]
    prior = float(y_train.mean())
    brier, brier_prior = brier_score_loss(y_test, p), brier_score_loss(y_test, np.full(len(y_test), prior))
    baseline_name = {"churn_risk": "days since last activity",
                     "purchase_propensity_90d": "recency of last purchase",
                     "email_open_probability": "past open rate"}[trait]
    extra = {"holdout_positive_rate": float(y_test.mean()), "calibration_error": float(p.mean() - y_test.mean())}
    rows = [
        {**common, **extra, "metric_name": "auc", "metric_value": roc_auc_score(y_test, p),
         "baseline_value": roc_auc_score(y_test, baseline), "baseline_name": baseline_name},
        {**common, **extra, "metric_name": "brier_skill", "metric_value": 1 - brier / brier_prior,
         "baseline_value": 0.0, "baseline_name": "the training positive rate for everyone"},
    ]
    return rows, model


def model(dbt, session):
    dbt.config(materialized="table")
    daily = dbt.ref("int_customer_activity_daily").df()
    as_of_frame = dbt.ref("int_traits_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0]).date()
    daily["activity_date"] = pd.to_datetime(daily["activity_date"]).dt.date
    for column in ("order_revenue", "store_purchase_amount"):
        daily[column] = daily[column].astype(float)
    _CACHE.clear()
    metrics, scores = [], []
    x_now = features_at(daily, as_of)
    for trait in ("churn_risk", "purchase_propensity_90d", "predicted_ltv", "email_open_probability"):
        with threadpool_limits(1):  # one thread: the same sums in the same order, so the same scores every run
            rows, fitted = evaluate(daily, as_of, trait)
        published = fitted is not None and all(
            r["metric_value"] is not None and r["metric_value"] > r["baseline_value"] for r in rows)
        for r in rows:
            metrics.append({**r, "is_published": published})
        if not published:
            continue
        with threadpool_limits(1):
            if trait == "predicted_ltv":
                values = np.clip(fitted.predict(x_now), 0, None)
            else:
                values = fitted.predict_proba(x_now)[:, 1]
        values = np.round(values, 6)
        scores.append(pd.DataFrame({"customer_id": x_now.index, "trait_name": trait, "score": values}))
    metric_frame = pd.DataFrame(metrics)
    metric_frame["kind"] = "metric"
    metric_frame["trained_at"] = pd.Timestamp(as_of)
    score_frame = pd.concat(scores) if scores else pd.DataFrame(columns=["customer_id", "trait_name", "score"])
    score_frame["kind"] = "score"
    out = pd.concat([metric_frame, score_frame], ignore_index=True)
    out["score"] = out["score"].astype(float)
    for column in ("metric_value", "baseline_value", "holdout_positive_rate", "calibration_error"):
        out[column] = out[column].astype(float)
    out["is_published"] = out["is_published"].astype("boolean")
    out["model_row_id"] = out["kind"] + "|" + out["trait_name"] + "|" + out["customer_id"].fillna(
        out["metric_name"].fillna(""))
    return out
