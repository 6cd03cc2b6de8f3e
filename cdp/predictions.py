"""Predicted traits: features, training on a time-based holdout, and the models kept between builds.

The dbt Python models of models/intermediate/predictions/ are thin wrappers around this module:
`int_trait_models_trained` trains (only when a retrain is due) and keeps the models in the warehouse,
`int_trait_models_scored` scores every customer on every build with the kept models.

A retrain is due when the cadence moves the training anchor (`training_anchor`: periods of
`cdp__predictions_retrain_days` days, so the same as-of always gives the same anchor), when the history the
training saw changed (`history_fingerprint`: late events, identity merges or splits, an erasure, all before the
anchor), when the training code or scikit-learn changed (`model_version`), or on a full refresh. Training is a
pure function of the history before the anchor, read in an order that does not depend on how customers are
named, so a full rebuild trains, byte for byte, the model an incremental build kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import brier_score_loss, r2_score, roc_auc_score
from threadpoolctl import threadpool_limits

HORIZON_DAYS = 90  # every trait looks 90 days ahead
MIN_HOLDOUT_ROWS = 50
# Training on more rows than this adds little to a 20-feature gradient-boosted model and grows its cost linearly:
# above it, a fixed-seed random sample of the training population is used (the holdout is never sampled).
MAX_TRAIN_ROWS = 200_000
# Weekly anchors fall on Mondays: periods are counted from Monday 1970-01-05.
CADENCE_ORIGIN = dt.date(1970, 1, 5)
TRAITS = ("churn_risk", "purchase_propensity_90d", "predicted_ltv", "email_open_probability")
FEATURES = [
    "days_since_first_active", "days_since_last_active", "days_since_last_purchase",
    "active_days_30", "active_days_90", "active_days_365",
    "purchases_90", "purchases_365", "revenue_90", "revenue_365", "returns_365",
    "page_views_30", "product_views_30", "cart_adds_30", "page_views_90", "cart_adds_90",
    "email_sends_90", "email_opens_90", "email_clicks_90", "email_open_rate",
]
LABELS = ["is_active", "has_purchase", "label_revenue", "has_open"]

# The store: one row per trait (int_trait_models_trained).
STORE_SCHEMA = pa.schema([
    ("trait_name", pa.string()),
    ("trained_through_date", pa.date32()),
    ("retrain_days", pa.int32()),
    ("model_version", pa.string()),
    ("training_fingerprint", pa.string()),
    ("is_published", pa.bool_()),
    ("model", pa.binary()),
    ("metrics", pa.string()),
])

FEATURES_SQL = """
with past as (
    select
        customer_id,
        date '{cutoff}' - activity_date as age,
        first_active_at is not null as is_active_day,
        orders_count + cast(store_purchase_lines > 0 as integer) as purchases,
        -- money in exact decimals: the sums do not depend on the order of the rows (same scores every run)
        cast(order_revenue as decimal(18, 2)) + cast(store_purchase_amount as decimal(18, 2)) as revenue,
        returns_count,
        page_views,
        product_views,
        cart_adds,
        email_sends,
        email_opens,
        email_clicks
    from daily
    where activity_date <= date '{cutoff}'
),

