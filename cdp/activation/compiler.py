"""Audiences (audiences/*.yml) compiled into one dbt model, models/marts/activation/audience_membership.sql.

The generated model is committed, so that analysts read and review the SQL their YAML became, and
tests/test_activation_audiences.py fails when it is out of step with the YAML. Regenerate it with:

    .venv/bin/python -m cdp.activation compile

Each audience is one CTE named after it, in dependency order (an audience after those it includes or excludes);
the model is their union, one row per (audience, customer_id).
"""

from __future__ import annotations

import json
from collections.abc import Mapping as MappingType
from pathlib import Path

from cdp.activation.config import (
    AUDIENCES_DIR,
    DESTINATIONS_DIR,
    AnyOf,
    Audience,
    Condition,
    ConfigError,
    dependency_order,
    load_config,
)
from cdp.config import PROJECT_ROOT

MODEL_PATH = PROJECT_ROOT / "models" / "marts" / "activation" / "audience_membership.sql"
DBT_RELATIONS = {
    "customers": "{{ ref('customer_360') }}",
    "customer_events": "{{ ref('fct_customer_events') }}",
    "next_best_products": "{{ ref('customer_next_best_products') }}",
}
# Time windows end at customer_360.traits_as_of (the dbt var cdp__as_of, else the latest event landed), never the
# wall clock: two runs on the same data give the same audiences, as they give the same traits.
NOW = "(select as_of.as_of_at from as_of)"
REFERENCE_TIME = ["as_of as (", "    select max(customers.traits_as_of) as as_of_at", "    from customers", ")"]
HEADER = """-- GENERATED from audiences/*.yml by `python -m cdp.activation compile`: edit the YAML, not this file.
-- One CTE per audience (in dependency order); the model is one row per (audience, customer_id).
-- docs/activation.md explains the audience format; tests/test_activation_audiences.py keeps this file in step.
"""


RESERVED = {"current_role", "current_user", "current_date", "current_time", "current_timestamp", "current_schema"}


def column_ref(table: str, column: str) -> str:
    """table.column, the column quoted where it is an SQL keyword (customer_360's "current_role")."""
    return f'{table}."{column}"' if column in RESERVED else f"{table}.{column}"


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return "'" + str(value).replace("'", "''") + "'"


def condition_sql(c: Condition | AnyOf, table: str, now: str) -> str:
    if isinstance(c, AnyOf):
        return "(" + " or ".join(condition_sql(option, table, now) for option in c.conditions) + ")"
    column = column_ref(table, c.column)
    if c.other_column:
        return f"{column} {c.op} {column_ref(table, c.other_column)}"
    if c.op == "is_null":
        return f"{column} is null"
    if c.op == "is_not_null":
        return f"{column} is not null"
    if c.op == "is_true":
        return f"{column} is true"
    if c.op == "is_false":
        return f"{column} is false"
    if c.op == "within_days":
        return f"{column} >= {now} - interval {int(c.value)} day"
    if c.op == "before_days":
        return f"{column} < {now} - interval {int(c.value)} day"
    if c.op == "contains":
        return f"list_contains({column}, {literal(c.value)})"
    if c.op in ("in", "not_in"):
        return f"{column} {'in' if c.op == 'in' else 'not in'} {value_list(c.value)}"
    op = "!=" if c.op == "!=" else c.op
    return f"{column} {op} {literal(c.value)}"


def value_list(values: list, width: int = 60) -> str:
    """`(a, b)`, or one value a line when long (lines stay under sqlfluff's 120 characters)."""
    one_line = "(" + ", ".join(literal(v) for v in values) + ")"
    if len(one_line) <= width:
        return one_line
    return "(\n" + ",\n".join("    " + literal(v) for v in values) + "\n)"


def _indent(lines: list[str], spaces: int) -> list[str]:
    return [" " * spaces + line if line else line for line in lines]


