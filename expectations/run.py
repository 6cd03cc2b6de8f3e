"""Runs the five-V suites against the warehouse: `python -m expectations.run --warehouse W --data-docs DIR`.

Each check of `expectations/suites/<v>.yml` is a DuckDB query that returns a small aggregate frame (one row per
subject: a source, a column, an audience), validated by Great Expectations expectations whose thresholds live
beside the query, with the reason for each. The path, and why:

1. the warehouse is opened read-only for the queries (GE's SQL datasource over duckdb-engine returns empty
   results here, so every check reads an aggregate into pandas instead: the frames hold tens of rows whatever
   the number of customers, and DuckDB does the heavy work where the data is);
2. the frames of every check are stacked into one frame (column `check`), and each suite (one per V) is a GE
   ExpectationSuite whose expectations select their check's rows with a pandas `row_condition`; one GE
   Checkpoint validates the five suites against that one batch and builds the Data Docs (static HTML);
3. every check's result, per subject, is appended to `quality.check_results` (the only write, read-write only
   for that), so history is kept and checks that compare with the previous run (growth, audience sizes) read it.

A check marked `requires: <relation>` whose relation does not exist yet (a stage not built) is reported as
*skipped*, with that reason: never as passed. `blocking: true` checks stop the run (exit code 1, and `cdp run`
activates nothing); the others are warnings.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import sys
import time
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
import yaml

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SUITE_ORDER = ("volume", "velocity", "variety", "veracity", "value")
RESULTS_TABLE = "quality.check_results"
FRAME_COLUMNS = ("subject", "observed", "metric", "value", "detail")

RESULTS_DDL = f"""
create table if not exists {RESULTS_TABLE} (
    run_id varchar,
    checked_at timestamp,
    suite varchar,
    check_name varchar,
    subject varchar,
    is_blocking boolean,
    status varchar,
    observed double,
    metric double,
    message varchar
)"""


# ---------------------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """One GE expectation over a check's frame: the GE type and its arguments (thresholds)."""

    type: str
    kwargs: Mapping[str, Any]

    def describe(self) -> str:
        """The rule in words, for messages: `observed between 0.25 and 4`."""
        column = self.kwargs.get("column", "observed")
        low, high = self.kwargs.get("min_value"), self.kwargs.get("max_value")
        if self.type == "expect_column_values_to_be_between":
            if low is not None and high is not None:
                return f"{column} between {low:g} and {high:g}"
            if low is not None:
                return f"{column} at least {low:g}"
            return f"{column} at most {high:g}"
        if self.type == "expect_column_values_to_be_in_set":
            return f"{column} in {sorted(self.kwargs['value_set'])}"
        if self.type == "expect_column_values_to_not_be_null":
            return f"{column} not null"
        return f"{self.type}({dict(self.kwargs)})"


@dataclass(frozen=True)
class Check:
    suite: str
    name: str
    description: str
    blocking: bool
    reason: str
    query: str
    expectations: tuple[Expectation, ...]
    requires: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{self.suite}.{self.name}"


def _expectation(raw: Mapping[str, Any]) -> Expectation:
    kwargs = {k: v for k, v in raw.items() if k != "expectation"}
    kwargs.setdefault("column", "observed")
    return Expectation(type=raw["expectation"], kwargs=kwargs)


def load_suites(suites_dir: Path = SUITES_DIR, only: Iterable[str] | None = None) -> dict[str, list[Check]]:
    """The checks of each suite file (`<suite>.yml`), in V order; `only` keeps the named suites."""
    wanted = set(only) if only else None
    found = {p.stem: p for p in suites_dir.glob("*.yml")}
    unknown = (wanted or set()) - set(found)
    if unknown:
        raise ValueError(f"unknown suite(s) {sorted(unknown)}: expected some of {sorted(found)}")
    suites: dict[str, list[Check]] = {}
    for name in sorted(found, key=lambda s: (SUITE_ORDER.index(s) if s in SUITE_ORDER else 99, s)):
        if wanted is not None and name not in wanted:
            continue
        doc = yaml.safe_load(found[name].read_text())
        checks = []
        for raw in doc.get("checks") or []:
            requires = raw.get("requires") or ()
            checks.append(
                Check(
                    suite=name,
                    name=raw["name"],
                    description=" ".join(str(raw.get("description", "")).split()),
                    blocking=bool(raw["blocking"]),
                    reason=" ".join(str(raw["reason"]).split()),
                    query=raw["query"],
                    expectations=tuple(_expectation(e) for e in raw["expect"]),
                    requires=(requires,) if isinstance(requires, str) else tuple(requires),
                    params={**(doc.get("params") or {}), **(raw.get("params") or {})},
                )
            )
        suites[name] = checks
    return suites