features as (
    select
        customer_id,
        coalesce(max(age) filter (where is_active_day), 10000) as days_since_first_active,
        coalesce(min(age) filter (where is_active_day), 10000) as days_since_last_active,
        coalesce(min(age) filter (where purchases > 0), 10000) as days_since_last_purchase,
        count(*) filter (where is_active_day and age < 30) as active_days_30,
        count(*) filter (where is_active_day and age < 90) as active_days_90,
        count(*) filter (where is_active_day and age < 365) as active_days_365,
        coalesce(sum(purchases) filter (where age < 90), 0) as purchases_90,
        coalesce(sum(purchases) filter (where age < 365), 0) as purchases_365,
        coalesce(sum(revenue) filter (where age < 90), 0) as revenue_90,
        coalesce(sum(revenue) filter (where age < 365), 0) as revenue_365,
        coalesce(sum(returns_count) filter (where age < 365), 0) as returns_365,
        coalesce(sum(page_views) filter (where age < 30), 0) as page_views_30,
        coalesce(sum(product_views) filter (where age < 30), 0) as product_views_30,
        coalesce(sum(cart_adds) filter (where age < 30), 0) as cart_adds_30,
        coalesce(sum(page_views) filter (where age < 90), 0) as page_views_90,
        coalesce(sum(cart_adds) filter (where age < 90), 0) as cart_adds_90,
        coalesce(sum(email_sends) filter (where age < 90), 0) as email_sends_90,
        coalesce(sum(email_opens) filter (where age < 90), 0) as email_opens_90,
        coalesce(sum(email_clicks) filter (where age < 90), 0) as email_clicks_90,
        -- least() skips nulls: the case keeps "never emailed" apart
        case
            when sum(email_sends) > 0 then least(sum(email_opens) / sum(email_sends), 1.0) else -1.0
        end as email_open_rate
    from past
    group by customer_id
)
"""

# the features as of the cutoff and the labels of the horizon after it (training and holdout)
LABELLED_SQL = FEATURES_SQL + """,

labels as (
    select
        customer_id,
        bool_or(first_active_at is not null) as is_active,
        sum(orders_count + store_purchase_lines) > 0 as has_purchase,
        sum(cast(order_revenue as decimal(18, 2)) + cast(store_purchase_amount as decimal(18, 2))) as label_revenue,
        sum(email_opens) > 0 as has_open
    from daily
    where activity_date > date '{cutoff}' and activity_date <= date '{cutoff}' + {horizon}
    group by customer_id
)

select
    features.* exclude (customer_id),
    coalesce(labels.is_active, false) as is_active,
    coalesce(labels.has_purchase, false) as has_purchase,
    coalesce(labels.label_revenue, 0) as label_revenue,
    coalesce(labels.has_open, false) as has_open
from features
left join labels
    on features.customer_id = labels.customer_id
"""

# Every value the training reads, per customer and day up to the cutoff (the day before the anchor). A customer's
# rows are hashed without the customer_id (an incremental build keeps ids that a full rebuild names afresh);
# the sums of hashes are independent of the order of the rows.
FINGERPRINT_SQL = """
with days as (
    select
        customer_id,
        hash(
            activity_date, first_active_at is not null, orders_count, store_purchase_lines,
            cast(order_revenue as decimal(18, 2)), cast(store_purchase_amount as decimal(18, 2)), returns_count,
            page_views, product_views, cart_adds, email_sends, email_opens, email_clicks
        ) as day_hash
    from daily
    where activity_date <= date '{cutoff}'
),

customers as (
    select hash(sum(day_hash)) as customer_hash
    from days
    group by customer_id
)

select count(*) as customers, coalesce(sum(customer_hash), 0) as hash_sum from customers
"""


def training_anchor(as_of: dt.date, retrain_days: int) -> dt.date:
    """The first day of the cadence period that holds `as_of` (periods of `retrain_days` days from
    CADENCE_ORIGIN). The models are trained on the days before it: a pure function of the as-of, so an
    incremental build and a full rebuild of the same data agree on it."""
    if retrain_days < 1:
        raise ValueError(f"cdp__predictions_retrain_days must be at least 1, got {retrain_days}")
    periods = (as_of - CADENCE_ORIGIN).days // retrain_days
    return CADENCE_ORIGIN + dt.timedelta(days=periods * retrain_days)


def model_version() -> str:
    """Changes with this module's code or with scikit-learn: models trained by other code are retrained."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(sklearn.__version__.encode())
    return digest.hexdigest()[:16]


def history_fingerprint(daily: duckdb.DuckDBPyRelation, through: dt.date) -> str:
    """A digest of every value the training reads (days up to `through`), independent of customer naming."""
    customers, hash_sum = daily.query("daily", FINGERPRINT_SQL.format(cutoff=through)).fetchall()[0]
    return f"{customers}:{int(hash_sum) % 2**64:016x}"


def features_at(daily: duckdb.DuckDBPyRelation, cutoff: dt.date) -> pd.DataFrame:
    """One row per customer with a day on or before `cutoff` (indexed by customer_id), features as of it."""
    frame = daily.query("daily", FEATURES_SQL.format(cutoff=cutoff) + " select * from features").df()
    return frame.set_index("customer_id").astype(float)[FEATURES]


