"""Audiences as configuration: validation messages, the compiled SQL's meaning on hand-made tables, and the
generated dbt model kept in step with audiences/*.yml."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cdp.activation.compiler import MODEL_PATH, compile_project, compile_sql
from cdp.activation.config import ConfigError, load_config
from tests.activation_fixtures import DESTINATIONS, write_config


def test_the_generated_model_is_in_step_with_the_audience_yaml() -> None:
    assert MODEL_PATH.read_text() == compile_project(), (
        "models/marts/activation/audience_membership.sql is stale: run `python -m cdp.activation compile`")


def test_every_shipped_audience_is_valid_and_sent_somewhere() -> None:
    config = load_config()
    assert set(config.audiences) == {"cart_abandoners", "lapsing_customers", "high_predicted_value",
                                     "cross_sell_in_stock", "churn_risk", "b2b_decision_makers", "service_follow_up"}
    assert all(a.destinations for a in config.audiences.values())
    assert {d.type for d in config.destinations.values()} == {"webhook", "customer_match_file", "postgres"}


def error_for(tmp_path: Path, audience_yaml: str, name: str = "bad.yml") -> str:
    with pytest.raises(ConfigError) as exc:
        write_config(tmp_path, {name: audience_yaml}, DESTINATIONS)
    return str(exc.value)


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("audience: a1\ndescription: x\npurpose: email_marketing\ntraits:\n  - [engagment_score, '>=', 5]\n",
     "audiences/bad.yml line 5: audience a1: unknown trait 'engagment_score'"),
    (("audience: a1\ndescription: x\npurpose: email_marketing\ntraits:\n  - {trait: orders_count, op: '>=', "
     "value: many}\n"), "audiences/bad.yml line 5: audience a1: value 'many' does not fit orders_count"),
    ("audience: a1\ndescription: x\npurpose: marketing\ntraits: [[orders_count, '>=', 1]]\n",
     "audience a1: purpose must be one of"),
    (("audience: a1\ndescription: x\npurpose: advertising\ntraits: [[orders_count, '>=', 1]]\n"
     "destinations:\n  - {destination: nowhere}\n"), "audience a1: unknown destination 'nowhere'"),
    (("audience: a1\ndescription: x\npurpose: advertising\ntraits: [[orders_count, '>=', 1]]\n"
     "destinations:\n  - {destination: google, fields: {first_name: first_name}}\n"),
     "destination google (google customer match) takes the fields email, phone"),
    ("audience: a1\ndescription: x\npurpose: advertising\ninclude: [a1]\n", "audience a1: includes or excludes itself"),
    (("audience: a1\ndescription: x\npurpose: advertising\ntraits: [[orders_count, '>=', 1]]\n"
      "destinations:\n  - {destination: desk, fields: {customer_id: customer_id}}\n"),
     "audience a1: destination desk: field name(s) customer_id are the table's own columns"),
    ("audience: a1\ndescription: x\npurpose: advertising\n", "has no condition"),
    ("audience: a1\ndescription: x\npurpose: advertising\ntraits: [[last_seen_at, within_days, soon]]\n",
     "line 4: audience a1: within_days needs a positive whole number of days"),
    ("audience: a1\ndescription: x\npurpose: advertising\ntraits: [[journey_stage, '=', at_risk]]\nwhere: {}\n",
     "audience a1: unknown key(s) where"),
    ("audience: a1\ndescription: x\npurpose: advertising\ntraits:\n  - [journey_stage, =, at_risk]\n",
     "audiences/bad.yml line 5: not valid YAML"),
])
def test_a_bad_definition_names_the_file_the_audience_and_the_problem(tmp_path: Path, yaml_text: str,
                                                                      expected: str) -> None:
    assert expected in error_for(tmp_path, yaml_text)


def test_an_include_cycle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"audiences/a.yml: audience a: includes/excludes form a cycle: a -> b -> a"):
        write_config(tmp_path, {
            "a.yml": "audience: a\ndescription: x\npurpose: advertising\ninclude: [b]\n",
            "b.yml": "audience: b\ndescription: x\npurpose: advertising\ntraits: [[nps, '>', 8]]\nexclude: [a]\n",
        })


AUDIENCES = {
    "buyers.yml": """