# ---------------------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------------------


@dataclass
class SubjectResult:
    subject: str
    success: bool
    observed: float | None
    metric: float | None
    detail: str
    message: str


@dataclass
class CheckResult:
    suite: str
    check: str
    description: str
    blocking: bool
    reason: str
    status: str  # passed | failed | skipped | error
    message: str
    subjects: list[SubjectResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    query_seconds: float = 0.0

    @property
    def success(self) -> bool:
        """True only when the check ran and passed: a skipped check is not a success."""
        return self.status == "passed"

    @property
    def failures(self) -> list[SubjectResult]:
        return [s for s in self.subjects if not s.success]

    @property
    def observed(self) -> dict[str, float | None]:
        return {s.subject: s.observed for s in self.subjects}


@dataclass
class SuiteResult:
    name: str
    checks: list[CheckResult]

    @property
    def success(self) -> bool:
        """No blocking check failed (warnings and skipped checks are reported, not blocking)."""
        return not any(c.blocking and c.status in {"failed", "error"} for c in self.checks)


@dataclass
class SuitesResult:
    run_id: str
    checked_at: datetime
    suites: list[SuiteResult]
    data_docs_index: Path | None
    seconds: float

    @property
    def checks(self) -> list[CheckResult]:
        return [c for s in self.suites for c in s.checks]

    def check(self, qualified: str) -> CheckResult:
        for c in self.checks:
            if c.check == qualified:
                return c
        raise KeyError(qualified)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.blocking and c.status in {"failed", "error"}]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.blocking and c.status in {"failed", "error"}]

    @property
    def skipped(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "skipped"]

    @property
    def success(self) -> bool:
        return not self.blocking_failures

    def summary(self) -> str:
        lines = [f"five-V quality checks, run {self.run_id} ({self.seconds:.1f}s):"]
        for suite in self.suites:
            counts = {s: sum(c.status == s for c in suite.checks) for s in ("passed", "failed", "error", "skipped")}
            lines.append(
                f"  {suite.name:<9} {counts['passed']} passed, {counts['failed'] + counts['error']} failed, "
                f"{counts['skipped']} skipped"
            )
            for c in suite.checks:
                if c.status == "passed":
                    continue
                label = {"skipped": "SKIPPED", "error": "ERROR"}.get(
                    c.status, "BLOCKING" if c.blocking else "WARNING"
                )
                lines.append(f"    {label:<8} {c.message}")
        verdict = (
            f"{len(self.blocking_failures)} blocking check(s) failed: activation must not run"
            if self.blocking_failures
            else "no blocking check failed"
        )
        lines.append(f"  => {verdict}; {len(self.warnings)} warning(s), {len(self.skipped)} skipped.")
        if self.data_docs_index:
            lines.append(f"  Data Docs: {self.data_docs_index}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "checked_at": self.checked_at.isoformat(),
            "success": self.success,
            "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
            "checks": [
                {
                    "suite": c.suite, "check": c.check, "blocking": c.blocking, "status": c.status,
                    "message": c.message, "observed": c.observed, "notes": c.notes,
                }
                for c in self.checks
            ],
        }


# ---------------------------------------------------------------------------------------------------------
# queries
# ---------------------------------------------------------------------------------------------------------


