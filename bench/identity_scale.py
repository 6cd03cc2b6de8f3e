"""Identity resolution at several scales: time and peak memory of each stage, beside the naive alternatives.

    .venv/bin/python bench/identity_scale.py [--stitch 1e4 1e5 1e6 1e7] [--path 1e6] [--match 1e4 1e5 1e6]
        [--limits 1e5 1e6] [--naive-max 1e6] [--splink-max 1e7] [--splink-match-max 1e6]
        [--match-repeats 3] [--naive-budget 120] [--splink-budget 300] [--out DIR]

Figures, command and machine: docs/identity.md, section 8.

Stages:
  stitch  connected components of an identity-like graph (n identifiers in components of 6-7, 1.6 n edges),
          by the project's macro `identity_connected_components` (run through `dbt run-operation`, as dbt runs
          it), by naive label propagation (one hop per pass) and by Splink's own clustering, same DuckDB,
          same 2 threads, each in its own process: peak memory is that process's peak RSS (VmHWM; for ours the
          whole `dbt run-operation`, dbt's own ~0.2 GB included). Naive propagation and Splink are stopped
          after --naive-budget / --splink-budget seconds and reported as such.
  path    a path of n nodes (the worst case for propagation), labels in random and in path order.
  limits  the limits per customer (cdp.identity.limits) on the identity-like graph where 1% of the components
          hold two logins: the time to find them and rebuild them with the ordered union-find pass.
  match   probabilistic matching of n synthetic contact records (1.3 records a person; nicknames, typos,
          missing fields) with cdp.identity.matching (Splink, trained), its comparisons per second, and
          the pairwise precision/recall of the links against the synthetic truth; beside it Splink set up
          with its comparison library's defaults, the same blocking rules and the same training. Both score
          every candidate pair and write the pairs at or above the threshold; comparisons = the candidate
          pairs of the blocking rules (counted apart, the same count for both); comparisons/s = comparisons /
          predict seconds (wall, and CPU of all threads: steadier on a shared machine), training apart. The
          records are prepared as the dbt model prepares them, its derived columns included (Splink's
          defaults read only the columns they compare). --match-repeats runs of each, taking turns in fresh
          processes; every run is listed, with the fastest (wall) and the median (CPU) in bold.
Every run writes a fresh DuckDB file under --out (default /tmp/identity_bench).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
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


def peak_rss() -> int:
    """This process's peak resident memory (VmHWM), in bytes. Not ru_maxrss: a child started by fork and exec
    keeps in ru_maxrss the memory of the parent it was forked from."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux


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
               "peak_rss": peak_rss()})


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
               "peak_rss": peak_rss()})


def _in_child(target, *args, budget_s: float | None = None) -> dict:
    """Each contender in its own process, so that its peak RSS is its own; stopped after budget_s seconds."""
    import queue as queue_module

    ctx = get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    started = time.perf_counter()
    proc.start()
    try:
        result = queue.get(timeout=budget_s)
    except queue_module.Empty:
        proc.kill()
        result = {"seconds": time.perf_counter() - started, "timed_out": True, "peak_rss": None,
                  "components": None}
    proc.join()
    return result


def stitch_row(label: str, nodes: int, edges: int, ours: dict, naive: dict | None, splink: dict | None) -> dict:
    return {"graph": label, "nodes": nodes, "edges": edges, "ours": ours, "naive": naive, "splink": splink}


# ---------------------------------------------------------------- limits per customer

