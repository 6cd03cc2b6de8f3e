"""Project structure rules, checked over dbt's target/manifest.json (dbt-project-evaluator's ideas, no package).

Each rule is a pure function of the parsed manifest returning one message per violation; `check` runs all.
Run it by hand with `python -m cdp.project_rules target/manifest.json`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

Manifest = dict

# Marts the data contract names (CONTRACT.md section 4) keep their names; other marts are fct_/dim_/sync_.
CONTRACT_MARTS = {
    "customer_360",
    "customer_identifiers",
    "customer_source_records",
    "consent_events",
    "consent_current",
    "audience_membership",
    "activation_log",
    "privacy_request_log",
    "suppressions",
    # contract 1.1 (docs/CONTRACT.md section 4): readers' relations beside customer_360
    "customer_360_generalized",
    "customer_service_lookup",
    "customer_next_best_products",
    "customer_journey_transitions",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _models(manifest: Manifest) -> Iterable[dict]:
    return (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["package_name"] == "cdp")


def _layer(node: dict) -> str:
    """staging, intermediate or marts: the first folder under models/."""
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 else ""


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _is_staging(node: dict) -> bool:
    return _layer(node) == "staging" and node["name"].startswith(("stg_", "base_"))


def only_staging_reads_sources(manifest: Manifest) -> list[str]:
    return [
        f"{n['name']} ({n['original_file_path']}) reads a source: only staging models (base_/stg_) may"
        for n in _models(manifest)
        if any(d.startswith("source.") for d in n["depends_on"]["nodes"]) and not _is_staging(n)
    ]


def staging_does_not_depend_on_staging(manifest: Manifest) -> list[str]:
    """A stg_ model may read the base_ model of its own source folder, and no other staging model."""
    nodes = manifest["nodes"]
    problems = []
    for n in _models(manifest):
        if not _is_staging(n):
            continue
        folder = Path(n["original_file_path"]).parent
        for dep in n["depends_on"]["nodes"]:
            d = nodes.get(dep)
            if not d or d["resource_type"] != "model" or not _is_staging(d):
                continue
            same_source_base = d["name"].startswith("base_") and Path(d["original_file_path"]).parent == folder
            if not same_source_base or n["name"].startswith("base_"):
                problems.append(f"{n['name']} depends on staging model {d['name']}")
    return problems


def _tests_on(manifest: Manifest) -> dict[tuple[str, str], set[str]]:
    """{(model unique_id, column): {test names}} for generic tests."""
    found: dict[tuple[str, str], set[str]] = {}
    for t in manifest["nodes"].values():
        if t["resource_type"] != "test" or not t.get("test_metadata"):
            continue
        column = t.get("column_name") or (t["test_metadata"].get("kwargs") or {}).get("column_name")
        model = (t.get("attached_node") or "") or next(iter(t["depends_on"]["nodes"]), "")
        if column:
            found.setdefault((model, column), set()).add(t["test_metadata"]["name"])
    return found


def primary_key_documented_and_tested(manifest: Manifest) -> list[str]:
    tests = _tests_on(manifest)
    problems = []
    for n in _models(manifest):
        pk = _meta(n).get("primary_key")
        if not pk:
            problems.append(f"{n['name']} declares no meta.primary_key")
            continue
        if not (n["columns"].get(pk) or {}).get("description"):
            problems.append(f"{n['name']}: primary key {pk} is not documented")
        missing = {"unique", "not_null"} - tests.get((n["unique_id"], pk), set())
        if missing:
            problems.append(f"{n['name']}: primary key {pk} lacks test(s) {', '.join(sorted(missing))}")
    return problems


def sources_have_freshness(manifest: Manifest) -> list[str]:
    problems = []
    for s in manifest["sources"].values():
        freshness = s.get("freshness") or (s.get("config") or {}).get("freshness") or {}
        has_rule = any((freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after"))
        loaded_at = s.get("loaded_at_field") or (s.get("config") or {}).get("loaded_at_field")
        if not has_rule or not loaded_at:
            problems.append(f"source {s['source_name']}.{s['name']} has no freshness rule with a loaded_at_field")
    return problems


def names_follow_style(manifest: Manifest) -> list[str]:
    problems = []
    for n in _models(manifest):
        name, layer, path = n["name"], _layer(n), Path(n["original_file_path"])
        folder = path.parent.name
        if layer == "staging":
            if not re.fullmatch(rf"(stg|base)_{re.escape(folder)}__[a-z0-9_]+", name):
                problems.append(f"{name}: staging models are stg_<source>__<entities> in models/staging/<source>/")
        elif layer == "intermediate":
            if not name.startswith("int_"):
                problems.append(f"{name}: intermediate models start with int_")
        elif layer == "marts":
            if not (name.startswith(("fct_", "dim_", "sync_")) or name in CONTRACT_MARTS):
                problems.append(f"{name}: marts are fct_/dim_/sync_ or a contract name")
            if name.startswith("sync_") and folder != "activation":
                problems.append(f"{name}: sync_ models live in models/marts/activation/")
        else:
            problems.append(f"{name}: models live in models/staging, models/intermediate or models/marts")
        yml = Path(n.get("patch_path") or "::").name
        expected = {"staging": f"_{folder}__models.yml", "intermediate": f"_int_{folder}__models.yml",
                    "marts": f"_{folder}__models.yml"}.get(layer)
        if expected and yml != expected:
            problems.append(f"{name}: documented in {yml or 'no yml file'}, expected {expected} beside it")
        for column in n["columns"]:
            if not SNAKE.match(column.lstrip("_")):
                problems.append(f"{name}.{column}: column names are lower snake_case")
    return problems


def models_and_mart_columns_documented(manifest: Manifest) -> list[str]:
    problems = []
    for n in _models(manifest):
        if not n.get("description"):
            problems.append(f"{n['name']} has no description")
        if _layer(n) in ("marts", "staging") and not n["name"].startswith("base_"):
            problems += [
                f"{n['name']}.{c} is not documented" for c, col in n["columns"].items() if not col.get("description")
            ]
    return problems


RULES: list[Callable[[Manifest], list[str]]] = [
    only_staging_reads_sources,
    staging_does_not_depend_on_staging,
    primary_key_documented_and_tested,
    sources_have_freshness,
    names_follow_style,
    models_and_mart_columns_documented,
]


def check(manifest: Manifest) -> list[str]:
    return [f"{rule.__name__}: {p}" for rule in RULES for p in rule(manifest)]


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "target/manifest.json")
    problems = check(json.loads(path.read_text()))
    for p in problems:
        print(p)
    print(f"{len(problems)} structure problem(s) in {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