def _sql_list(values: Iterable[Any]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _contract() -> tuple[list[str], dict[str, dict[str, list[str]]]]:
    """The landing sources and their accepted values, as declared once in the dbt sources file."""
    from cdp.landing import SOURCES_YML

    doc = yaml.safe_load(SOURCES_YML.read_text())
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    sources, accepted = [], {}
    for table in landing["tables"]:
        sources.append(table["name"])
        for col in table.get("columns") or []:
            meta = {**(col.get("meta") or {}), **((col.get("config") or {}).get("meta") or {})}
            if meta.get("accepted_values"):
                accepted.setdefault(table["name"], {})[col["name"]] = list(meta["accepted_values"])
    return sources, accepted


_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_JINJA.filters["sql_list"] = _sql_list


def render_query(check: Check, now: datetime, sources: Sequence[str],
                 accepted_values: Mapping[str, Mapping[str, list[str]]]) -> str:
    return _JINJA.from_string(check.query).render(
        params=check.params,
        check=check.qualified,
        now=f"timestamp '{now:%Y-%m-%d %H:%M:%S}'",
        sources=list(sources),
        accepted_values=accepted_values,
        results_table=RESULTS_TABLE,
    )


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        """
        select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()
        union all
        select schema_name || '.' || view_name from duckdb_views()
        where database_name = current_database() and not internal
        """
    ).fetchall()
    return {r[0].lower() for r in rows}


def _qualify(relation: str) -> str:
    return (relation if "." in relation else f"main.{relation}").lower()


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    df = con.execute(sql).df()
    missing = {"subject", "observed"} - set(df.columns)
    if missing:
        raise ValueError(f"the query returned no column(s) {sorted(missing)}: it must return subject, observed")
    for col in FRAME_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df = df[list(FRAME_COLUMNS)].copy()
    df["subject"] = df["subject"].astype(str)
    df["observed"] = pd.to_numeric(df["observed"], errors="coerce").astype("float64")
    df["metric"] = pd.to_numeric(df["metric"], errors="coerce").astype("float64")
    df["value"] = df["value"].astype("object").where(df["value"].notna(), None)
    df["detail"] = df["detail"].astype("object").where(df["detail"].notna(), "")
    return df


# ---------------------------------------------------------------------------------------------------------
# Great Expectations
# ---------------------------------------------------------------------------------------------------------


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations.*")
    warnings.filterwarnings("ignore", message=".*great_expectations.*")


def _gx_class(expectation_type: str) -> type:
    import great_expectations.expectations as gxe

    camel = "".join(part.capitalize() for part in expectation_type.split("_"))
    if not hasattr(gxe, camel):
        raise ValueError(f"unknown Great Expectations expectation '{expectation_type}'")
    return getattr(gxe, camel)


DATA_DOCS_RUNS_KEPT = 30


def prune_data_docs(data_docs_dir: Path, keep: int = DATA_DOCS_RUNS_KEPT) -> list[Path]:
    """Keeps the validation pages of the newest `keep` runs of each suite (by the time their folder was written,
    then by name) and deletes the older ones, which no index links to any more (every run's history stays in
    quality.check_results). Returns the folders deleted."""
    deleted = []
    for suite_dir in sorted((data_docs_dir / "validations").glob("*")):
        runs = sorted((p for p in suite_dir.iterdir() if p.is_dir()), key=lambda p: (p.stat().st_mtime, p.name))
        for old in runs[:-keep] if keep > 0 else runs:
            shutil.rmtree(old)
            deleted.append(old)
    return deleted