def run_limits(n: int, breaking_share: float = 0.01) -> dict:
    """cdp.identity.limits.decide_limits on the identity-like graph of n identifiers (components of 6-7) where
    a share of the components holds two logins (limit 1 per customer): time of the whole step (finding the
    breaking components in DuckDB, the ordered union-find pass over their edges)."""
    from cdp.identity.limits import decide_limits

    con = duckdb.connect()
    con.execute("set threads to 2")
    make_identity_graph(con, n)
    every = round(1 / breaking_share)
    con.execute(f"""
        create or replace table typed as
        select n.i, n.comp,
            case when n.i = c.start or (c.comp % {every} = 0 and n.i = c.start + 1) then 'user_id'
                 when n.i % 2 = 0 then 'email' else 'phone' end as identifier_type
        from nodes as n join comps as c using (comp);
        create or replace table keyed as
        select hash(i) as node, identifier_type || ':' || i as identifier_key, identifier_type, comp from typed;
    """)
    components = con.sql("select identifier_key, identifier_type, 'c' || comp as component_key from keyed"
                             ).to_arrow_table()
    edges = con.sql("""
        select l.identifier_key || ' ~ ' || r.identifier_key as edge_id, l.identifier_key as left_key,
            r.identifier_key as right_key, l.identifier_type as left_type, r.identifier_type as right_type,
            ['bench'] as sources, 1::bigint as record_count, null::varchar as drop_rule,
            timestamp '2026-01-01' as first_seen_at, timestamp '2026-01-01' as last_seen_at
        from edges as e join keyed as l on e.src = l.node join keyed as r on e.dst = r.node
    """).to_arrow_table()
    links = pa.table({"link_id": pa.array([], pa.string()), "left_record_id": pa.array([], pa.string()),
                      "right_record_id": pa.array([], pa.string()), "left_source": pa.array([], pa.string()),
                      "right_source": pa.array([], pa.string()), "match_weight": pa.array([], pa.float64())})
    types = pa.table({"identifier_type": ["user_id", "email", "phone"], "priority": [1, 5, 6]})
    limits = pa.table({"identifier_type": ["user_id", "email", "phone"], "max_per_customer": [1, 4, 3]})
    started = time.perf_counter()
    decisions = decide_limits(components, edges, links, types, limits)
    seconds = time.perf_counter() - started
    dropped = sum(1 for r in decisions.column("drop_rule").to_pylist() if r)
    breaking = len(set(decisions.column("component_key").to_pylist()))
    return {"identifiers": n, "edges": edges.num_rows, "breaking_components": breaking,
            "decided_edges": decisions.num_rows, "dropped_edges": dropped, "seconds": seconds,
            "peak_rss": peak_rss()}


def _limits_child(n: int, queue) -> None:
    queue.put(run_limits(n))


# ---------------------------------------------------------------- matching

