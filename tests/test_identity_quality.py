"""The identity quality command (`cdp identity-quality`, cdp/identity/quality.py) on the session demo: it scores
the resolution against the generator's truth, and its figures move the right way on a bad resolution."""

from __future__ import annotations

import json

import duckdb
import pytest

from cdp.identity.quality import PROFILE_SOURCES, name_only_pairs, score

from .conftest import cdp

PROFILE = "t.source in (" + ", ".join(f"'{s}'" for s in PROFILE_SOURCES) + ")"


@pytest.fixture(scope="module")
def scored(demo: dict) -> dict:
    result = cdp(["identity-quality", "--json"], demo["env"])
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def connect(demo: dict, customer_sql: str) -> duckdb.DuckDBPyConnection:
    """The demo's truth and a made-up resolution: every staged row resolved to `customer_sql`."""
    con = duckdb.connect()
    con.execute(f"attach '{demo['env']['CDP_WAREHOUSE']}' as wh (read_only)")
    con.execute(f"create view truth as select * from read_parquet('{demo['truth'] / 'source_records.parquet'}')")
    con.execute(f"create view made_up as select source, source_file, source_line, {customer_sql} as customer_id "
                "from wh.identity.int_source_records_resolved")
    return con


def test_the_demo_is_scored_per_scope_with_the_missed_pairs_explained(scored: dict) -> None:
    profile = scored["profile"]
    assert {"profile", "all", "crm_contacts", "web_events"} <= set(scored)
    assert profile["records"] > 500 and profile["true_pairs"] > 100
    # the targets of the issue, with the margin a 600-person demo needs
    assert profile["precision"] >= 0.99
    assert profile["recall"] >= 0.93
    assert profile["true_positive_pairs"] <= min(profile["true_pairs"], profile["predicted_pairs"])
    missed = profile["missed_pairs_by_shared_evidence"]
    assert set(missed) <= {"an email or phone", "a birth date, address, email user or a near email or phone",
                           "only a name", "nothing"}
    assert missed.get("an email or phone", 0) == 0  # a shared email or phone always links


def test_a_resolution_that_merges_everyone_scores_low_precision_and_full_recall(demo: dict) -> None:
    out = score(connect(demo, "'everyone'"), PROFILE, resolution="made_up")
    # (a truth row that no staged row carries stays a customer of its own, hence not quite 1.0)
    assert out["recall"] > 0.95 and out["precision"] < 0.01
    assert out["over_merged_customers"] == 1 and out["largest_customer_persons"] > 300


def test_a_resolution_that_links_nothing_scores_no_recall(demo: dict) -> None:
    out = score(connect(demo, "source || source_file || source_line"), PROFILE, resolution="made_up")
    assert out["recall"] == 0.0 and out["precision"] == 1.0
    assert out["under_merged_persons"] > 100 and out["over_merged_customers"] == 0


def test_the_command_fails_below_the_targets_it_is_given(demo: dict, scored: dict) -> None:
    above = cdp(["identity-quality", f"--min-precision={scored['profile']['precision'] - 0.01}"], demo["env"])
    below = cdp(["identity-quality", "--min-recall=1.01"], demo["env"])
    assert above.returncode == 0 and below.returncode == 1
    assert "precision" in below.stdout and "left apart" in below.stdout


def test_pairs_sharing_only_a_name_are_counted_as_same_person_or_namesakes(demo: dict, scored: dict) -> None:
    prepared = "wh.identity.int_profile_records_prepared"

    def made_up(customer_sql: str) -> duckdb.DuckDBPyConnection:
        con = connect(demo, customer_sql)  # and the record of each row, which this count reads
        con.execute(f"create view with_records as select source, source_file, source_line, record_key, "
                    f"{customer_sql} as customer_id from wh.identity.int_source_records_resolved")
        return con

    apart = name_only_pairs(made_up("source || source_file || source_line"), "with_records", prepared)
    together = name_only_pairs(made_up("'everyone'"), "with_records", prepared)
    assert together == {}  # nothing left apart, nothing to count
    # resolved apart, every pair of records with one name and nothing else in common is counted, split by the
    # truth: the same person's records and namesakes both (on the 2000-person demo namesakes outnumber them)
    loose = apart["not contradicted"]
    assert loose["same_person"] > 10 and loose["namesakes"] > 10
    assert apart["contradicted"]["namesakes"] > 0
    # the command's own figures: the pairs its resolution left apart, a subset of those
    own = scored["profile"]["name_only_pairs"]["not contradicted"]
    assert own["same_person"] <= loose["same_person"] and own["namesakes"] <= loose["namesakes"]