def _validate(frame: pd.DataFrame, ran: Sequence[Check], suite_names: Sequence[str], data_docs_dir: Path,
              run_id: str) -> tuple[dict[str, dict[int, list[tuple[Expectation, list[int], str]]]], Path]:
    """Validates the stacked frame with one GE suite per V; returns, per suite and check index, each
    expectation with its failing frame rows, and the Data Docs index."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.row_conditions import Column

    _quiet_gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="cdp_quality",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    batch = context.data_sources.add_pandas("cdp_warehouse").add_dataframe_asset("five_v_checks")
    batch_definition = batch.add_batch_definition_whole_dataframe("this_run")
    plan: list[tuple[int, Expectation]] = []  # (check position, expectation), found back by meta position
    definitions = []
    for suite_name in suite_names:
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
        for index, check in enumerate(ran):
            if check.suite != suite_name:
                continue
            for expectation in check.expectations:
                suite.add_expectation(
                    _gx_class(expectation.type)(
                        **expectation.kwargs,
                        row_condition=Column("check") == check.qualified,
                        meta={"check": check.qualified, "blocking": check.blocking, "reason": check.reason,
                              "description": check.description, "cdp_plan_position": len(plan)},
                    )
                )
                plan.append((index, expectation))
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{suite_name}_suite", data=batch_definition, suite=suite)
            )
        )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="five_v",
            validation_definitions=definitions,
            result_format={"result_format": "COMPLETE"},
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=RunIdentifier(run_name=run_id, run_time=datetime.now(UTC)),
    )
    # The Data Docs are built once for the five suites (an UpdateDataDocsAction would rebuild them per suite).
    context.build_data_docs(site_names=["cdp_quality"])
    prune_data_docs(data_docs_dir)
    outcome: dict[str, dict[int, list[tuple[Expectation, list[int], str]]]] = {}
    for validation in result.run_results.values():
        suite_name = validation.suite_name
        for er in validation.results:
            index, expectation = plan[int(er.expectation_config.meta["cdp_plan_position"])]
            error = ""
            if er.exception_info and er.exception_info.get("raised_exception"):
                error = str(er.exception_info.get("exception_message") or "GE raised an exception")
            failing = [] if er.success else list((er.result or {}).get("unexpected_index_list") or [])
            if not er.success and not failing and not error:
                error = f"GE reported failure without failing rows: {er.result}"
            outcome.setdefault(suite_name, {}).setdefault(index, []).append((expectation, failing, error))
    return outcome, data_docs_dir / "index.html"


# ---------------------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.4g}"


def _none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _check_message(check: Check, status: str, failures: list[SubjectResult], notes: list[str],
                   subjects: int) -> str:
    kind = "blocking" if check.blocking else "warning"
    if status == "passed":
        tail = f"; {len(notes)} subject(s) not judged ({notes[0]})" if notes else ""
        return f"{check.qualified}: passed for {subjects} subject(s){tail}"
    if status == "failed":
        shown = "; ".join(f.message for f in failures[:5])
        more = f"; and {len(failures) - 5} more" if len(failures) > 5 else ""
        return f"{check.qualified} ({kind}) failed for {len(failures)} of {subjects} subject(s): {shown}{more}"
    return f"{check.qualified} ({kind}) {status}"


def configured_suites_dir() -> Path:
    """The suite files in force: CDP_QUALITY_SUITES_DIR (a deployment's own thresholds) or expectations/suites."""
    return Path(os.environ.get("CDP_QUALITY_SUITES_DIR") or SUITES_DIR)


def configured_now() -> datetime:
    """The instant the checks judge freshness against: CDP_QUALITY_NOW (ISO-8601; no offset means UTC), to
    replay the checks of a past day or to check a landing zone generated for a fixed date, else the clock."""
    text = os.environ.get("CDP_QUALITY_NOW")
    if not text:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"CDP_QUALITY_NOW={text!r} is not an ISO-8601 timestamp") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def default_data_docs_dir(warehouse: Path) -> Path:
    """Where the Data Docs go by default: beside the warehouse, `<warehouse dir>/quality/data_docs/`."""
    return warehouse.parent / "quality" / "data_docs"