def synthetic_contacts(n_records: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """Contact records of ~n_records/1.3 people: names with nicknames and typos, birth dates, postcodes,
    emails and phones, each field sometimes missing. Returns (records, truth record_id -> person)."""
    from cdp.generate import vocab
    from cdp.identity.matching import with_derived_columns

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
    # prepared as int_profile_records_prepared prepares them (its per-record derived columns included)
    records = with_derived_columns(pa.table(rows))
    truth = pa.table({"record_id": rows["record_id"], "person": person.astype(np.int64)})
    return records, truth


def run_match(n: int) -> dict:
    from cdp.identity.matching import MatchConfig, match_profile_records

    records, truth = synthetic_contacts(n)
    con = duckdb.connect()
    con.execute("set threads to 2")
    links, stats = match_profile_records(records, MatchConfig(), con=con, with_comparisons=True)
    seconds = stats["train_seconds"] + stats["predict_seconds"] + stats["explain_seconds"]
    e = duckdb.connect()
    e.register("links", links)
    e.register("truth", truth)
    tp, pred = e.execute("select count(*) filter (where a.person = b.person), count(*) from links "
                         "join truth a on a.record_id = links.left_record_id "
                         "join truth b on b.record_id = links.right_record_id").fetchall()[0]
    true_pairs = e.execute("select sum(c * (c - 1) / 2) from (select count(*) c from truth group by person)"
                           ).fetchall()[0][0]
    # scoring = predict (every candidate pair scored, the links written); training (u from random pairs, the
    # prior) and the matched_fields text are apart
    return {"records": n, "seconds": seconds, "comparisons": stats["comparisons"],
            "train_seconds": stats["train_seconds"], "explain_seconds": stats["explain_seconds"],
            "predict_seconds": stats["predict_seconds"], "predict_cpu_seconds": stats["predict_cpu_seconds"],
            "links": int(pred),
            "precision": tp / pred if pred else 1.0, "recall": tp / true_pairs if true_pairs else 1.0,
            "peak_rss": peak_rss()}


def _match_child(n: int, queue) -> None:
    queue.put(run_match(n))


def run_splink_default(n: int) -> dict:
    """Splink as its documentation sets it up (its comparison library's default comparisons), on the same
    records, with the same blocking rules and the same training (prior from deterministic rules, u from random
    pairs): the baseline for comparisons per second and for pairwise quality at the same threshold."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator

    from cdp.identity.matching import BLOCKING_RULES, MatchConfig, count_comparisons

    records, truth = synthetic_contacts(n)
    con = duckdb.connect()
    con.execute("set threads to 2")
    config = MatchConfig()
    started = time.perf_counter()
    db = DuckDBAPI(connection=con)
    df = db.register(records, table_name="profile_records")
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="record_id",
        comparisons=[cl.NameComparison("first_name_std"), cl.NameComparison("last_name_std"),
                     cl.DateOfBirthComparison("birth_date", input_is_string=False), cl.EmailComparison("email_std"),
                     cl.ExactMatch("phone_std"), cl.ExactMatch("postcode_std")],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        probability_two_random_records_match=0.0001)
    linker = Linker(df, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        ['l."email_std" = r."email_std" and l."last_name_std" = r."last_name_std"',
         'l."phone_std" = r."phone_std" and l."last_name_std" = r."last_name_std"'], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=config.max_pairs_for_u, seed=config.seed)
    train_seconds = time.perf_counter() - started
    predict_started, cpu = time.perf_counter(), time.process_time()
    # as ours: every candidate pair scored, the pairs at or above the threshold written
    predictions = linker.inference.predict(threshold_match_weight=config.match_weight_threshold,
                                           warning_mode="never")
    predict_seconds = time.perf_counter() - predict_started
    predict_cpu_seconds = time.process_time() - cpu
    seconds = time.perf_counter() - started
    name = predictions.physical_name
    comparisons = count_comparisons(con, "profile_records")  # the same count as ours, outside the timings
    con.register("truth", truth)
    tp, pred = con.execute(
        f"select count(*) filter (where a.person = b.person), count(*) from {name} as p "
        "join truth as a on a.record_id = p.record_id_l join truth as b on b.record_id = p.record_id_r "
        f"where p.match_weight >= {config.match_weight_threshold}").fetchall()[0]
    true_pairs = con.execute("select sum(c * (c - 1) / 2) from (select count(*) c from truth group by person)"
                             ).fetchall()[0][0]
    return {"records": n, "seconds": seconds, "comparisons": comparisons, "train_seconds": train_seconds,
            "predict_seconds": predict_seconds, "predict_cpu_seconds": predict_cpu_seconds, "links": int(pred),
            "precision": tp / pred if pred else 1.0, "recall": tp / true_pairs if true_pairs else 1.0,
            "peak_rss": peak_rss()}


def _splink_default_child(n: int, queue) -> None:
    queue.put(run_splink_default(n))


# ---------------------------------------------------------------- main

def gb(b: float | None) -> str:
    return "-" if b is None else f"{b / 2**30:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stitch", nargs="*", type=float, default=[1e4, 1e5, 1e6, 1e7])
    parser.add_argument("--path", nargs="*", type=float, default=[1e6])
    parser.add_argument("--match", nargs="*", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--limits", nargs="*", type=float, default=[1e5, 1e6],
                        help="identifiers of the limits-per-customer stage (1%% of components break a limit)")
    parser.add_argument("--naive-max", type=float, default=1e6, help="largest graph for naive propagation")
    parser.add_argument("--splink-max", type=float, default=1e7, help="largest graph for Splink's clustering")
    parser.add_argument("--splink-match-max", type=float, default=1e6,
                        help="largest contact set matched by Splink's default comparisons as well")
    parser.add_argument("--match-repeats", type=int, default=3,
                        help="runs of each matcher per size, taking turns; the fastest scoring is reported")
    parser.add_argument("--splink-budget", type=float, default=300.0,
                        help="seconds before Splink's clustering is stopped")
    parser.add_argument("--naive-budget", type=float, default=120.0, help="seconds before naive gives up")
    parser.add_argument("--out", type=Path, default=Path("/tmp/identity_bench"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list] = {"stitch": [], "limits": [], "match": []}

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
        naive = (_in_child(_naive, str(db), 10_000, args.naive_budget, budget_s=2 * args.naive_budget + 60)
                 if n <= args.naive_max else None)
        splink = _in_child(_splink, str(db), budget_s=args.splink_budget) if n <= args.splink_max else None
        row = stitch_row(kind, n, edges, ours, naive, splink)
        results["stitch"].append(row)
        print(json.dumps(row), flush=True)
        db.unlink(missing_ok=True)

    for n in args.limits:
        row = _in_child(_limits_child, int(n))
        results["limits"].append(row)
        print(json.dumps(row), flush=True)

    for n in args.match:
        # the two matchers take turns, each run in a fresh process; the fastest scoring of each is kept (the
        # machine is shared: the least disturbed run is the one that measures the matcher), every run is listed
        runs: dict[str, list] = {"ours": [], "splink": []}
        for _ in range(args.match_repeats):
            runs["ours"].append(_in_child(_match_child, int(n)))
            if n <= args.splink_match_max:
                runs["splink"].append(_in_child(_splink_default_child, int(n)))
        row = {k: (min(v, key=lambda r: r["predict_seconds"]) | {"runs": v} if v else None) for k, v in runs.items()}
        results["match"].append(row)
        print(json.dumps(row), flush=True)

    print("\n| graph | nodes | edges | ours: s / rounds / edge scans / statements / peak GB | naive propagation: s / passes | "
          "Splink clustering: s / peak GB |")
    print("|---|---:|---:|---|---|---|")
    for r in results["stitch"]:
        o, nv, sp = r["ours"], r["naive"], r["splink"]
        naive = "-" if nv is None else (f"{nv['seconds']:.1f} / {nv['passes']}"
                                        + ("" if nv["converged"] else " (not converged)"))
        splink = "-" if sp is None else (f"> {sp['seconds']:.0f} (stopped)" if sp.get("timed_out")
                                         else f"{sp['seconds']:.1f} / {gb(sp['peak_rss'])}")
        print(f"| {r['graph']} | {r['nodes']:,} | {r['edges']:,} | {o['seconds']:.1f} / {o['rounds']} / {o['scans']} / "
              f"{o['passes']} / {gb(o['peak_rss'])} | {naive} | {splink} |")
    if results["limits"]:
        print("\n| identifiers | edges | components breaking a limit | edges decided | edges dropped | seconds "
              "| peak GB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in results["limits"]:
            print(f"| {r['identifiers']:,} | {r['edges']:,} | {r['breaking_components']:,} | {r['decided_edges']:,} "
                  f"| {r['dropped_edges']:,} | {r['seconds']:.1f} | {gb(r['peak_rss'])} |")
    if results["match"]:
        print("\n| contact records | matcher | seconds (all) | training s | scoring s | comparisons | "
              "comparisons/s (scoring; fastest, every run) | comparisons per CPU-s (median, every run) | links | precision | recall "
              "| peak GB |")
        print("|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|")
        for row in results["match"]:
            for label, r in (("ours (cdp.identity.matching)", row["ours"]),
                             ("Splink defaults, same blocking", row["splink"])):
                if r is None:
                    continue
                rate = r["comparisons"] / r["predict_seconds"] if r.get("predict_seconds") else 0
                every = ", ".join(f"{x['comparisons'] / x['predict_seconds']:,.0f}" for x in r.get("runs", []))
                runs = r.get("runs", [r])
                best_cpu = statistics.median(x["comparisons"] / x["predict_cpu_seconds"] for x in runs)
                every_cpu = ", ".join(f"{x['comparisons'] / x['predict_cpu_seconds']:,.0f}" for x in runs)
                print(f"| {r['records']:,} | {label} | {r['seconds']:.1f} | {r['train_seconds']:.1f} "
                      f"| {r['predict_seconds']:.2f} | {r['comparisons']:,} | **{rate:,.0f}** ({every}) "
                      f"| **{best_cpu:,.0f}** ({every_cpu}) "
                      f"| {r['links']:,} | {r['precision']:.4f} | {r['recall']:.4f} | {gb(r['peak_rss'])} |")
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
