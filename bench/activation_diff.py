"""Times the audience diff of cdp/activation/sync.py (DIFF_SQL: a keyed full outer join comparing payload
hashes) against the naive full-snapshot diff (EXCEPT both ways over whole payload rows, then classified by key),
on synthetic membership/snapshot tables at 1% churn.

    .venv/bin/python bench/activation_diff.py                     # 10^5, 10^6, 10^7 rows
    .venv/bin/python bench/activation_diff.py --rows 100000 --churn 0.01

Churn: of the snapshot's rows, churn/3 leave (removes), churn/3 change a trait (updates), and churn/3 new members
join (adds). Each (rows, method) runs in its own child process, so that its peak memory (max RSS) is its own;
DuckDB uses all cores (2 here) with a 4 GB memory limit (it spills to disk beyond). The bar: the diff at 1% churn
over 10^7 members in under 10 seconds. Both methods must find the same adds, updates and removes (checked).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from cdp.activation.sync import DIFF_SQL

PAYLOAD = """
    'cus_' || lpad(cast(i as varchar), 16, '0') as customer_id,
    'person.' || i || '@example.com' as email,
    'First' || (i % 5000) as first_name,
    'Last' || (i % 7000) as last_name,
    'category_' || (i % 40) as favourite_category,
    cast(i % 100 as double) + {bump} as engagement_score,
    timestamp '2026-01-01' + to_seconds(i % 9000000) as last_cart_add_at
"""


def build(con: duckdb.DuckDBPyConnection, rows: int, churn: float) -> None:
    """snapshot_full/current_full: the payload rows (naive); snapshot/current: key + payload hash (ours)."""
    third = max(1, int(rows * churn / 3))
    con.execute(f"""
        create table snapshot_full as select {PAYLOAD.format(bump=0)} from range({rows}) as t(i);
        create table current_full as
            select {PAYLOAD.format(bump='case when i < {third} * 2 then 0.5 else 0 end')}
            from range({third}, {rows} + {third}) as t(i);
    """.replace("{third}", str(third)))
    # ours: the payload is hashed once when the current rows are read (sync.payloads), the snapshot keeps its
    # 64-bit fingerprint (a ubigint, as sync.fingerprint makes it; DuckDB's hash() stands in for it here)
    for name in ("snapshot", "current"):
        con.execute(f"""
            create table {name} as
            select customer_id, hash(concat_ws('|', email, first_name, last_name, favourite_category,
                                               engagement_score, last_cart_add_at)) as payload_hash,
                   cast(null as varchar) as record_key
            from {name}_full""")


OURS = "select operation, count(*) from ({diff}) group by operation order by operation"
NAIVE = """
with
added_or_changed as (select * from current_full except select * from snapshot_full),
removed_or_old as (select * from snapshot_full except select * from current_full),
classified as (
    select
        coalesce(a.customer_id, r.customer_id) as customer_id,
        case when r.customer_id is null then 'add' when a.customer_id is null then 'remove' else 'update' end
            as operation
    from added_or_changed as a
    full outer join removed_or_old as r on a.customer_id = r.customer_id
)
select operation, count(*) from classified group by operation order by operation
"""


def child(rows: int, churn: float, method: str, tmp: str) -> dict:
    con = duckdb.connect(str(Path(tmp) / f"bench_{method}_{rows}.duckdb"))
    con.execute(f"set temp_directory = '{tmp}'")
    con.execute("set memory_limit = '4GB'")
    build(con, rows, churn)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sql = OURS.format(diff=DIFF_SQL.format(current="current", snapshot="snapshot")) if method == "ours" else NAIVE
    started = time.perf_counter()
    counts = con.execute(sql).fetchall()
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    con.close()
    return {"rows": rows, "method": method, "seconds": seconds, "counts": dict(counts),
            "peak_rss_mb": rss_after / 1024, "rss_before_diff_mb": rss_before / 1024}


def measure(rows: int, churn: float, method: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="cdp-activation-bench-") as tmp:
        out = subprocess.run([sys.executable, __file__, "--child", method, "--rows", str(rows), "--churn", str(churn),
                              "--tmp", tmp], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--churn", type=float, default=0.01)
    parser.add_argument("--child", choices=["ours", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.rows[0], args.churn, args.child, args.tmp)))
        return 0
    print(f"audience diff at {args.churn:.0%} churn (DuckDB {duckdb.__version__}, "
          f"memory_limit 4GB, peak RSS of the child process)")
    print(f"{'rows':>12} {'method':<8} {'seconds':>8} {'peak MB':>8} {'MB before':>9}  adds/updates/removes")
    failed = False
    for rows in args.rows:
        results = [measure(rows, args.churn, m) for m in ("ours", "naive")]
        for r in results:
            c = r["counts"]
            print(f"{rows:>12,} {r['method']:<8} {r['seconds']:>8.2f} {r['peak_rss_mb']:>8.0f} "
                  f"{r['rss_before_diff_mb']:>9.0f}  {c.get('add', 0)}/{c.get('update', 0)}/{c.get('remove', 0)}")
        if results[0]["counts"] != results[1]["counts"]:
            print(f"  MISMATCH at {rows:,} rows: {results[0]['counts']} vs {results[1]['counts']}")
            failed = True
        print(f"{'':>12} speed-up {results[1]['seconds'] / results[0]['seconds']:.1f}x")
        if rows >= 10_000_000 and results[0]["seconds"] >= 10:
            print(f"  OVER THE BAR: {results[0]['seconds']:.2f}s >= 10s at {rows:,} rows")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
