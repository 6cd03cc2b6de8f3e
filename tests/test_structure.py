"""The project's structure rules hold on the real manifest, and each rule catches the fault it names."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cdp import project_rules
from cdp.landing import landing_sources

from .conftest import run_dbt


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("parse")
    run_dbt(["parse"], tmp / "w.duckdb", tmp / "landing", tmp / "target")
    return json.loads((tmp / "target" / "manifest.json").read_text())


def node(manifest: dict, name: str) -> dict:
    (found,) = [n for n in manifest["nodes"].values() if n.get("name") == name and n["resource_type"] == "model"]
    return found


def test_the_project_follows_every_structure_rule(manifest: dict) -> None:
    assert project_rules.check(manifest) == []


def test_every_landing_source_has_a_base_and_a_staging_model_and_is_reconciled(manifest: dict) -> None:
    reconciliation = node(manifest, "fct_landing_reconciliation")["depends_on"]["nodes"]
    for source in landing_sources():
        base = node(manifest, f"base_{source}__rows")
        assert base["depends_on"]["nodes"] == [f"source.cdp.landing.{source}"]
        assert base["unique_id"] in reconciliation
        staging = [n for n in manifest["nodes"].values() if n.get("name", "").startswith(f"stg_{source}__")]
        assert len(staging) == 1 and staging[0]["unique_id"] in reconciliation


def test_pii_columns_are_tagged(manifest: dict) -> None:
    stg = node(manifest, "stg_crm_contacts__contacts")
    for column in ("email", "phone", "first_name", "last_name", "birth_date", "street_address"):
        assert "pii" in stg["columns"][column]["tags"], column
        assert stg["columns"][column]["meta"].get("pii") is True, column


def test_a_mart_reading_a_source_is_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    node(bad, "fct_quarantined_rows")["depends_on"]["nodes"].append("source.cdp.landing.orders")
    assert project_rules.only_staging_reads_sources(bad) == [
        "fct_quarantined_rows (models/marts/landing/fct_quarantined_rows.sql) reads a source: only staging "
        + "models (base_/stg_) may"
    ]


def test_staging_reading_another_sources_staging_is_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    node(bad, "stg_web_events__events")["depends_on"]["nodes"].append(node(bad, "stg_orders__orders")["unique_id"])
    node(bad, "stg_web_events__events")["depends_on"]["nodes"].append(node(bad, "base_orders__rows")["unique_id"])
    assert project_rules.staging_does_not_depend_on_staging(bad) == [
        "stg_web_events__events depends on staging model stg_orders__orders",
        "stg_web_events__events depends on staging model base_orders__rows",
    ]


def test_an_untested_or_undeclared_primary_key_is_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    target = node(bad, "stg_orders__orders")["unique_id"]
    for uid, n in list(bad["nodes"].items()):
        is_pk_test = n.get("attached_node") == target and n.get("column_name") == "order_version_id"
        if n["resource_type"] == "test" and is_pk_test and n["test_metadata"]["name"] == "unique":
            del bad["nodes"][uid]
    node(bad, "fct_landing_reconciliation")["config"]["meta"] = {}
    node(bad, "fct_landing_reconciliation")["meta"] = {}
    assert set(project_rules.primary_key_documented_and_tested(bad)) == {
        "stg_orders__orders: primary key order_version_id lacks test(s) unique",
        "fct_landing_reconciliation declares no meta.primary_key",
    }


def test_a_source_without_freshness_is_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    source = bad["sources"]["source.cdp.landing.orders"]
    source["freshness"] = {"warn_after": {"count": None}, "error_after": {"count": None}}
    source.setdefault("config", {})["freshness"] = None
    assert project_rules.sources_have_freshness(bad) == [
        "source landing.orders has no freshness rule with a loaded_at_field"
    ]


def test_badly_named_models_and_columns_are_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    node(bad, "fct_quarantined_rows")["name"] = "quarantine"
    stg = node(bad, "stg_orders__orders")
    stg["name"] = "orders_clean"
    stg["columns"]["OrderTotal"] = {"name": "OrderTotal", "description": "x"}
    problems = project_rules.names_follow_style(bad)
    assert "quarantine: marts are fct_/dim_/sync_ or a contract name" in problems
    assert "orders_clean: staging models are stg_<source>__<entities> in models/staging/<source>/" in problems
    assert "orders_clean.OrderTotal: column names are lower snake_case" in problems


def test_an_undocumented_mart_column_is_reported(manifest: dict) -> None:
    bad = copy.deepcopy(manifest)
    node(bad, "fct_landing_reconciliation")["columns"]["rows_staged"]["description"] = ""
    assert project_rules.models_and_mart_columns_documented(bad) == [
        "fct_landing_reconciliation.rows_staged is not documented"
    ]


def test_the_command_line_check_exits_non_zero_on_a_violation(manifest: dict, tmp_path: Path) -> None:
    bad = copy.deepcopy(manifest)
    node(bad, "fct_quarantined_rows")["depends_on"]["nodes"].append("source.cdp.landing.orders")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(bad))
    assert project_rules.main([str(path)]) == 1
    path.write_text(json.dumps(manifest))
    assert project_rules.main([str(path)]) == 0
