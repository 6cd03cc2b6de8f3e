"""Scores identity resolution against the generator's ground truth.

Pairwise: two records of one true person are a true pair; two records resolved to one customer a predicted
pair. precision = correct predicted pairs / predicted pairs, recall = correct predicted pairs / true pairs
(a record that resolved to no one is a customer of its own). Also: over-merged customers (holding records of
more than one person), under-merged persons (spread over more than one customer), the largest customer.

    python -m cdp.identity.quality --warehouse W --truth DIR [--json]

Scopes: `profile` (crm_contacts, shop_customers, loyalty_members: the contract's customer_source_records),
`all` (every source record the truth gives a person), and one per source. For `profile`, the true pairs left
apart are also counted by the evidence the two records share (an email or phone; a birth date, address or email
user; only a name; nothing): pairs sharing only a name bound what an honest matcher can reach; and all the
record pairs left apart that share only their name, same person or namesakes (what joining them would cost).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

PROFILE_SOURCES = ("crm_contacts", "shop_customers", "loyalty_members")
RESOLUTION = "identity.int_source_records_resolved"

_SCORE_SQL = """
with records as (
    select
        t.person_id,
        coalesce(r.customer_id, 'unresolved|' || t.source || '|' || t.file || '|' || t.line) as customer_id
    from truth as t
    left join {resolution} as r
        on r.source = t.source and r.source_file = t.file and r.source_line = t.line
    where t.person_id is not null and ({where})
),
cells as (select person_id, customer_id, count(*)::hugeint as n from records group by all),
persons as (select person_id, sum(n) as n, count(*) as customers from cells group by all),
customers as (select customer_id, sum(n) as n, count(*) as persons from cells group by all)
select
    (select sum(n) from cells) as records,
    (select sum(n * (n - 1) / 2) from cells) as true_positive_pairs,
    (select sum(n * (n - 1) / 2) from customers) as predicted_pairs,
    (select sum(n * (n - 1) / 2) from persons) as true_pairs,
    (select count(*) from persons) as persons,
    (select count(*) from customers) as customers,
    (select count(*) from customers where persons > 1) as over_merged_customers,
    (select count(*) from persons where customers > 1) as under_merged_persons,
    (select max(n) from customers) as largest_customer_records,
    (select max(persons) from customers) as largest_customer_persons
"""


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else 1.0


def score(con: duckdb.DuckDBPyConnection, where: str = "true", resolution: str = RESOLUTION) -> dict:
    """Pairwise figures for the truth rows selected by `where` (SQL over truth columns source, file, line)."""
    row = con.execute(_SCORE_SQL.format(resolution=resolution, where=where)).fetchall()[0]
    cols = [d[0] for d in con.description]
    out = {k: (int(v) if v is not None else 0) for k, v in zip(cols, row, strict=True)}
    p = _ratio(out["true_positive_pairs"], out["predicted_pairs"])
    r = _ratio(out["true_positive_pairs"], out["true_pairs"])
    out |= {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
    return out


# The profile records of the truth with their resolved customer and prepared fields (both pair queries below).
_PROFILE_RECORDS_CTE = """
with records as (
    select distinct t.person_id, r.customer_id, p.*
    from truth as t
    inner join {resolution} as r
        on r.source = t.source and r.source_file = t.file and r.source_line = t.line
    inner join {prepared} as p
        on p.source = r.source and p.source_record_id = r.record_key
    where t.person_id is not null and t.source in ({profile})
),
"""

# The true pairs of profile records (distinct records, not rows) left apart, by the best evidence the two
# records share: what a matcher could have used. Pairs sharing only a name (David Lee with a phone, David Lee
# with an email) cannot be joined without joining namesakes: they bound the recall any honest matcher reaches.
_MISSED_SQL = _PROFILE_RECORDS_CTE + """
pairs as (
    select
        l.email_std = r.email_std or l.phone_std = r.phone_std as strong,
        l.birth_date = r.birth_date or l.postcode_std = r.postcode_std or l.street_std = r.street_std
            or l.email_local = r.email_local or damerau_levenshtein(l.email_std, r.email_std) <= 2
            or damerau_levenshtein(l.phone_std, r.phone_std) <= 2 as weak,
        l.last_name_std = r.last_name_std or jaro_winkler_similarity(l.last_name_std, r.last_name_std) >= 0.8
            or len(list_intersect(l.first_name_forms, r.first_name_forms)) > 0 as named
    from records as l
    inner join records as r
        on l.person_id = r.person_id and l.record_id < r.record_id and l.customer_id is distinct from r.customer_id
)
select
    case
        when coalesce(strong, false) then 'an email or phone'
        when coalesce(weak, false) then 'a birth date, address, email user or a near email or phone'
        when coalesce(named, false) then 'only a name'
        else 'nothing'
    end as shared_evidence,
    count(*) as missed_pairs