def audience_sql(a: Audience, now: str) -> list[str]:
    """The body of the audience's CTE, as lines (4-space indented inside the CTE)."""
    where: list[list[str]] = [condition_sql(c, "customers", now).split("\n") for c in a.traits]
    for e in a.events:
        first, *rest = f"and customer_events.event_name in {value_list(list(e.event))}".split("\n")
        count = [
            "(",
            "    select count(*)",
            "    from customer_events",
            "    where",
            "        customer_events.customer_id = customers.customer_id",
            "        " + first,
            *_indent(rest, 8),
            f"        and customer_events.occurred_at >= {now} - interval {e.within_days} day",
            ")",
        ]
        if e.min_count:
            where.append([*count[:-1], f") >= {e.min_count}"])
        if e.max_count is not None:
            where.append([*count[:-1], f") <= {e.max_count}"])
    if a.products is not None:
        product_where = [condition_sql(c, "next_best_products", now) for c in a.products.conditions]
        if a.products.max_rank is not None:
            product_where.append(f"next_best_products.product_rank <= {a.products.max_rank}")
        block = ["customers.customer_id in (", "    select next_best_products.customer_id",
                 "    from next_best_products"]
        if product_where:
            block.append("    where")
            for i, condition in enumerate(product_where):
                first, *rest = condition.split("\n")
                block += ["        " + ("and " if i else "") + first, *_indent(rest, 12 if i else 8)]
        where.append([*block, ")"])
    for other in a.include:
        where.append([f"customers.customer_id in (select {other}.customer_id from {other})"])
    for other in a.exclude:
        where.append([f"customers.customer_id not in (select {other}.customer_id from {other})"])
    lines = ["select customers.customer_id", "from customers"]
    if where:
        lines.append("where")
        for i, block in enumerate(where):
            first, *rest = block
            lines.append(("    and " if i else "    ") + first)
            lines += _indent(rest, 4)
    return lines


def compile_sql(audiences: MappingType[str, Audience], relations: MappingType[str, str] | None = None,
                now: str = NOW, header: bool = True) -> str:
    """The audience_membership model for these audiences. `relations` replaces the dbt refs (tests run the
    SQL on hand-made tables); `now` is the time windows' reference point."""
    if not audiences:
        raise ConfigError("audiences/: no audience defined; audience_membership needs at least one")
    relations = {**DBT_RELATIONS, **(relations or {})}
    used = {"customers"}
    if any(a.events for a in audiences.values()):
        used.add("customer_events")
    if any(a.products is not None for a in audiences.values()):
        used.add("next_best_products")
    ctes: list[list[str]] = []
    for name in ("customers", "customer_events", "next_best_products"):
        if name in used:
            ctes.append([f"{name} as (", f"    select * from {relations[name]}", ")"])
    order = dependency_order(dict(audiences))
    bodies = [[f"{name} as (", f"    -- {audiences[name].file}", *_indent(audience_sql(audiences[name], now), 4), ")"]
              for name in order]
    if now == NOW and any(NOW in line for body in bodies for line in body):
        ctes.append(REFERENCE_TIME)
    ctes += bodies
    union: list[str] = []
    for i, name in enumerate(order):
        a = audiences[name]
        if i:
            union += ["", "    union all", ""]
        union += [
            "    select",
            f"        {literal(name)} as audience,",
            f"        {literal(a.purpose)} as consent_purpose,",
            f"        {literal(a.consent_context)} as consent_context,",
            f"        {name}.customer_id",
            f"    from {name}",
        ]
    ctes.append(["memberships as (", *union, ")"])
    ctes.append([
        "final as (",
        "    select",
        "        md5(audience || '|' || customer_id) as audience_membership_id,",
        "        customer_id,",
        "        audience,",
        "        consent_purpose,",
        "        consent_context",
        "    from memberships",
        ")",
    ])
    body = ",\n\n".join("\n".join(c) for c in ctes)
    text = f"with\n\n{body}\n\nselect * from final\n"
    return (HEADER + "\n" + text) if header else text


def compile_project(audiences_dir: Path = AUDIENCES_DIR, destinations_dir: Path = DESTINATIONS_DIR) -> str:
    return compile_sql(load_config(audiences_dir, destinations_dir).audiences)


def write_model(path: Path = MODEL_PATH) -> bool:
    """Writes the generated model; True when it changed."""
    text = compile_project()
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".sql.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


def is_model_current(path: Path = MODEL_PATH) -> bool:
    return path.exists() and path.read_text() == compile_project()
