"""Figures that help a person judge a build, computed from the warehouse right after dbt built it.

Every model gets its row count and the change since the last published copy (the state BI readers see).
Some models get more, keyed by model name in `FIGURES`; the functions read only the columns the data
contract (CONTRACT.md section 4) or the model's own documentation promises, so a figure for a mart that a later
stage adds (identity, audiences) starts to appear as soon as that mart exists, with no change here:

    fct_landing_reconciliation  rows landed / staged / quarantined per source, unbalanced sources
    fct_quarantined_rows        quarantined rows by category and the files with the most
    customer_source_records     identity quality: source records per customer, multi-record share, per source
    customer_identifiers        identifiers per customer, identifier values claimed by several customers
    audience_membership         audience sizes, and who joined and left since the last published copy

A figure is a plain value (int, float, str) or `Markdown` text; `orchestration.defs` turns them into Dagster
metadata. Each function takes an open DuckDB connection, the relation (`schema.name`) and the same relation in
the previous published copy, or None when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import duckdb

Figures = dict[str, Any]


class Markdown(str):
    """Markdown text, rendered as such in the Dagster UI."""


def quote(relation: str) -> str:
    """`staging.stg_x` -> `"staging"."stg_x"`."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in relation.split("."))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Markdown:
    def cell(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "NO"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:,.2f}"
        return "" if value is None else str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def row_count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return con.execute(f"select count(*) from {quote(relation)}").fetchone()[0]


