"""Limits per customer: at most N identifiers of a type in one customer (one login, a few emails...).

The connected components of the identity graph are computed first, in the warehouse, in O(log n) passes
(macro `identity_connected_components`). Almost every component respects the limits of the seed
`identifier_customer_limits`; `decide_limits` takes only the components that break one and rebuilds
each from its own edges, most trusted edge first, skipping an edge when joining its two sides would give the
customer more identifiers of a type than its limit: one ordered pass over those edges with a union-find
(Kruskal's algorithm with a capacity check), so the number of passes over the graph stays logarithmic.

The priority deciding which edge is dropped (the first one that would break a limit, in this order, is the
one dropped; every edge before it is kept):

1. deterministic edges (two identifiers seen in one record) before probabilistic links between profiles;
2. deterministic edges by the trust of their less trusted end (identifier_types.priority: an edge user_id -
   email before an email - phone), then of their more trusted end, then the edges seen in most records, then
   the earliest seen, then the edge id;
3. probabilistic links by match weight (strongest first), then the link id.

A dropped edge's rule is `customer_limit_<type>`, <type> being the most trusted type whose limit it would
break.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

DECISIONS = pa.schema([
    ("edge_id", pa.string()), ("left_key", pa.string()), ("right_key", pa.string()),
    ("left_type", pa.string()), ("right_type", pa.string()), ("edge_kind", pa.string()),
    ("sources", pa.list_(pa.string())), ("record_count", pa.int64()), ("match_weight", pa.float64()),
    ("component_key", pa.string()), ("decision_rank", pa.int64()), ("drop_rule", pa.string()),
    ("first_seen_at", pa.timestamp("us")), ("last_seen_at", pa.timestamp("us")),
])

# The components holding more identifiers of a type than its limit.
_BREAKING_SQL = """
create temp table breaking as
select distinct c.component_key
from components as c
inner join types as t on c.identifier_type = t.identifier_type
where t.max_per_customer is not null
group by c.component_key, c.identifier_type, t.max_per_customer
having count(*) > t.max_per_customer
"""

# The edges of those components, in the order of trust described above.
_EDGES_SQL = """
with
priority as (select identifier_type, priority from types),
candidate as (
    select
        e.edge_id, e.left_key, e.right_key, e.left_type, e.right_type, 'deterministic' as edge_kind, e.sources,
        cast(e.record_count as bigint) as record_count, cast(null as double) as match_weight,
        e.first_seen_at, e.last_seen_at,
        0 as kind_rank, greatest(pl.priority, pr.priority) as weak_end, least(pl.priority, pr.priority) as strong_end
    from edges as e
    inner join priority as pl on e.left_type = pl.identifier_type
    inner join priority as pr on e.right_type = pr.identifier_type
    where e.drop_rule is null
    union all
    select
        l.link_id, l.left_record_id, l.right_record_id, split_part(l.left_record_id, ':', 1),
        split_part(l.right_record_id, ':', 1), 'probabilistic', list_distinct([l.left_source, l.right_source]),
        1, l.match_weight, null, null, 1, 0, 0
    from links as l
)
select
    candidate.* exclude (kind_rank, weak_end, strong_end),
    c.component_key
from candidate
inner join components as c on candidate.left_key = c.identifier_key
inner join breaking using (component_key)
order by
    kind_rank, weak_end, strong_end, record_count desc, match_weight desc nulls last, first_seen_at nulls last,
    edge_id
"""


def decide_limits(components: pa.Table, edges: pa.Table, links: pa.Table, types: pa.Table,
                  limits: pa.Table) -> pa.Table:
    """One row per edge of a component that breaks a limit: kept (drop_rule null) or dropped, with its rule.

    components: identifier_key, identifier_type, component_key (the components before the limits);
    edges: the deterministic edges (int_identifier_edges_guarded); links: the probabilistic links
    (int_profile_records_matched); types: the seed identifier_types (identifier_type, priority); limits: the
    seed identifier_customer_limits (identifier_type, max_per_customer; a type not listed has no limit)."""
    con = duckdb.connect()
    for name, table in (("components", components), ("edges", edges), ("links", links),
                        ("type_priorities", types), ("customer_limits", limits)):
        con.register(name, table)
    con.execute("create temp view types as select t.identifier_type, t.priority, l.max_per_customer "
                "from type_priorities as t left join customer_limits as l using (identifier_type)")
    con.execute(_BREAKING_SQL)
    rows = con.execute(_EDGES_SQL).fetchall()
    cols = [d[0] for d in con.description]
    limit_rows = con.execute("select identifier_type, max_per_customer, priority from types "
                             "where max_per_customer is not null order by priority").fetchall()
    type_of = dict(con.execute("select identifier_key, identifier_type from components "
                               "where component_key in (select component_key from breaking)").fetchall())
    con.close()
    cap = {t: int(n) for t, n, _ in limit_rows}
    order = [t for t, _, _ in limit_rows]

    parent: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}

    def find(x: str) -> str:
        if x not in parent:
            parent[x] = x
            t = type_of.get(x)
            counts[x] = {t: 1} if t in cap else {}
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    out = {c: [] for c in DECISIONS.names}
    i_left, i_right = cols.index("left_key"), cols.index("right_key")
    for rank, row in enumerate(rows, start=1):
        a, b = find(row[i_left]), find(row[i_right])
        rule = None
        if a != b:
            ca, cb = counts[a], counts[b]
            broken = next((t for t in order if ca.get(t, 0) + cb.get(t, 0) > cap[t]), None)
            if broken is None:
                if len(ca) < len(cb):
                    a, b, ca, cb = b, a, cb, ca
                parent[b] = a
                for t, n in cb.items():
                    ca[t] = ca.get(t, 0) + n
                del counts[b]
            else:
                rule = f"customer_limit_{broken}"
        record = dict(zip(cols, row, strict=True))
        record |= {"decision_rank": rank, "drop_rule": rule}
        for c in DECISIONS.names:
            out[c].append(record[c])
    return pa.table(out, schema=DECISIONS)
