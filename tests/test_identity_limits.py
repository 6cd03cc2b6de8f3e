"""Limits per customer (cdp/identity/limits.py) on tiny graphs, without dbt: which edge goes, and why."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from cdp.identity.limits import decide_limits

TYPES = pa.table({"identifier_type": ["user_id", "shop_customer_id", "email", "phone", "anonymous_id"],
                  "priority": [1, 2, 5, 6, 9]})
LIMITS = pa.table({"identifier_type": ["user_id", "shop_customer_id", "email"], "max_per_customer": [1, 1, 2]})
SEEN = dt.datetime(2026, 10, 1)


def edge(left: str, right: str, records: int = 1, day: int = 1) -> dict:
    left, right = sorted((left, right))
    return {"edge_id": f"{left} ~ {right}", "left_key": left, "right_key": right,
            "left_type": left.split(":")[0], "right_type": right.split(":")[0], "sources": ["web_events"],
            "record_count": records, "drop_rule": None, "first_seen_at": SEEN + dt.timedelta(days=day),
            "last_seen_at": SEEN + dt.timedelta(days=day)}


def link(left: str, right: str, weight: float) -> dict:
    return {"link_id": f"{left} ~ {right}", "left_record_id": left, "right_record_id": right,
            "left_source": "shop_customers", "right_source": "shop_customers", "match_weight": weight}


def decide(edges: list[dict], links: list[dict] | None = None) -> dict[str, str | None]:
    """{edge id: drop rule} for a graph that is one component."""
    keys = sorted({e["left_key"] for e in edges} | {e["right_key"] for e in edges}
                  | {k for lk in links or [] for k in (lk["left_record_id"], lk["right_record_id"])})
    components = pa.table({"identifier_key": keys, "identifier_type": [k.split(":")[0] for k in keys],
                           "component_key": [keys[0]] * len(keys)})
    link_table = pa.Table.from_pylist(links or [], schema=pa.schema([
        ("link_id", pa.string()), ("left_record_id", pa.string()), ("right_record_id", pa.string()),
        ("left_source", pa.string()), ("right_source", pa.string()), ("match_weight", pa.float64())]))
    out = decide_limits(components, pa.Table.from_pylist(edges), link_table, TYPES, LIMITS)
    assert out.column("decision_rank").to_pylist() == list(range(1, out.num_rows + 1))
    return dict(zip(out.column("edge_id").to_pylist(), out.column("drop_rule").to_pylist(), strict=True))


def test_a_component_within_its_limits_is_left_alone() -> None:
    assert decide([edge("user_id:u1", "email:a"), edge("email:a", "phone:p"), edge("phone:p", "email:b")]) == {}


def test_the_least_trusted_edge_that_would_join_two_logins_is_dropped() -> None:
    decisions = decide([edge("user_id:u1", "email:a"), edge("user_id:u2", "phone:p"),
                        edge("email:a", "phone:p", records=5)])
    assert decisions == {"email:a ~ user_id:u1": None, "phone:p ~ user_id:u2": None,
                         "email:a ~ phone:p": "customer_limit_user_id"}


def test_more_records_then_earlier_first_seen_decide_between_edges_of_equal_types() -> None:
    # email a is on two logins' records: the edge seen in more records wins, then the one seen first
    assert decide([edge("user_id:u1", "email:a", records=1), edge("user_id:u2", "email:a", records=3)]) == {
        "email:a ~ user_id:u2": None, "email:a ~ user_id:u1": "customer_limit_user_id"}
    assert decide([edge("user_id:u1", "email:a", day=5), edge("user_id:u2", "email:a", day=2)]) == {
        "email:a ~ user_id:u2": None, "email:a ~ user_id:u1": "customer_limit_user_id"}


def test_a_probabilistic_link_gives_way_to_deterministic_edges_the_weakest_first() -> None:
    decisions = decide(
        [edge("shop_customer_id:s1", "email:a"), edge("shop_customer_id:s2", "email:b")],
        [link("shop_customer_id:s1", "shop_customer_id:s2", 9.0)])
    assert decisions["shop_customer_id:s1 ~ shop_customer_id:s2"] == "customer_limit_shop_customer_id"
    assert decisions["email:a ~ shop_customer_id:s1"] is None


def test_the_count_of_a_limited_type_adds_up_across_joins() -> None:
    # three emails on one phone: at most two per customer, so the third email stays apart
    decisions = decide([edge("phone:p", "email:a", records=3), edge("phone:p", "email:b", records=2),
                        edge("phone:p", "email:c", records=1)])
    assert [r for r in decisions.values() if r] == ["customer_limit_email"]
    assert decisions["email:c ~ phone:p"] == "customer_limit_email"


def test_a_type_without_a_limit_never_blocks() -> None:
    # anonymous ids have no limit: four of them on one login stay together
    edges = [edge("user_id:u1", f"anonymous_id:c{i}") for i in range(4)] + [edge("user_id:u1", "email:a")]
    assert decide(edges) == {}
