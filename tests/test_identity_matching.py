"""Probabilistic matching's building blocks (cdp/identity/matching.py), without dbt."""

from __future__ import annotations

import random

import duckdb

from cdp.identity.matching import _one_edit


def test_the_fast_one_edit_test_agrees_with_damerau_levenshtein() -> None:
    rng = random.Random(3)
    letters = "ab.1@"

    def edit(s: str) -> str:
        k = rng.randrange(len(s) + 1)
        kind = rng.randrange(5)
        if kind == 0:
            return s[:k] + rng.choice(letters) + s[k:]
        if kind == 1 and k < len(s):
            return s[:k] + s[k + 1:]
        if kind == 2 and k < len(s):
            return s[:k] + rng.choice(letters) + s[k + 1:]
        if kind == 3 and k + 1 < len(s):
            return s[:k] + s[k + 1] + s[k] + s[k + 2:]
        return edit(edit(s)) if kind == 4 else s

    pairs = []
    for _ in range(4000):
        s = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 9)))
        pairs.append((s, edit(s)))
        pairs.append((s, "".join(rng.choice(letters) for _ in range(rng.randrange(0, 9)))))
    con = duckdb.connect()
    con.execute("create table p (a varchar, b varchar)")
    con.executemany("insert into p values (?, ?)", pairs)
    wrong = con.execute(f"select a, b from p where ({_one_edit('a', 'b')}) <> (damerau_levenshtein(a, b) <= 1)"
                        ).fetchall()
    assert wrong == []
    within = con.execute("select count(*) filter (where damerau_levenshtein(a, b) <= 1), "
                         "count(*) filter (where damerau_levenshtein(a, b) > 1) from p").fetchall()[0]
    assert min(within) > 1000  # both sides of the test are exercised
