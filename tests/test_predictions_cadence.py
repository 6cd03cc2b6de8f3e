"""Predicted traits are retrained on a cadence, not on every build: the model is kept in the warehouse
(traits.int_trait_models_trained) and reused until a retrain is due, while every build scores every customer.

The dbt tests work on copies of the session's demo warehouse (as of 2026-11-15, a Sunday: the weekly anchor is
Monday 2026-11-09, the models are trained through 2026-11-08). A kept model is marked before a build (a text of
its metrics replaced): a build that trains rewrites the row, so the mark surviving proves that training did not
run. The demo's 600 people are too few for any trait to beat its baseline, so the tests publish the kept churn
model by hand (another mark a retrain undoes) to see its scores.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cdp import predictions

from .conftest import run_dbt

MARK = "kept by the previous build"
UPSTREAM = ["--select", "+int_trait_models_scored"]


# ---------------------------------------------------------------- pure functions

def test_the_training_anchor_moves_only_with_the_cadence() -> None:
    monday = dt.date(2026, 11, 9)
    assert {predictions.training_anchor(monday + dt.timedelta(days=d), 7) for d in range(7)} == {monday}
    assert predictions.training_anchor(monday - dt.timedelta(days=1), 7) == monday - dt.timedelta(days=7)
    assert predictions.training_anchor(monday + dt.timedelta(days=7), 7) == monday + dt.timedelta(days=7)
    assert predictions.training_anchor(dt.date(2026, 11, 15), 1) == dt.date(2026, 11, 15)
    thirty = {predictions.training_anchor(monday + dt.timedelta(days=d), 30) for d in range(60)}
    assert len(thirty) in (2, 3) and all((b - a).days == 30 for a, b in zip(sorted(thirty), sorted(thirty)[1:]))
    with pytest.raises(ValueError):
        predictions.training_anchor(monday, 0)


def synthetic_daily(customers: int = 400, seed: int = 3) -> pd.DataFrame:
    """A small int_customer_activity_daily: active days, page views, orders and emails of `customers` people."""
    rng = np.random.default_rng(seed)
    rows = []
    start = dt.date(2025, 6, 1)
    for c in range(customers):
        rate = rng.uniform(0.005, 0.08)
        stop = rng.integers(150, 535)  # some stop being active: churn to learn
        for day in np.flatnonzero(rng.random(535) < rate):
            if day > stop:
                continue
            date = start + dt.timedelta(days=int(day))
            bought = rng.random() < 0.3
            rows.append({
                "customer_id": f"cus_{c:016x}", "activity_date": date,
                "first_active_at": pd.Timestamp(date) + pd.Timedelta(hours=10),
                "orders_count": int(bought), "store_purchase_lines": 0, "returns_count": 0,
                "order_revenue": round(float(rng.uniform(10, 200)), 2) if bought else 0.0,
                "store_purchase_amount": 0.0, "page_views": int(rng.integers(1, 9)),
                "product_views": int(rng.integers(0, 4)), "cart_adds": int(bought),
                "email_sends": int(rng.integers(0, 2)), "email_opens": int(rng.random() < 0.3),
                "email_clicks": 0,
            })
    frame = pd.DataFrame(rows)
    frame["activity_date"] = pd.to_datetime(frame["activity_date"])
    return frame


def relation(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> duckdb.DuckDBPyRelation:
    con.execute("create or replace table daily as select * exclude (activity_date), "
                "cast(activity_date as date) as activity_date from frame")
    return con.table("daily")


THROUGH = dt.date(2026, 11, 8)


def test_the_history_fingerprint_ignores_customer_names_and_later_days_but_sees_every_change_before() -> None:
    daily = synthetic_daily(60)
    con = duckdb.connect()
    before = predictions.history_fingerprint(relation(con, daily), THROUGH)
    renamed = daily.assign(customer_id=daily["customer_id"].str.replace("cus_", "cus_f"))
    assert predictions.history_fingerprint(relation(con, renamed.sample(frac=1, random_state=1)), THROUGH) == before
    later = pd.concat([daily, daily.head(1).assign(activity_date=pd.Timestamp(THROUGH + dt.timedelta(days=1)))])
    assert predictions.history_fingerprint(relation(con, later), THROUGH) == before
    first, second = sorted(daily["customer_id"].unique())[:2]
    late_event = daily.copy()
    late_event.loc[late_event.index[0], "page_views"] += 1
    merged = daily.assign(customer_id=daily["customer_id"].replace(second, first))
    erased = daily[daily["customer_id"] != second]
    changed = [predictions.history_fingerprint(relation(con, d), THROUGH) for d in (late_event, merged, erased)]
    assert len({before, *changed}) == 4


def test_training_depends_on_the_history_not_on_its_order_or_on_customer_names() -> None:
    """What lets a full rebuild (customers named afresh, rows read in another order) train, byte for byte, the
    model an incremental build kept."""
    daily = synthetic_daily()
    con = duckdb.connect()
    first = predictions.train(relation(con, daily), THROUGH, ["churn_risk", "predicted_ltv"])
    renamed = daily.assign(customer_id=daily["customer_id"].str[::-1]).sample(frac=1, random_state=7)
    second = predictions.train(relation(con, renamed), THROUGH, ["churn_risk", "predicted_ltv"])
    assert all(a.model is not None for a in first), [a.metrics for a in first]
    assert [pickle.dumps(a.model) for a in first] == [pickle.dumps(b.model) for b in second]
    assert [a.metrics for a in first] == [b.metrics for b in second]
    # and the comparison sees a different history
    fewer = predictions.train(relation(con, daily.iloc[len(daily) // 10:]), THROUGH, ["churn_risk"])
    assert pickle.dumps(fewer[0].model) != pickle.dumps(first[0].model)


def test_a_trait_is_due_when_anything_its_model_was_trained_on_changed() -> None:
    kept = {t: (THROUGH, 7, predictions.model_version(), "12:ab") for t in predictions.TRAITS}
    assert predictions.due_traits(kept, THROUGH, 7, "12:ab") == []
    assert predictions.due_traits(kept, THROUGH + dt.timedelta(days=7), 7, "12:ab") == list(predictions.TRAITS)
    assert predictions.due_traits(kept, THROUGH, 7, "12:ac") == list(predictions.TRAITS)
    assert predictions.due_traits(kept, THROUGH, 14, "12:ab") == list(predictions.TRAITS)
    stale = {**kept, "churn_risk": (THROUGH, 7, "other code", "12:ab")}
    assert predictions.due_traits(stale, THROUGH, 7, "12:ab") == ["churn_risk"]
    assert predictions.due_traits({}, THROUGH, 7, "12:ab") == list(predictions.TRAITS)


# ---------------------------------------------------------------- builds

def store(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute("""
            select trait_name, trained_through_date, training_fingerprint, model, metrics, is_published
            from traits.int_trait_models_trained""").fetchall()}


def mark(warehouse: Path) -> None:
    """Marks the kept churn model (its baseline's name) and publishes it; a retrain undoes both."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"""
            update traits.int_trait_models_trained
            set metrics = replace(metrics, 'days since last activity', '{MARK}'), is_published = true
            where trait_name = 'churn_risk'""")


def marked(warehouse: Path) -> bool:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"""
            select count(*) from traits.int_trait_models_scored where kind = 'metric' and baseline_name = '{MARK}'
            """).fetchall()[0][0] == 1


def churn_score(warehouse: Path, customer_id: str) -> tuple[float | None, float]:
    """(the warehouse's churn score of the customer, the kept model's score of their current features)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        as_of = con.execute("select as_of_at from traits.int_traits_as_of").fetchall()[0][0]
        x_now = predictions.features_at(con.table("traits.int_customer_activity_daily"), as_of.date())
        model = pickle.loads(con.execute("select model from traits.int_trait_models_trained "
                                         "where trait_name = 'churn_risk'").fetchall()[0][0])
        found = con.execute("select score from traits.int_trait_models_scored "
                            "where kind = 'score' and trait_name = 'churn_risk' and customer_id = ?",
                            [customer_id]).fetchall()
    expected = float(np.round(model.predict_proba(x_now.loc[[customer_id]])[:, 1][0], 6))
    return (found[0][0] if found else None), expected


def land_events(warehouse: Path, message_id: str, tag: str, timestamps: list[str]) -> None:
    """Lands copies of a web event (new message ids, the given times), as `cdp ingest` would."""
    with duckdb.connect(str(warehouse)) as con:
        for n, at in enumerate(timestamps, start=1):
            con.execute("""
                insert into landing.web_events
                select 'later/web_events_' || $tag || '.jsonl', $n, _format,
                    json_merge_patch(_record, json_object('message_id', $tag || '-' || $n, 'timestamp', $at)),
                    _raw, _parse_error, (select max(_ingested_at) from landing.web_events) + interval 1 hour,
                    _file_modified_at
                from landing.web_events
                where _record->>'message_id' = $message_id""",
                        {"tag": tag, "n": n, "at": at, "message_id": message_id})


@pytest.fixture(scope="module")
def builds(demo: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the demo warehouse, its churn model marked; then (1) new events of a long-idle known customer on
    the reference day, built; then (2) one more event of theirs two months before the anchor, built."""
    tmp = tmp_path_factory.mktemp("cadence")
    warehouse, landing = tmp / "cdp.duckdb", Path(demo["env"]["CDP_LANDING_DIR"])
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], warehouse)
    kept = store(warehouse)
    mark(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        as_of = con.execute("select as_of_at from traits.int_traits_as_of").fetchall()[0][0]
        customer_id, message_id = con.execute("""
            with known as (
                select resolved.customer_id, min(events._record->>'message_id') as message_id
                from landing.web_events as events
                inner join identity.int_source_records_resolved as resolved
                    on resolved.source = 'web_events' and resolved.record_key = events._record->>'message_id'
                where events._record->>'user_id' is not null
                group by all
            )
            select known.customer_id, known.message_id
            from known
            inner join traits.int_customer_activity_daily as daily using (customer_id)
            group by all
            order by max(daily.activity_date), known.customer_id
            limit 1""").fetchall()[0]
    before = churn_score(warehouse, customer_id)
    recent = [f"{(as_of - dt.timedelta(minutes=m)):%Y-%m-%dT%H:%M:%S}Z" for m in range(10, 40, 5)]
    land_events(warehouse, message_id, "recent", recent)
    run_dbt(["run", *UPSTREAM], warehouse, landing, tmp / "target")
    within = {"store": store(warehouse), "marked": marked(warehouse), "score": churn_score(warehouse, customer_id)}
    land_events(warehouse, message_id, "late", ["2026-09-01T12:00:00Z"])
    run_dbt(["run", *UPSTREAM], warehouse, landing, tmp / "target")
    late = {"store": store(warehouse), "marked": marked(warehouse)}
    return {"kept": kept, "before": before, "within": within, "late": late, "as_of": as_of}


def test_a_build_within_the_cadence_keeps_the_model_and_moves_the_scores(builds: dict) -> None:
    kept, within = builds["kept"], builds["within"]
    assert builds["as_of"].date() == dt.date(2026, 11, 15)
    assert within["marked"], "the churn model was retrained"
    for trait, (through, fingerprint, model, _, _) in kept.items():
        assert within["store"][trait][:3] == (through, fingerprint, model) == (THROUGH, fingerprint, model)
    # the customer's new activity moved their churn score, computed by the kept model from their new features
    score_after, expected_after = within["score"]
    assert score_after == expected_after
    assert score_after != builds["before"][1]


def test_a_change_in_the_history_before_the_anchor_retrains(builds: dict) -> None:
    within, late = builds["within"], builds["late"]
    assert not late["marked"], "the churn model was kept though its history changed"
    for trait, (through, fingerprint, _, metrics, _) in late["store"].items():
        assert through == THROUGH
        assert fingerprint != within["store"][trait][1]
        assert MARK not in metrics
    assert late["store"]["churn_risk"][4] is False  # the published mark is gone with the retrain


@pytest.fixture
def marked_copy(demo: dict, tmp_path: Path) -> tuple[Path, Path]:
    warehouse = tmp_path / "cdp.duckdb"
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], warehouse)
    mark(warehouse)
    return warehouse, Path(demo["env"]["CDP_LANDING_DIR"])


def test_the_models_are_retrained_when_the_cadence_has_passed(marked_copy: tuple[Path, Path], tmp_path: Path) -> None:
    warehouse, landing = marked_copy
    models = ["--select", "int_traits_as_of", "int_trait_models_trained", "int_trait_models_scored"]
    # the demo's reference time is Sunday 2026-11-15: Monday 2026-11-09 is in the same week, 2026-11-16 is not
    run_dbt(["run", *models, "--vars", "{cdp__as_of: '2026-11-09'}"], warehouse, landing, tmp_path / "t1")
    assert marked(warehouse), "retrained within the cadence"
    run_dbt(["run", *models, "--vars", "{cdp__as_of: '2026-11-16'}"], warehouse, landing, tmp_path / "t2")
    assert not marked(warehouse)
    assert {row[0] for row in store(warehouse).values()} == {dt.date(2026, 11, 15)}
    # a shorter cadence: daily anchors, so the models are trained through the day before the reference day
    run_dbt(["run", *models, "--vars", "{cdp__as_of: '2026-11-25', cdp__predictions_retrain_days: 1}"], warehouse,
            landing, tmp_path / "t3")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select distinct trained_through_date, retrain_days from traits.int_trait_models_trained"
                           ).fetchall() == [(dt.date(2026, 11, 24), 1)]


def test_a_full_refresh_retrains_the_model_an_incremental_build_kept(demo: dict,
                                                                       marked_copy: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    warehouse, landing = marked_copy
    run_dbt(["run", "--full-refresh", "--select", "int_trait_models_trained", "int_trait_models_scored"],
            warehouse, landing, tmp_path / "target")
    assert not marked(warehouse)
    # trained again from scratch: the very models (bytes) and metrics the demo build keeps
    assert store(warehouse) == store(Path(demo["env"]["CDP_WAREHOUSE"]))