from pairs
group by all
order by missed_pairs desc
"""


def missed_profile_pairs(con: duckdb.DuckDBPyConnection, resolution: str = RESOLUTION,
                         prepared: str = "identity.int_profile_records_prepared") -> dict[str, int]:
    """{evidence the two records share: true pairs of profile records resolved apart}."""
    profile = ", ".join(f"'{s}'" for s in PROFILE_SOURCES)
    rows = con.execute(_MISSED_SQL.format(resolution=resolution, prepared=prepared, profile=profile)).fetchall()
    return {evidence: int(n) for evidence, n in rows}


# The ceiling of name-only evidence, measured: every pair of profile records resolved apart that agrees on the
# name (the last name and a first-name form) and shares nothing else (no email, phone, birth date, postcode or
# street in common), split by whether the two records contradict each other on a field both have, and by the
# truth. Pairs without a contradiction are what a matcher would have to join to reach the pairs "sharing only a
# name": the namesakes among them are the false pairs it would join with them.
_NAME_ONLY_SQL = _PROFILE_RECORDS_CTE + """
pairs as (
    select
        l.person_id = r.person_id as same_person,
        coalesce(l.birth_date <> r.birth_date, false) or coalesce(l.postcode_std <> r.postcode_std, false)
            or coalesce(l.phone_std <> r.phone_std, false) as contradicted
    from records as l
    inner join records as r
        on l.last_name_std = r.last_name_std and l.record_id < r.record_id
        and l.customer_id is distinct from r.customer_id
    where len(list_intersect(l.first_name_forms, r.first_name_forms)) > 0
        and not coalesce(l.email_std = r.email_std, false) and not coalesce(l.phone_std = r.phone_std, false)
        and not coalesce(l.birth_date = r.birth_date, false) and not coalesce(l.postcode_std = r.postcode_std, false)
        and not coalesce(l.street_std = r.street_std, false)
)
select
    case when contradicted then 'contradicted' else 'not contradicted' end as kind,
    count(*) filter (where same_person) as same_person,
    count(*) filter (where not same_person) as namesakes
from pairs
group by all
order by kind
"""


def name_only_pairs(con: duckdb.DuckDBPyConnection, resolution: str = RESOLUTION,
                    prepared: str = "identity.int_profile_records_prepared") -> dict[str, dict[str, int]]:
    """{contradicted | not contradicted: {same_person, namesakes}}: record pairs resolved apart that share only
    their name (see _NAME_ONLY_SQL)."""
    profile = ", ".join(f"'{s}'" for s in PROFILE_SOURCES)
    rows = con.execute(_NAME_ONLY_SQL.format(resolution=resolution, prepared=prepared, profile=profile)).fetchall()
    return {kind: {"same_person": int(a), "namesakes": int(b)} for kind, a, b in rows}


def evaluate(warehouse: Path, truth: Path, resolution: str = RESOLUTION) -> dict[str, dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(f"create temp view truth as select * from read_parquet('{truth / 'source_records.parquet'}')")
    sources = [r[0] for r in con.execute(
        f"select distinct source from {resolution} order by source").fetchall()]
    profile = ", ".join(f"'{s}'" for s in PROFILE_SOURCES)
    resolved = ", ".join(f"'{s}'" for s in sources)
    scopes = {"profile": f"t.source in ({profile})", "all": f"t.source in ({resolved})"}
    scopes |= {s: f"t.source = '{s}'" for s in sources}
    results = {name: score(con, where, resolution) for name, where in scopes.items()}
    results["profile"]["missed_pairs_by_shared_evidence"] = missed_profile_pairs(con, resolution)
    results["profile"]["name_only_pairs"] = name_only_pairs(con, resolution)
    return results


def format_table(results: dict[str, dict]) -> str:
    head = (f"{'scope':<18}{'records':>9}{'precision':>11}{'recall':>9}{'f1':>8}{'over':>7}{'under':>7}"
            f"{'largest':>9}")
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        lines.append(f"{name:<18}{r['records']:>9}{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
                     f"{r['over_merged_customers']:>7}{r['under_merged_persons']:>7}"
                     f"{r['largest_customer_records']:>9}")
    lines.append("over = customers holding records of more than one person; under = persons spread over more "
                 "than one customer; largest = records of the largest customer")
    missed = results.get("profile", {}).get("missed_pairs_by_shared_evidence")
    if missed:
        lines.append("\ntrue pairs of profile records (distinct records) left apart, by what the two share:")
        lines += [f"  {n:>6}  {evidence}" for evidence, n in missed.items()]
    name_only = results.get("profile", {}).get("name_only_pairs")
    if name_only:
        lines.append("\nrecord pairs left apart that share only their name (what joining on a name would join):")
        lines += [f"  {kind:<17} {c['same_person']:>6} same person {c['namesakes']:>6} namesakes"
                  for kind, c in name_only.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cdp.identity.quality", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--truth", required=True, type=Path, help="the truth folder (source_records.parquet)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--min-precision", type=float, default=None, help="exit 1 below this (profile scope)")
    parser.add_argument("--min-recall", type=float, default=None, help="exit 1 below this (profile scope)")
    args = parser.parse_args(argv)
    results = evaluate(args.warehouse, args.truth)
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    profile = results["profile"]
    if args.min_precision is not None and profile["precision"] < args.min_precision:
        return 1
    if args.min_recall is not None and profile["recall"] < args.min_recall:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
