"""What went wrong in a dbt invocation, and what to do next, read from its run_results.json and manifest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FAILED = {"error", "fail", "runtime error"}
LOCK_CONFLICT = "could not set lock on file"
LOCK_CONFLICT_NEXT_STEP = (
    "Another process has the warehouse file open (DuckDB allows one writer and no reader beside it): most often a "
    "BI tool, notebook or `cdp sql` pointed at the warehouse instead of its published copy "
    "(`<warehouse stem>_published.duckdb`), or a `cdp run` in a terminal. Close it or point it at the published "
    "copy, then re-execute the run from failure."
)


def is_lock_conflict(message: str) -> bool:
    return LOCK_CONFLICT in message.lower()


@dataclass(frozen=True)
class DbtProblem:
    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    attached_to: str | None


def _attached(node: Mapping[str, Any], nodes: Mapping[str, Any]) -> str | None:
    parent = node.get("attached_node") or next(iter((node.get("depends_on") or {}).get("nodes") or []), None)
    if not parent:
        return None
    return (nodes.get(parent) or {}).get("name") or parent.split(".")[-1]


def problems(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[DbtProblem]:
    """The nodes that failed (tests that failed, models that errored), in the order dbt ran them."""
    nodes = manifest.get("nodes") or {}
    found = []
    for result in run_results.get("results") or []:
        if str(result.get("status")).lower() not in FAILED:
            continue
        uid = result["unique_id"]
        node = nodes.get(uid) or {}
        found.append(
            DbtProblem(
                unique_id=uid,
                name=node.get("name") or uid.split(".")[-1],
                resource_type=node.get("resource_type") or uid.split(".")[0],
                status=str(result.get("status")),
                message=(result.get("message") or "").strip(),
                failures=result.get("failures"),
                attached_to=_attached(node, nodes) if node.get("resource_type") == "test" else None,
            )
        )
    return found


def skipped(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Names of the models, seeds and snapshots dbt skipped because something upstream failed."""
    nodes = manifest.get("nodes") or {}
    return [
        (nodes.get(r["unique_id"]) or {}).get("name") or r["unique_id"].split(".")[-1]
        for r in run_results.get("results") or []
        if str(r.get("status")).lower() == "skipped" and not r["unique_id"].startswith("test.")
    ]


def error_summary(message: str, width: int = 300) -> str:
    """The first line of a dbt error and, when it is only a header (a Python model's traceback follows), its
    last line too, which names the exception."""
    lines = [
        line.strip() for line in message.splitlines() if line.strip() and not line.strip().startswith("compiled code at")
    ]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][:width]
    return f"{lines[0][:width]} ... {lines[-1][:width]}"


def next_step_for_test(name: str) -> str:
    return (
        f"See the failing rows: `dbt test --select {name} --store-failures`, then query the table it names "
        f"(schema `dbt_test__audit` of the warehouse). Fix the landed data (land a corrected file) or the model, then "
        "re-execute the run from failure."
    )


def failure_description(found: list[DbtProblem], skipped_names: list[str]) -> str:
    """A message for a person: what failed, what it stopped, and what to do next."""
    tests = [p for p in found if p.resource_type == "test"]
    others = [p for p in found if p.resource_type != "test"]
    lines = ["dbt build failed."]
    if tests:
        lines.append(f"{len(tests)} blocking data test(s) failed:")
        for p in tests:
            rows = f", {p.failures} failing row(s)" if p.failures else ""
            lines.append(f"  - {p.name} on {p.attached_to or '?'}{rows}")
    if others:
        lines.append(f"{len(others)} model(s) or other node(s) errored:")
        for p in others:
            lines.append(f"  - {p.resource_type} {p.name}: {error_summary(p.message) or p.status}")
    if skipped_names:
        shown = ", ".join(skipped_names[:15]) + (" ..." if len(skipped_names) > 15 else "")
        lines.append(f"dbt skipped {len(skipped_names)} downstream model(s): {shown}.")
    lines.append(
        "Nothing downstream of this step ran (no publish, no activation): BI readers still see the last good "
        "published copy."
    )
    lines.append("What to do next:")
    for p in tests[:3]:
        lines.append(f"  - {p.name}: {next_step_for_test(p.name)}")
    if any(is_lock_conflict(p.message) for p in others):
        lines.append(f"  - {LOCK_CONFLICT_NEXT_STEP}")
    elif others:
        lines.append(
            "  - for an erroring model: read its error above (full log in the step's dbt logs), run "
            f"`dbt build --select {others[0].name}` to reproduce, fix, then re-execute the run from failure."
        )
    return "\n".join(lines)