def ensure_results_table(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists quality")
        con.execute(RESULTS_DDL)


def store_results(warehouse: Path, result: SuitesResult) -> None:
    rows = []
    for c in result.checks:
        base = (result.run_id, result.checked_at, c.suite, c.check)
        if not c.subjects:
            rows.append((*base, None, c.blocking, c.status, None, None, c.message))
        for s in c.subjects:
            status = "passed" if s.success else "failed"
            rows.append((*base, s.subject, c.blocking, status, s.observed, s.metric, s.message))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(RESULTS_DDL)
        con.executemany(f"insert into {RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def run_suites(warehouse: Path, data_docs_dir: Path, suites: list[str] | None = None,
               now: datetime | None = None, store: bool = True, suites_dir: Path = SUITES_DIR) -> SuitesResult:
    """Runs the suites (all five by default) against `warehouse`, appends every result to
    quality.check_results (unless `store` is false), builds the Data Docs under `data_docs_dir`."""
    started = time.perf_counter()
    now = (now or configured_now()).astimezone(UTC).replace(tzinfo=None)
    run_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    plan = load_suites(suites_dir, suites)
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `cdp run` (or dbt build) first")
    ensure_results_table(warehouse)
    sources, accepted = _contract()

    results: dict[tuple[str, int], CheckResult] = {}
    frames, ran = [], []
    query_seconds: dict[str, float] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        relations = _relations(con)
        for check in (c for checks in plan.values() for c in checks):
            key = (check.suite, len(ran) + len(results))
            missing = [r for r in check.requires if _qualify(r) not in relations]
            if missing:
                results[key] = CheckResult(
                    check.suite, check.qualified, check.description, check.blocking, check.reason, "skipped",
                    f"{check.qualified}: skipped, requires {', '.join(missing)} (not built yet: its stage does not exist) "
                    "- not checked, so not passed",
                )
                continue
            query_started = time.perf_counter()
            try:
                frame = _frame(con, render_query(check, now, sources, accepted))
            except (duckdb.Error, jinja2.TemplateError, ValueError, TypeError, KeyError) as exc:
                first = str(exc).strip().splitlines()[0][:400] if str(exc).strip() else type(exc).__name__
                results[key] = CheckResult(
                    check.suite, check.qualified, check.description, check.blocking, check.reason, "error",
                    f"{check.qualified}: the check's query failed: {first}",
                )
                continue
            frame.insert(0, "check", check.qualified)
            frames.append(frame)
            ran.append((key, check))
            query_seconds[check.qualified] = time.perf_counter() - query_started

    stacked = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["check", *FRAME_COLUMNS])
    outcome, index = _validate(stacked, [c for _, c in ran], list(plan), data_docs_dir, run_id)

    for position, (key, check) in enumerate(ran):
        rows = stacked.index[stacked["check"] == check.qualified]
        failing: dict[int, list[str]] = {}
        errors = []
        for expectation, bad_rows, error in outcome.get(check.suite, {}).get(position, []):
            if error:
                errors.append(error)
            for row in bad_rows:
                failing.setdefault(row, []).append(expectation.describe())
        subjects, notes = [], []
        for row in rows:
            r = stacked.loc[row]
            observed, metric = _none(r["observed"]), _none(r["metric"])
            detail = str(r["detail"] or "")
            if row in failing:
                msg = (f"{r['subject']}: {detail + '; ' if detail else ''}observed {_fmt(observed)}, "
                       f"expected {' and '.join(failing[row])}")
            else:
                msg = f"{r['subject']}: {detail + '; ' if detail else ''}observed {_fmt(observed)}"
                if observed is None and any(e.kwargs.get("column", "observed") == "observed"
                                            for e in check.expectations):
                    notes.append(f"{r['subject']}: {detail or 'no value'}")
            subjects.append(SubjectResult(str(r["subject"]), row not in failing, observed, metric, detail, msg))
        status = "error" if errors else ("failed" if failing else "passed")
        failures = [s for s in subjects if not s.success]
        message = _check_message(check, status, failures, notes, len(subjects))
        if errors:
            message += ": " + "; ".join(errors)
        results[key] = CheckResult(check.suite, check.qualified, check.description, check.blocking, check.reason,
                                   status, message, subjects, notes, query_seconds[check.qualified])

    ordered = [results[k] for k in sorted(results, key=lambda k: k[1])]
    result = SuitesResult(
        run_id=run_id,
        checked_at=now,
        suites=[SuiteResult(name, [c for c in ordered if c.suite == name]) for name in plan],
        data_docs_index=index if index.exists() else None,
        seconds=0.0,
    )
    if store:
        store_results(warehouse, result)
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    from cdp.config import PROJECT_ROOT, Settings

    parser = argparse.ArgumentParser(prog="python -m expectations.run", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="the DuckDB warehouse (default: CDP_WAREHOUSE)")
    parser.add_argument("--data-docs", type=Path, help="where to write the Data Docs "
                        "(default: <warehouse dir>/quality/data_docs)")
    parser.add_argument("--suite", action="append", choices=SUITE_ORDER, help="run only this suite (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of text")
    ns = parser.parse_args(argv)
    warehouse = ns.warehouse or Settings.from_env().warehouse
    warehouse = warehouse if warehouse.is_absolute() else PROJECT_ROOT / warehouse
    docs = ns.data_docs or default_data_docs_dir(warehouse)
    result = run_suites(warehouse, docs, ns.suite)
    print(json.dumps(result.to_dict(), indent=2) if ns.json else result.summary())
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