def row_count_figures(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    """`dagster/row_count`, and the change since the previous published copy when it had the relation."""
    figures: Figures = {"dagster/row_count": row_count(con, relation)}
    if previous:
        before = row_count(con, previous)
        figures["rows_in_published_copy"] = before
        figures["row_count_change"] = figures["dagster/row_count"] - before
    return figures


def landing_reconciliation(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    rows = con.execute(
        f"""
        select source_name, files_landed, rows_landed, rows_staged, rows_quarantined, is_balanced, has_data
        from {quote(relation)} order by source_name
        """
    ).fetchall()
    unbalanced = [r[0] for r in rows if r[6] and not r[5]]
    return {
        "rows_landed": sum(r[2] for r in rows),
        "rows_staged": sum(r[3] for r in rows),
        "rows_quarantined": sum(r[4] for r in rows),
        "sources_with_data": sum(1 for r in rows if r[6]),
        "sources_without_data": ", ".join(r[0] for r in rows if not r[6]) or "none",
        "unbalanced_sources": ", ".join(unbalanced) or "none",
        "per_source": markdown_table(
            ["source", "files", "landed", "staged", "quarantined", "balanced"],
            [(r[0], r[1], r[2], r[3], r[4], r[5] if r[6] else "no data yet") for r in rows],
        ),
    }


def quarantined_rows(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    by_category = con.execute(
        f"""
        select source_name, quarantine_category, count(*) as n
        from {quote(relation)} group by all order by n desc, source_name, quarantine_category
        """
    ).fetchall()
    top_files = con.execute(
        f"""
        select file_path, count(*) as n, min(quarantine_reason) as example_reason
        from {quote(relation)} group by file_path order by n desc, file_path limit 5
        """
    ).fetchall()
    figures: Figures = {"quarantined_rows": sum(r[2] for r in by_category)}
    if by_category:
        figures["by_source_and_category"] = markdown_table(["source", "category", "rows"], by_category)
        figures["files_with_most_quarantined_rows"] = markdown_table(["file", "rows", "example reason"], top_files)
        figures["next_step"] = (
            "Each quarantined row keeps its file, line and reason: `cdp sql \"select * from fct_quarantined_rows "
            "limit 20\"`. Ask the sender for a corrected file; a fixed file is landed under a new name."
        )
    return figures


def customer_source_records(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    """Identity quality: how many source records each resolved customer gathers."""
    records, customers, multi = con.execute(
        f"""
        with per_customer as (
            select customer_id, count(*) as n from {quote(relation)} group by customer_id
        )
        select coalesce(sum(n), 0), count(*), count(*) filter (where n > 1) from per_customer
        """
    ).fetchone()
    per_source = con.execute(
        f"""
        select source, count(*) as records, count(distinct customer_id) as customers
        from {quote(relation)} group by source order by source
        """
    ).fetchall()
    return {
        "source_records": records,
        "customers": customers,
        "records_per_customer": round(records / customers, 3) if customers else 0.0,
        "customers_with_several_records_pct": round(100.0 * multi / customers, 2) if customers else 0.0,
        "per_source": markdown_table(["source", "records", "customers"], per_source),
    }


def customer_identifiers(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    """Identity quality: identifiers per customer, and identifier values that resolve to several customers
    (each one is a possible missed merge or a junk identifier: it should stay near zero)."""
    identifiers, customers = con.execute(
        f"select count(*), count(distinct customer_id) from {quote(relation)}"
    ).fetchone()
    shared = con.execute(
        f"""
        select count(*) from (
            select identifier_type, identifier_value from {quote(relation)}
            group by all having count(distinct customer_id) > 1
        )
        """
    ).fetchone()[0]
    per_type = con.execute(
        f"""
        select identifier_type, count(*) as identifiers, count(distinct customer_id) as customers
        from {quote(relation)} group by identifier_type order by identifier_type
        """
    ).fetchall()
    return {
        "identifiers": identifiers,
        "customers": customers,
        "identifiers_per_customer": round(identifiers / customers, 3) if customers else 0.0,
        "identifier_values_on_several_customers": shared,
        "per_type": markdown_table(["type", "identifiers", "customers"], per_type),
    }


def audience_membership(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    """Audience sizes now, and who joined or left each audience since the last published copy."""
    if previous:
        rows = con.execute(
            f"""
            with now as (select distinct audience, customer_id from {quote(relation)}),
            before as (select distinct audience, customer_id from {quote(previous)})
            select
                coalesce(now.audience, before.audience) as audience,
                count(now.customer_id) as members,
                count(*) filter (where before.customer_id is null) as joined,
                count(*) filter (where now.customer_id is null) as left_
            from now full outer join before
                on now.audience = before.audience and now.customer_id = before.customer_id
            group by 1 order by 1
            """
        ).fetchall()
    else:
        rows = con.execute(
            f"""
            select audience, count(distinct customer_id) as members, count(distinct customer_id) as joined, 0
            from {quote(relation)} group by audience order by audience
            """
        ).fetchall()
    return {
        "audiences": sum(1 for r in rows if r[1]),
        "members_joined": sum(r[2] for r in rows),
        "members_left": sum(r[3] for r in rows),
        "audience_sizes": markdown_table(["audience", "members", "joined", "left"], rows),
    }


def trait_model_metrics(con: duckdb.DuckDBPyConnection, relation: str, previous: str | None) -> Figures:
    """The holdout quality of each predicted trait's model against its naive baseline, and whether the trait
    was published (a model that does not beat its baseline is not)."""
    rows = con.execute(f"""
        select trait_name, metric_name, round(metric_value, 3), round(baseline_value, 3), holdout_rows, is_published
        from {quote(relation)} order by 1, 2""").fetchall()
    return {
        "traits_published": len({r[0] for r in rows if r[5]}),
        "trait_model_quality": markdown_table(
            ["trait", "metric", "model", "baseline", "holdout rows", "published"], rows),
    }


FIGURES: dict[str, Callable[[duckdb.DuckDBPyConnection, str, str | None], Figures]] = {
    "fct_landing_reconciliation": landing_reconciliation,
    "fct_quarantined_rows": quarantined_rows,
    "customer_source_records": customer_source_records,
    "customer_identifiers": customer_identifiers,
    "audience_membership": audience_membership,
    "fct_trait_model_metrics": trait_model_metrics,
}


def figures_for(con: duckdb.DuckDBPyConnection, model: str, relation: str, previous: str | None) -> Figures:
    """Row counts for every model, plus the model's own figures when it has some."""
    figures = row_count_figures(con, relation, previous)
    extra = FIGURES.get(model)
    if extra is not None:
        figures.update(extra(con, relation, previous))
    return figures