audience: buyers
description: bought at least twice
purpose: email_marketing
traits: [[orders_count, '>=', 2]]
""",
    "abandoners.yml": """
audience: abandoners
description: added to cart twice in 7 days, no order in 7 days, not buyers, loves shoes or is vip
purpose: email_marketing
traits:
  - any:
      - [stated_interests, contains, shoes]
      - [loyalty_tier, in, [gold, vip]]
events:
  - {event: Product Added, within_days: 7, min_count: 2}
  - {event: [Order Completed, Store Purchase], within_days: 7, max_count: 0}
exclude: [buyers]
""",
    "cross_sell.yml": """
audience: cross_sell
description: buyers with an in-stock positive-margin top-2 product
purpose: email_marketing
include: [buyers]
products:
  max_rank: 2
  where: [[sellable_units, '>', 0], [unit_margin, '>', 0]]
""",
}


def test_compiled_audiences_mean_what_the_yaml_says(tmp_path: Path) -> None:
    config = write_config(tmp_path, AUDIENCES, {})
    con = duckdb.connect()
    con.execute("""
        create table c360 as select * from (values
            ('c1', 0, ['shoes'], 'bronze'), ('c2', 0, [], 'vip'), ('c3', 0, [], 'bronze'), ('c4', 3, ['shoes'], 'vip'),
            ('c5', 2, [], null), ('c6', 0, ['shoes'], null)
        ) as t(customer_id, orders_count, stated_interests, loyalty_tier);
        create table ev as select customer_id, event_name, timestamp '2026-06-01' - to_days(days_ago) as occurred_at
        from (values
            ('c1', 'Product Added', 1), ('c1', 'Product Added', 3),
            ('c2', 'Product Added', 1), ('c2', 'Product Added', 2), ('c2', 'Order Completed', 1),
            ('c3', 'Product Added', 1), ('c3', 'Product Added', 2),
            ('c4', 'Product Added', 1), ('c4', 'Product Added', 2),
            ('c6', 'Product Added', 1), ('c6', 'Product Added', 20)
        ) as t(customer_id, event_name, days_ago);
        create table nbp as select * from (values
            ('c4', 1, 0, 5.0), ('c4', 2, 3, -1.0), ('c5', 3, 8, 2.0), ('c5', 1, 2, 1.5)
        ) as t(customer_id, product_rank, sellable_units, unit_margin);
    """)
    sql = compile_sql(config.audiences, {"customers": "c360", "customer_events": "ev", "next_best_products": "nbp"},
                      now="timestamp '2026-06-01'", header=False)
    rows = con.execute(f"select audience, list(customer_id order by customer_id) from ({sql}) group by 1 "
                       "order by 1").fetchall()
    # c2 ordered, c3 neither likes shoes nor is vip, c4 is a buyer, c6 added once in the window
    assert rows == [("abandoners", ["c1"]), ("buyers", ["c4", "c5"]), ("cross_sell", ["c5"])]


def test_the_check_command_validates_the_shipped_definitions(capsys: pytest.CaptureFixture) -> None:
    from cdp.activation.__main__ import main

    assert main(["check"]) == 0
    assert "7 audiences and 4 destinations are valid" in capsys.readouterr().out


def test_every_destination_is_a_dbt_exposure() -> None:
    import yaml

    path = MODEL_PATH.parent / "_activation__exposures.yml"
    exposures = {e["name"] for e in yaml.safe_load(path.read_text())["exposures"]}
    assert exposures == set(load_config().destinations)


def test_long_value_lists_compile_to_lines_sqlfluff_accepts(tmp_path: Path) -> None:
    categories = [f"a_rather_long_category_name_{i}" for i in range(8)]
    config = write_config(tmp_path, {"long.yml": f"""
audience: long_lists
description: long lists
purpose: email_marketing
traits: [[favourite_category, in, {categories}]]
events: [{{event: {categories}, within_days: 30}}]
"""}, {})
    sql = compile_sql(config.audiences)
    assert max(len(line) for line in sql.splitlines()) <= 120
    assert "            'a_rather_long_category_name_7'\n        )" in sql