def labelled_at(daily: duckdb.DuckDBPyRelation, cutoff: dt.date) -> pd.DataFrame:
    """Features as of `cutoff` and labels of the horizon after it, without customer ids."""
    frame = daily.query("daily", LABELLED_SQL.format(cutoff=cutoff, horizon=HORIZON_DAYS)).df()
    frame[FEATURES + ["label_revenue"]] = frame[FEATURES + ["label_revenue"]].astype(float)
    return frame


def trait_frames(frame: pd.DataFrame, trait: str) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(features, label, baseline score) of the trait's population, sorted by value: one order whatever the
    order (or the names) of the customers, so the same rows give the same model, bit for bit."""
    x = frame[FEATURES]
    if trait == "churn_risk":  # customers active in the 90 days before: not active at all in the next 90
        keep, y, baseline = x["active_days_90"] > 0, ~frame["is_active"], x["days_since_last_active"]
    elif trait == "purchase_propensity_90d":  # everyone known: any purchase in the next 90 days
        keep, y, baseline = x["days_since_first_active"] < 10_000, frame["has_purchase"], -x[
            "days_since_last_purchase"]
    elif trait == "email_open_probability":  # people emailed in the 90 days before: any open in the next 90
        keep, y, baseline = x["email_sends_90"] > 0, frame["has_open"], x["email_open_rate"]
    else:  # predicted_ltv: revenue of the next 90 days, the baseline carries the last 90 days forward
        keep, y, baseline = x["days_since_first_active"] < 10_000, frame["label_revenue"], x["revenue_90"]
    rows = x[keep].assign(label=y[keep], baseline=baseline[keep])
    rows = rows.sort_values([*FEATURES, "label"], kind="mergesort", ignore_index=True)
    label = rows["label"] if trait == "predicted_ltv" else rows["label"].astype(bool)
    return rows[FEATURES], label, rows["baseline"]


@dataclass
class Trained:
    trait: str
    model: object | None
    metrics: list[dict]

    @property
    def is_published(self) -> bool:
        """Published only when the model beats its baseline on every metric."""
        return self.model is not None and all(
            r["metric_value"] is not None and r["metric_value"] > r["baseline_value"] for r in self.metrics)


def evaluate(train: pd.DataFrame, holdout: pd.DataFrame, trait: str, through: dt.date) -> Trained:
    """Trains on `train` (features as of through - 2h, h the horizon), measures on `holdout` (as of
    through - h, labels up to `through`) beside the trait's naive baseline."""
    x_train, y_train, _ = trait_frames(train, trait)
    if len(x_train) > MAX_TRAIN_ROWS:
        picked = np.sort(x_train.sample(n=MAX_TRAIN_ROWS, random_state=0).index.to_numpy())
        x_train, y_train = x_train.loc[picked], y_train.loc[picked]
    x_test, y_test, baseline = trait_frames(holdout, trait)
    common = {"trait_name": trait, "train_rows": len(x_train), "holdout_rows": len(x_test),
              "train_cutoff_at": str(through - dt.timedelta(days=2 * HORIZON_DAYS)),
              "holdout_cutoff_at": str(through - dt.timedelta(days=HORIZON_DAYS)), "horizon_days": HORIZON_DAYS}
    regression = trait == "predicted_ltv"
    usable = len(x_train) >= MIN_HOLDOUT_ROWS and len(x_test) >= MIN_HOLDOUT_ROWS and (
        regression or (y_train.nunique() == 2 and y_test.nunique() == 2))
    if not usable:
        row = {**common, "metric_name": "r2" if regression else "auc", "metric_value": None,
               "baseline_value": None, "baseline_name": "not enough history", "holdout_positive_rate": None,
               "calibration_error": None}
        return Trained(trait, None, [row])
    with threadpool_limits(1):  # one thread: the same sums in the same order, so the same model every run
        if regression:
            model = HistGradientBoostingRegressor(loss="poisson", max_iter=100, learning_rate=0.1, random_state=0)
            model.fit(x_train, y_train)
            predicted = np.clip(model.predict(x_test), 0, None)
            # the better of two naive forecasts: the last 90 days carried forward, the training mean for everyone
            naive = max(r2_score(y_test, baseline),
                        r2_score(y_test, np.full(len(y_test), float(y_train.mean()))))
            rows = [{**common, "metric_name": "r2", "metric_value": float(r2_score(y_test, predicted)),
                     "baseline_value": float(naive),
                     "baseline_name": "best of: last 90 days' revenue carried forward, training mean",
                     "holdout_positive_rate": float((y_test > 0).mean()),
                     "calibration_error": float(predicted.mean() - y_test.mean())}]
            return Trained(trait, model, rows)
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
        {**common, **extra, "metric_name": "auc", "metric_value": float(roc_auc_score(y_test, p)),
         "baseline_value": float(roc_auc_score(y_test, baseline)), "baseline_name": baseline_name},
        {**common, **extra, "metric_name": "brier_skill", "metric_value": float(1 - brier / brier_prior),
         "baseline_value": 0.0, "baseline_name": "the training positive rate for everyone"},
    ]
    return Trained(trait, model, rows)


