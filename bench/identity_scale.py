"""Identity resolution at several scales: time and peak memory of each stage, beside the naive alternatives.

    .venv/bin/python bench/identity_scale.py [--stitch 1e4 1e5 1e6 1e7] [--path 1e6] [--match 1e4 1e5 1e6]
                                             [--naive-max 1e6] [--splink-max 1e6] [--out DIR]

Stages:
  stitch  connected components of an identity-like graph (n identifiers in components of 6-7, 1.6 n edges),
          by the project's macro `identity_connected_components` (run through `dbt run-operation`, as dbt runs
          it), by naive label propagation (one hop per pass) and by Splink's own clustering, same DuckDB,
          same 2 threads. Peak memory is the peak RSS of the process (dbt's own ~0.3 GB included).
  path    a path of n nodes (the worst case for propagation), labels in random and in path order.
  match   probabilistic matching of n synthetic contact records (1.3 records a person; nicknames, typos,
          missing fields) with cdp.identity.matching (Splink, trained), its comparisons per second, and
          the pairwise precision/recall of the links against the synthetic truth.
Every run writes a fresh DuckDB file under --out (default /tmp/identity_bench).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from multiprocessing import get_context
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")


# ---------------------------------------------------------------- graphs

def make_identity_graph(con: duckdb.DuckDBPyConnection, n: int) -> int:
    """n nodes in components of 6-7 (a spanning tree each, plus random extra edges): 1.6 n edges."""
    con.execute(f"""
        create or replace table nodes as
        select i, (i * 4) // 25 as comp from range({n}) as t(i);
        create or replace table comps as
        select comp, min(i) as start, count(*) as size from nodes group by comp;
        create or replace table edges as
        select hash(n.i) as src, hash(c.start + hash(n.i, 7) % (n.i - c.start)) as dst
        from nodes as n join comps as c using (comp) where n.i > c.start
        union all
        select hash(n.i) as src, hash(c.start + hash(n.i, 11) % c.size) as dst
        from nodes as n join comps as c using (comp)
        where hash(n.i, 13) % 100 < 91;
        delete from edges where src = dst;
    """)
    return con.execute("select count(*) from edges").fetchall()[0][0]


def make_path_graph(con: duckdb.DuckDBPyConnection, n: int, shuffled: bool) -> int:
    label = "hash(i)" if shuffled else "i"
    nxt = "hash(i + 1)" if shuffled else "i + 1"
    con.execute(f"create or replace table edges as select {label}::ubigint as src, {nxt}::ubigint as dst "
                f"from range({n - 1}) as t(i)")
    return n - 1


# ---------------------------------------------------------------- stitching, three ways

def run_ours(db: Path, work: Path) -> dict:
    """The project's macro through dbt, as a model build runs it; peak RSS of the dbt process."""
    env = {**os.environ, "CDP_WAREHOUSE": str(db), "DBT_TARGET_PATH": str(work / "target"),
           "DBT_LOG_PATH": str(work / "target" / "logs"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    args = json.dumps({"edges_table": "main.edges", "work": "main.bench_cc_"})
    cmd = ["/usr/bin/time", "-f", "MAXRSS_KB %M", DBT, "run-operation", "identity_benchmark_components",
           "--args", args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)]
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    text = out.stdout + out.stderr
    if out.returncode != 0:
        raise RuntimeError(text[-3000:])
    bench = json.loads(text.split("IDENTITY_BENCH ", 1)[1].splitlines()[0])
    rss = int(text.rsplit("MAXRSS_KB ", 1)[1].split()[0]) * 1024
    con = duckdb.connect(str(db))
    components = con.execute("select count(distinct component_id) from bench_cc_result").fetchall()[0][0]
    con.execute("drop table bench_cc_result")
    con.close()
    return {"seconds": bench["seconds"], "passes": bench["passes"], "rounds": bench["rounds"], "scans": bench["scans"],
            "peak_rss": rss, "components": components, "dbt_wall": wall}


def _naive(db: str, max_passes: int, budget_s: float, queue) -> None:
    con = duckdb.connect(db)
    con.execute("set threads to 2")
    started = time.perf_counter()
    con.execute("""
        create or replace temp table e as select src as a, dst as b from edges union all select dst, src from edges;
        create or replace temp table lab as select a as node, a as label from e group by a;
    """)
    passes, converged = 0, False
    while passes < max_passes and time.perf_counter() - started < budget_s:
        con.execute("""
            create or replace temp table nxt as
            select l.node, least(l.label, min(n.label)) as label
            from lab as l join e on e.a = l.node join lab as n on n.node = e.b group by l.node, l.label
        """)
        passes += 1
        changed = con.execute("select count(*) from nxt join lab using (node) where nxt.label <> lab.label"
                              ).fetchall()[0][0]
        con.execute("create or replace temp table lab as select * from nxt")
        if changed == 0:
            converged = True
            break
    components = con.execute("select count(distinct label) from lab").fetchall()[0][0]
    queue.put({"seconds": time.perf_counter() - started, "passes": passes, "converged": converged,
               "components": components,
               "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


def _splink(db: str, queue) -> None:
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    con = duckdb.connect(db)
    con.execute("set threads to 2")
    started = time.perf_counter()
    con.execute("create or replace temp table sp_edges as select src, dst, 1.0 as match_probability from edges;"
                "create or replace temp table sp_nodes as select src as node_id from edges union "
                "select dst from edges")
    api = DuckDBAPI(connection=con)
    out = cluster_pairwise_predictions_at_threshold(
        nodes="sp_nodes", edges="sp_edges", db_api=api, node_id_column_name="node_id",
        edge_id_column_name_left="src", edge_id_column_name_right="dst", threshold_match_probability=0.5)
    components = con.execute(f"select count(distinct cluster_id) from {out.physical_name}").fetchall()[0][0]
    queue.put({"seconds": time.perf_counter() - started, "components": components,
               "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


def _in_child(target, *args) -> dict:
    """Each contender in its own process, so that its peak RSS is its own."""
    ctx = get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def stitch_row(label: str, nodes: int, edges: int, ours: dict, naive: dict | None, splink: dict | None) -> dict:
    return {"graph": label, "nodes": nodes, "edges": edges, "ours": ours, "naive": naive, "splink": splink}


# ---------------------------------------------------------------- matching

def synthetic_contacts(n_records: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """Contact records of ~n_records/1.3 people: names with nicknames and typos, birth dates, postcodes,
    emails and phones, each field sometimes missing. Returns (records, truth record_id -> person)."""
    from cdp.generate import vocab

    rng = np.random.default_rng(seed)
    firsts = [(f[1], [x.lower() for x in f[2].split("|") if x]) for f in vocab.MALE_FIRST + vocab.FEMALE_FIRST]
    # the generator's 128 surnames, each also with one of 40 endings: ~5,000 surnames (real data has more)
    endings = ["", "son", "er", "ley", "ton", "man", "ford", "wood", "field", "well", "by", "worth", "stein",
               "berg", "ski", "ez", "es", "ini", "elli", "ova", "sen", "sson", "ard", "ling", "ridge", "more",
               "ham", "dale", "land", "bury", "combe", "hurst", "mont", "court", "leigh", "shaw", "wick", "croft",
               "gate", "holm"]
    lasts = [x[1] + e for x in vocab.LAST for e in endings]
    n_people = int(n_records / 1.3)
    first_i = rng.integers(0, len(firsts), n_people)
    last_i = rng.integers(0, len(lasts), n_people)
    dob = np.datetime64("1940-01-01") + rng.integers(0, 60 * 365, n_people).astype("timedelta64[D]")
    postcode = rng.integers(10000, 10000 + max(50, n_people // 40), n_people)
    phone = rng.integers(2_000_000_000, 9_999_999_999, n_people)
    person = np.concatenate([np.arange(n_people), rng.integers(0, n_people, n_records - n_people)])
    m = len(person)
    u = rng.random((8, m))
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))

    def typo(s: str, r: float) -> str:
        k = int(r * 1000) % max(1, len(s))
        return s[:k] + letters[int(r * 26_000) % 26] + s[k + 1:]

    rows = {k: [] for k in ("record_id", "source", "first_name_std", "first_name_forms", "first_name_key",
                            "last_name_std", "email_std", "email_local", "phone_std", "postcode_std",
                            "street_std", "city_std", "birth_date")}
    nick_map: dict[str, list[str]] = {}
    for formal, nicks in firsts:
        for nk in nicks:
            nick_map.setdefault(nk, []).append(formal)
    for r in range(m):
        p = int(person[r])
        formal, nicks = firsts[first_i[p]]
        first = nicks[0] if nicks and u[0, r] < 0.08 else formal
        if u[0, r] > 0.97:
            first = typo(first, u[7, r])
        last = lasts[last_i[p]]
        if u[1, r] < 0.03:
            last = typo(last, u[6, r])
        local = f"{formal}.{last}{p % 97}"
        email = f"{local}@mail.com" if u[2, r] < 0.97 else f"{typo(local, u[5, r])}@mail.com"
        rows["record_id"].append(f"r{r}")
        rows["source"].append("crm_contacts")
        rows["first_name_std"].append(first)
        forms = sorted({first, *nick_map.get(first, [])})
        rows["first_name_forms"].append(forms)
        rows["first_name_key"].append(min(nick_map.get(first, [first])))
        rows["last_name_std"].append(last)
        rows["email_std"].append(email if u[3, r] < 0.8 else None)
        rows["email_local"].append(email.split("@")[0] if u[3, r] < 0.8 else None)
        rows["phone_std"].append(f"+1{phone[p]}" if u[4, r] < 0.5 else None)
        rows["postcode_std"].append(str(postcode[p]) if u[5, r] < 0.7 else None)
        rows["street_std"].append(None)
        rows["city_std"].append(None)
        rows["birth_date"].append(dob[p].astype(object) if u[6, r] < 0.6 else None)
    records = pa.table(rows)
    truth = pa.table({"record_id": rows["record_id"], "person": person.astype(np.int64)})
    return records, truth


def run_match(n: int) -> dict:
    from cdp.identity.matching import MatchConfig, match_profile_records

    records, truth = synthetic_contacts(n)
    con = duckdb.connect()
    con.execute("set threads to 2")
    started = time.perf_counter()
    links, stats = match_profile_records(records, MatchConfig(), con=con)
    seconds = time.perf_counter() - started
    e = duckdb.connect()
    e.register("links", links)
    e.register("truth", truth)
    tp, pred = e.execute("select count(*) filter (where a.person = b.person), count(*) from links "
                         "join truth a on a.record_id = links.left_record_id "
                         "join truth b on b.record_id = links.right_record_id").fetchall()[0]
    true_pairs = e.execute("select sum(c * (c - 1) / 2) from (select count(*) c from truth group by person)"
                           ).fetchall()[0][0]
    return {"records": n, "seconds": seconds, "comparisons": stats["comparisons"],
            "predict_seconds": stats.get("predict_seconds"), "links": int(pred),
            "precision": tp / pred if pred else 1.0, "recall": tp / true_pairs if true_pairs else 1.0,
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def _match_child(n: int, queue) -> None:
    queue.put(run_match(n))


# ---------------------------------------------------------------- main

def gb(b: float | None) -> str:
    return "-" if b is None else f"{b / 2**30:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stitch", nargs="*", type=float, default=[1e4, 1e5, 1e6, 1e7])
    parser.add_argument("--path", nargs="*", type=float, default=[1e6])
    parser.add_argument("--match", nargs="*", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--naive-max", type=float, default=1e6, help="largest graph for naive propagation")
    parser.add_argument("--splink-max", type=float, default=1e7, help="largest graph for Splink's clustering")
    parser.add_argument("--naive-budget", type=float, default=120.0, help="seconds before naive gives up")
    parser.add_argument("--out", type=Path, default=Path("/tmp/identity_bench"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list] = {"stitch": [], "match": []}

    graphs = [("identity", int(n), None) for n in args.stitch]
    graphs += [("path-random", int(n), True) for n in args.path] + [("path-ordered", int(n), False)
                                                                      for n in args.path]
    for kind, n, shuffled in graphs:
        db = args.out / f"{kind}_{n}.duckdb"
        db.unlink(missing_ok=True)
        con = duckdb.connect(str(db))
        edges = make_identity_graph(con, n) if kind == "identity" else make_path_graph(con, n, bool(shuffled))
        con.close()
        ours = run_ours(db, args.out)
        naive = _in_child(_naive, str(db), 10_000, args.naive_budget) if n <= args.naive_max else None
        splink = _in_child(_splink, str(db)) if n <= args.splink_max else None
        row = stitch_row(kind, n, edges, ours, naive, splink)
        results["stitch"].append(row)
        print(json.dumps(row), flush=True)
        db.unlink(missing_ok=True)

    for n in args.match:
        row = _in_child(_match_child, int(n))
        results["match"].append(row)
        print(json.dumps(row), flush=True)

    print("\n| graph | nodes | edges | ours: s / rounds / edge scans / statements / peak GB | naive propagation: s / passes | "
          "Splink clustering: s / peak GB |")
    print("|---|---:|---:|---|---|---|")
    for r in results["stitch"]:
        o, nv, sp = r["ours"], r["naive"], r["splink"]
        naive = "-" if nv is None else (f"{nv['seconds']:.1f} / {nv['passes']}"
                                        + ("" if nv["converged"] else " (not converged)"))
        splink = "-" if sp is None else f"{sp['seconds']:.1f} / {gb(sp['peak_rss'])}"
        print(f"| {r['graph']} | {r['nodes']:,} | {r['edges']:,} | {o['seconds']:.1f} / {o['rounds']} / {o['scans']} / "
              f"{o['passes']} / {gb(o['peak_rss'])} | {naive} | {splink} |")
    if results["match"]:
        print("\n| contact records | seconds (train + predict) | comparisons | comparisons/s | links | "
              "precision | recall | peak GB |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results["match"]:
            rate = r["comparisons"] / r["predict_seconds"] if r.get("predict_seconds") else 0
            print(f"| {r['records']:,} | {r['seconds']:.1f} | {r['comparisons']:,} | {rate:,.0f} | {r['links']:,} "
                  f"| {r['precision']:.4f} | {r['recall']:.4f} | {gb(r['peak_rss'])} |")
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
