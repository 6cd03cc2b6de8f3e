"""customer_360 on the shared demo warehouse: one row per customer with the contract's columns, survivorship,
sessions, journey stages, predictions gated by their baselines, next-best products, the service lookup and the
PII-free view; and the generic tests `between` / `not_after` catch what they must."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from .conftest import ROOT, cdp

CONTRACT_COLUMNS = """
customer_id first_name last_name email phone date_of_birth street_address city postcode country
first_seen_at last_seen_at sessions_count page_views product_views cart_adds last_cart_add_at orders_count
first_order_at last_order_at revenue_total average_order_value returns_count store_revenue_share
favourite_category email_sends email_opens email_clicks last_email_open_at engagement_score
engagement_score_change_30d tickets_open tickets_closed last_csat last_csat_at nps loyalty_tier loyalty_points
rfm_recency rfm_frequency rfm_monetary rfm_segment journey_stage journey_stage_entered_at churn_risk
purchase_propensity_90d predicted_ltv email_open_probability stated_preferred_channel stated_interests
stated_contact_frequency current_account_id current_account_name current_account_industry
current_account_employee_count current_role work_email is_decision_maker is_email_marketing_granted
is_sms_marketing_granted is_advertising_granted is_email_suppressed
""".split()  # noqa: SIM905
GOLDEN = ["first_name", "last_name", "email", "phone", "date_of_birth", "street_address", "city", "postcode", "country"]
PII = {"first_name", "last_name", "email", "phone", "date_of_birth", "street_address", "city", "postcode",
       "work_email"}


@pytest.fixture(scope="module")
def con(demo: dict, tmp_path_factory: pytest.TempPathFactory):
    """A read-only connection to a copy of the demo warehouse (the build keeps no lock on the copy)."""
    copy = tmp_path_factory.mktemp("c360") / "cdp.duckdb"
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], copy)
    connection = duckdb.connect(str(copy), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_one_row_per_customer_with_every_contract_column(con) -> None:
    columns = {r[0] for r in rows(con, "select column_name from information_schema.columns "
                                        "where table_schema = 'main' and table_name = 'customer_360'")}
    expected = set(CONTRACT_COLUMNS) | {f"{a}_{s}" for a in GOLDEN for s in ("source", "updated_at")}
    assert expected <= columns, sorted(expected - columns)
    (n, distinct, customers), = rows(con, """
        select count(*), count(distinct customer_id),
               (select count(distinct customer_id) from main.customer_identifiers)
        from main.customer_360""")
    assert n == distinct == customers


def test_traits_are_populated_where_the_data_allows(con) -> None:
    filled = dict(zip(
        ["email", "first_seen_at", "sessions", "orders", "category", "journey", "rfm", "csat", "nps", "loyalty",
         "account", "stated", "churn", "nbp"],
        rows(con, """
            select count(email), count(first_seen_at), count(*) filter (where sessions_count > 0),
                   count(*) filter (where orders_count > 0), count(favourite_category), count(journey_stage),
                   count(rfm_recency), count(last_csat), count(nps), count(loyalty_tier),
                   count(current_account_id), count(stated_preferred_channel), count(churn_risk),
                   (select count(distinct customer_id) from main.customer_next_best_products)
            from main.customer_360""")[0], strict=True))
    assert all(v > 0 for k, v in filled.items() if k != "churn"), filled


def test_reference_time_is_the_latest_event_landed_not_the_wall_clock(con) -> None:
    (as_of, latest_web), = rows(con, """
        select (select max(traits_as_of) from main.customer_360),
               (select max(occurred_at) from staging.stg_web_events__events
                where occurred_at <= _ingested_at + interval 1 day)""")
    assert as_of >= latest_web
    assert as_of - latest_web < timedelta(days=2)


def test_a_hard_bounced_email_never_survives_a_valid_one(con) -> None:
    assert rows(con, """
        select count(*) from traits.int_golden_attributes_ranked as s
        where s.is_survivor and not s.is_valid and exists (
            select 1 from traits.int_golden_attributes_ranked as o
            where o.customer_id = s.customer_id and o.attribute = s.attribute and o.is_valid)""") == [(0,)]
    bounced = rows(con, """
        select count(*) from main.customer_360 as c
        inner join main.suppressions as s
            on s.identifier_type = 'email' and s.reason = 'bounce_hard'
            and s.identifier_value = regexp_replace(c.email, '\\+[^@]*@', '@')
        where exists (select 1 from traits.int_golden_attributes_ranked as o
                      where o.customer_id = c.customer_id and o.attribute = 'email' and o.is_valid)""")
    assert bounced == [(0,)]


def test_every_golden_attribute_names_its_source_and_time(con) -> None:
    for attribute in GOLDEN:
        (bad,), = rows(con, f"""
            select count(*) from main.customer_360
            where {attribute} is not null and ({attribute}_source is null or {attribute}_updated_at is null)""")
        assert bad == 0, attribute


def test_sessions_split_after_30_minutes_across_devices(con) -> None:
    """Recount the sessions of the 20 busiest customers from their raw web and app events."""
    busiest = rows(con, "select customer_id, sessions_count from main.customer_360 "
                        "order by sessions_count desc, customer_id limit 20")
    for customer_id, sessions in busiest:
        times = [r[0] for r in rows(con, """
            select distinct date_trunc('minute', occurred_at) from main.fct_customer_events
            where customer_id = ? and source in ('web_events', 'mobile_events') order by 1""", [customer_id])]
        expected = sum(1 for i, t in enumerate(times) if i == 0 or t - times[i - 1] > timedelta(minutes=30))
        assert sessions == expected, customer_id


def test_journey_stage_follows_the_days_since_last_activity(con) -> None:
    mismatched = rows(con, """
        with c as (
            select customer_id, journey_stage,
                   date_diff('day', cast(last_seen_at as date), cast(traits_as_of as date)) as idle,
                   date_diff('day', cast(first_seen_at as date), cast(traits_as_of as date)) as age
            from main.customer_360 where last_seen_at is not null
        )
        select customer_id, journey_stage, idle, age from c
        where journey_stage <> case when idle > 180 then 'churned' when idle > 90 then 'lapsed'
                                    when idle > 30 then 'at_risk' when age <= 30 then 'new' else 'active' end
        limit 5""")
    assert mismatched == []
    (stale,), = rows(con, """
        select count(*) from main.customer_360 as c
        inner join main.customer_journey_transitions as t
            on c.customer_id = t.customer_id and t.is_current_stage
        where t.to_stage <> c.journey_stage or t.entered_at <> c.journey_stage_entered_at""")
    assert stale == 0
    # a falling customer shows as a transition out of active
    (drops,), = rows(con, "select count(*) from main.customer_journey_transitions "
                          "where from_stage in ('new', 'active') and to_stage = 'at_risk'")
    assert drops > 0


def test_predicted_traits_are_published_only_when_they_beat_their_baseline(con) -> None:
    metrics = rows(con, "select trait_name, bool_and(metric_value > baseline_value), bool_and(is_published), "
                        "min(holdout_rows) from main.fct_trait_model_metrics group by trait_name")
    assert {m[0] for m in metrics} == {"churn_risk", "purchase_propensity_90d", "predicted_ltv",
                                      "email_open_probability"}
    for trait, beats, published, holdout_rows in metrics:
        assert published == bool(beats), trait
        (scored,), = rows(con, f"select count({trait}) from main.customer_360")
        assert (scored > 0) == published, trait
        if published:
            assert holdout_rows >= 50
    (out_of_range,), = rows(con, """
        select count(*) from main.customer_360
        where churn_risk not between 0 and 1 or purchase_propensity_90d not between 0 and 1
            or email_open_probability not between 0 and 1 or predicted_ltv < 0""")
    assert out_of_range == 0


def test_consent_summary_denies_by_default(con) -> None:
    (granted_without_consent,), = rows(con, """
        select count(*) from main.customer_360 as c
        where c.is_email_marketing_granted and not exists (
            select 1 from main.consent_current as k
            where k.customer_id = c.customer_id and k.purpose = 'email_marketing' and k.is_granted
              and k.consent_context = 'personal')""")
    assert granted_without_consent == 0
    (unsuppressed,), = rows(con, """
        select count(*) from main.suppressions as s
        inner join main.customer_360 as c on s.customer_id = c.customer_id
        where s.is_active and s.suppression_scope in ('email', 'all') and not c.is_email_suppressed""")
    assert unsuppressed == 0


def test_next_best_products_are_sellable_and_not_bought_recently(con) -> None:
    (bad,), = rows(con, """
        select count(*) from main.customer_next_best_products as n
        inner join main.dim_products as p on n.sku = p.sku
        where not p.is_recommendable or n.product_rank > 5""")
    assert bad == 0
    (bought,), = rows(con, """
        select count(*) from main.customer_next_best_products as n
        inner join main.fct_customer_events as e
            on n.customer_id = e.customer_id and e.sku = n.sku and e.event_name = 'Store Purchase'
        where e.occurred_at > (select max(traits_as_of) from main.customer_360) - interval 90 day""")
    assert bought == 0


def test_b2b_current_relationship_is_the_open_membership(con) -> None:
    (wrong,), = rows(con, """
        select count(*) from main.customer_360 as c
        inner join main.fct_customer_account_memberships as m
            on c.customer_id = m.customer_id and m.is_current_relationship
        where m.ended_at is not null or c.current_account_id <> m.account_id""")
    assert wrong == 0
    (doubles,), = rows(con, """
        select count(*) from (
            select customer_id from main.fct_customer_account_memberships where is_current_relationship
            group by customer_id having count(*) > 1)""")
    assert doubles == 0
    # ended memberships are kept as history, never shown as the current employer
    (ended, shown), = rows(con, """
        select count(*), count(*) filter (where c.current_account_id = m.account_id and c."current_role" = m.role
                                          and not exists (select 1 from main.fct_customer_account_memberships as o
                                                          where o.customer_id = m.customer_id
                                                            and o.is_current_relationship
                                                            and o.account_id = m.account_id))
        from main.fct_customer_account_memberships as m
        inner join main.customer_360 as c on m.customer_id = c.customer_id
        where m.ended_at is not null""")
    assert ended > 0 and shown == 0


def test_generalized_view_holds_no_pii(con) -> None:
    columns = {r[0] for r in rows(con, "select column_name from information_schema.columns "
                                        "where table_name = 'customer_360_generalized'")}
    assert not columns & PII
    sample = rows(con, """
        select c.email, g.email_sha256, c.date_of_birth, g.age_band, c.postcode, g.postcode_district
        from main.customer_360 as c inner join main.customer_360_generalized as g using (customer_id)
        where c.email is not null and c.date_of_birth is not null and c.postcode is not null limit 20""")
    assert sample
    for email, email_hash, birth, band, postcode, district in sample:
        normalized = re.sub(r"\+[^@]*@", "@", email.strip().lower())
        assert email_hash == hashlib.sha256(normalized.encode()).hexdigest()
        assert band and str(birth) not in band
        assert district and district != postcode and postcode.startswith(district)


def test_service_lookup_by_email_and_phone(con, demo: dict) -> None:
    (customer_id, email, name), = rows(con, """
        select l.customer_id, l.lookup_value, l.first_name from main.customer_service_lookup as l
        where l.lookup_type = 'email' and l.open_orders_count > 0 and l.first_name is not null
        order by l.lookup_id limit 1""")
    open_orders = rows(con, """
        select list_sort(list(o.order_id)) from staging.stg_orders__orders as o
        inner join identity.int_source_records_resolved as r on r.source = 'orders' and r.record_key = o.order_id
        where o.is_current and o.order_status in ('placed', 'shipped') and r.customer_id = ?""", [customer_id])
    (found,), = rows(con, "select list_sort(open_order_ids) from main.customer_service_lookup "
                          "where lookup_type = 'email' and lookup_value = ?", [email])
    assert found == open_orders[0][0]
    result = cdp(["lookup", "--email", email.upper()], demo["env"])
    assert result.returncode == 0, result.stderr
    assert name in result.stdout and open_orders[0][0][0] in result.stdout
    missing = cdp(["lookup", "--phone", "+19999999999"], demo["env"])
    assert missing.returncode == 1 and "no customer" in missing.stdout


def render_test(file: str, **kwargs: object) -> str:
    """The SQL of one of the project's generic tests (macros/tests/), rendered with Jinja as dbt does."""
    import jinja2

    text = (ROOT / "macros" / "tests" / file).read_text()
    text = re.sub(r"\{% test (\w+)\(", r"{% macro \1(", text).replace("{% endtest %}", "{% endmacro %}")
    name = re.search(r"\{% macro (\w+)\(", text).group(1)
    module = jinja2.Environment().from_string(text).make_module({"exceptions": None})
    return str(getattr(module, name)(**kwargs))


@pytest.mark.parametrize(("file", "kwargs", "good", "bad"), [
    ("test_between.sql", {"min_value": 0, "max_value": 1}, [0.0, 0.5, 1.0, None], [1.5, -0.1]),
    ("test_between.sql", {"min_value": 1}, [1, 5, 100], [0]),
    ("test_not_after.sql", {"other_column": "b"}, [("2026-01-01", "2026-01-02"), ("2026-01-01", None)],
     [("2026-01-03", "2026-01-02")]),
])
def test_generic_tests_fail_on_the_bad_case(file: str, kwargs: dict, good: list, bad: list, tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    if "between" in file:
        sql = render_test(file, model="t", column_name="a", **kwargs)
        con.execute("create table t (a double)")
        con.executemany("insert into t values (?)", [[v] for v in good])
    else:
        sql = render_test(file, model="t", column_name="a", **kwargs)
        con.execute("create table t (a timestamp, b timestamp)")
        con.executemany("insert into t values (?, ?)", good)
    assert con.execute(sql).fetchall() == []
    if "between" in file:
        con.executemany("insert into t values (?)", [[v] for v in bad])
    else:
        con.executemany("insert into t values (?, ?)", bad)
    assert len(con.execute(sql).fetchall()) == len(bad)