def train(daily: duckdb.DuckDBPyRelation, through: dt.date, traits: list[str]) -> list[Trained]:
    """Trains the given traits on the history up to `through` (inclusive)."""
    train_frame = labelled_at(daily, through - dt.timedelta(days=2 * HORIZON_DAYS))
    holdout_frame = labelled_at(daily, through - dt.timedelta(days=HORIZON_DAYS))
    return [evaluate(train_frame, holdout_frame, trait, through) for trait in traits]


def store_rows(trained: list[Trained], through: dt.date, retrain_days: int, fingerprint: str) -> pa.Table:
    """The store's rows (STORE_SCHEMA) of freshly trained models; the model serialized with pickle."""
    version = model_version()
    rows = [{"trait_name": t.trait, "trained_through_date": through, "retrain_days": retrain_days,
             "model_version": version, "training_fingerprint": fingerprint, "is_published": t.is_published,
             "model": None if t.model is None else pickle.dumps(t.model, protocol=5),
             "metrics": json.dumps(t.metrics, sort_keys=True)} for t in trained]
    return pa.Table.from_pylist(rows, schema=STORE_SCHEMA)


def due_traits(kept: dict[str, tuple], through: dt.date, retrain_days: int, fingerprint: str) -> list[str]:
    """The traits to train: those with no kept model, or whose kept model was trained through another day,
    at another cadence, by other code or on another history. `kept`: {trait: (trained_through_date,
    retrain_days, model_version, training_fingerprint)}."""
    current = (through, retrain_days, model_version(), fingerprint)
    return [trait for trait in TRAITS if kept.get(trait) != current]


def metric_frame(store: pd.DataFrame) -> pd.DataFrame:
    """The kept models' metric rows (kind 'metric'), each with its model's publication and training day."""
    rows = []
    for record in store.itertuples(index=False):
        for metric in json.loads(record.metrics):
            rows.append({**metric, "is_published": bool(record.is_published),
                         "trained_at": pd.Timestamp(record.trained_through_date)})
    frame = pd.DataFrame(rows)
    for column in ("train_cutoff_at", "holdout_cutoff_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def scores(store: pd.DataFrame, x_now: pd.DataFrame) -> pd.DataFrame:
    """Scores of every customer of `x_now` for every published trait of the store (kind 'score' rows)."""
    frames = []
    for record in store.sort_values("trait_name").itertuples(index=False):
        if not record.is_published or record.model is None:
            continue
        fitted = pickle.loads(record.model)  # written by store_rows in this warehouse
        with threadpool_limits(1):
            if record.trait_name == "predicted_ltv":
                values = np.clip(fitted.predict(x_now), 0, None)
            else:
                values = fitted.predict_proba(x_now)[:, 1]
        frames.append(pd.DataFrame({"customer_id": x_now.index, "trait_name": record.trait_name,
                                    "score": np.round(values, 6)}))
    return pd.concat(frames) if frames else pd.DataFrame(columns=["customer_id", "trait_name", "score"])
