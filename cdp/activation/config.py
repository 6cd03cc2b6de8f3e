"""Audiences and destinations as configuration: `audiences/*.yml` and `destinations/*.yml`, loaded and validated.

Every problem is raised as a ConfigError naming the file, the line (where YAML knows it), the audience or
destination, and the problem, e.g. `audiences/churn_risk.yml line 7: audience churn_risk: unknown trait
'churn_riks' (customer_360 has: ...)`. The format is documented in docs/activation.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cdp.config import PROJECT_ROOT

AUDIENCES_DIR = PROJECT_ROOT / "audiences"
DESTINATIONS_DIR = PROJECT_ROOT / "destinations"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

# The customer_360 columns (binding contract between the traits and activation), with their kind.
TIMESTAMP, NUMBER, TEXT, BOOLEAN, TEXT_LIST, DATE = "timestamp", "number", "text", "boolean", "text[]", "date"
CUSTOMER_360_COLUMNS: dict[str, str] = {
    "customer_id": TEXT, "first_name": TEXT, "last_name": TEXT, "email": TEXT, "phone": TEXT,
    "date_of_birth": DATE, "street_address": TEXT, "city": TEXT, "postcode": TEXT, "country": TEXT,
    "first_seen_at": TIMESTAMP, "last_seen_at": TIMESTAMP, "sessions_count": NUMBER, "page_views": NUMBER,
    "product_views": NUMBER, "cart_adds": NUMBER, "last_cart_add_at": TIMESTAMP, "orders_count": NUMBER,
    "first_order_at": TIMESTAMP, "last_order_at": TIMESTAMP, "revenue_total": NUMBER,
    "average_order_value": NUMBER, "returns_count": NUMBER, "store_revenue_share": NUMBER,
    "favourite_category": TEXT, "email_sends": NUMBER, "email_opens": NUMBER, "email_clicks": NUMBER,
    "last_email_open_at": TIMESTAMP, "engagement_score": NUMBER, "engagement_score_change_30d": NUMBER,
    "tickets_open": NUMBER, "tickets_closed": NUMBER, "last_csat": NUMBER, "last_csat_at": TIMESTAMP,
    "nps": NUMBER, "loyalty_tier": TEXT, "loyalty_points": NUMBER, "rfm_recency": NUMBER,
    "rfm_frequency": NUMBER, "rfm_monetary": NUMBER, "rfm_segment": TEXT, "journey_stage": TEXT,
    "journey_stage_entered_at": TIMESTAMP, "churn_risk": NUMBER, "purchase_propensity_90d": NUMBER,
    "predicted_ltv": NUMBER, "email_open_probability": NUMBER, "stated_preferred_channel": TEXT,
    "stated_interests": TEXT_LIST, "stated_contact_frequency": TEXT, "current_account_id": TEXT,
    "current_account_name": TEXT, "current_account_industry": TEXT, "current_account_employee_count": NUMBER,
    "current_role": TEXT, "work_email": TEXT, "is_decision_maker": BOOLEAN,
    "is_email_marketing_granted": BOOLEAN, "is_sms_marketing_granted": BOOLEAN,
    "is_advertising_granted": BOOLEAN, "is_email_suppressed": BOOLEAN,
}
PRODUCT_COLUMNS: dict[str, str] = {
    "product_rank": NUMBER, "sku": TEXT, "product_name": TEXT, "category": TEXT, "unit_margin": NUMBER,
    "sellable_units": NUMBER,
}
PURPOSES = ("email_marketing", "sms_marketing", "phone_marketing", "personalization", "analytics", "advertising",
            "data_sale")
ADDRESS_PURPOSES = {"email_marketing": "email", "sms_marketing": "phone", "phone_marketing": "phone"}
CONTEXTS = ("personal", "work")
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
UNARY = ("is_null", "is_not_null", "is_true", "is_false")
OPS = (*COMPARISONS, "in", "not_in", "contains", "within_days", "before_days", *UNARY)
DESTINATION_TYPES = ("webhook", "customer_match_file", "postgres")
LAYOUTS = ("google", "meta")
CUSTOMER_MATCH_FIELDS = ("email", "phone")
POSTGRES_COLUMNS = {"audience", "customer_id", "idempotency_key", "synced_at"}


class ConfigError(ValueError):
    """A bad audience or destination definition: the message names the file, the line, the thing and the problem."""


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, as `__line__`."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


class _LineList(list):
    """A YAML sequence that remembers its line (`line`)."""

    line: int | None = None


def _sequence_with_line(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    items = _LineList(loader.construct_sequence(node, deep=True))
    items.line = node.start_mark.line + 1
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence_with_line)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Where:
    """Where a definition came from, for error messages."""

    file: str
    kind: str
    name: str

    def error(self, problem: str, line: int | None = None) -> ConfigError:
        at = f" line {line}" if line else ""
        return ConfigError(f"{self.file}{at}: {self.kind} {self.name}: {problem}")


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: Any = None
    other_column: str | None = None  # `value: {trait: other}` compares two traits


@dataclass(frozen=True)
class AnyOf:
    """At least one of the conditions holds (`- any: [...]`)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class EventCondition:
    event: tuple[str, ...]
    within_days: int
    min_count: int = 1
    max_count: int | None = None


@dataclass(frozen=True)
class ProductCondition:
    conditions: tuple[Condition, ...]
    max_rank: int | None = None


@dataclass(frozen=True)
class Mapping:
    destination: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Audience:
    name: str
    description: str
    purpose: str
    consent_context: str
    traits: tuple[Condition | AnyOf, ...]
    events: tuple[EventCondition, ...]
    products: ProductCondition | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    destinations: tuple[Mapping, ...]
    file: str


@dataclass(frozen=True)
class Destination:
    name: str
    type: str
    description: str
    purpose: str | None
    batch_size: int
    file: str
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def _load(path: Path) -> dict:
    try:
        doc = yaml.load(path.read_text(), Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{_rel(path)}{at}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{_rel(path)}: expected a mapping with an `audience:` or `destination:` key")
    return doc


def _keys(doc: dict, allowed: set[str], where: Where) -> None:
    unknown = sorted(set(doc) - allowed - {"__line__"})
    if unknown:
        raise where.error(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})",
                          doc.get("__line__"))


def _condition(raw: Any, columns: dict[str, str], table: str, where: Where, line: int | None) -> Condition:
    if isinstance(raw, dict):
        line = raw.get("__line__", line)
        _keys(raw, {"trait", "column", "op", "value"}, where)
        column, op, value = raw.get("trait") or raw.get("column"), raw.get("op"), raw.get("value")
    elif isinstance(raw, list) and len(raw) in (2, 3):
        line = getattr(raw, "line", None) or line
        column, op, value = raw[0], raw[1], raw[2] if len(raw) == 3 else None
    else:
        raise where.error(f"a condition is [column, op, value] or {{trait, op, value}}, got {raw!r}", line)
    if column not in columns:
        raise where.error(f"unknown trait {column!r} ({table} has: {', '.join(columns)})", line)
    if op not in OPS:
        raise where.error(f"unknown op {op!r} for {column} (ops: {', '.join(OPS)})", line)
    kind = columns[column]
    if op in UNARY:
        if op in ("is_true", "is_false") and kind != BOOLEAN:
            raise where.error(f"{op} needs a boolean trait, {column} is {kind}", line)
        return Condition(column, op)
    if op in ("within_days", "before_days"):
        if kind not in (TIMESTAMP, DATE):
            raise where.error(f"{op} needs a timestamp trait, {column} is {kind}", line)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise where.error(f"{op} needs a positive whole number of days, got {value!r}", line)
    elif op == "contains":
        if kind != TEXT_LIST or not isinstance(value, str):
            raise where.error(f"contains needs a list trait and a text value ({column} is {kind})", line)
    elif op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise where.error(f"{op} needs a non-empty list of values, got {value!r}", line)
        _check_values(value, kind, column, where, line)
    elif isinstance(value, dict):
        other = value.get("trait")
        if set(value) - {"trait", "__line__"} or other not in columns:
            raise where.error(f"{column} {op}: value {{trait: name}} must name a trait of {table}, got {other!r}",
                              line)
        if columns[other] != kind:
            raise where.error(f"cannot compare {column} ({kind}) with {other} ({columns[other]})", line)
        return Condition(column, op, None, other)
    else:
        if value is None:
            raise where.error(f"{op} needs a value (use is_null / is_not_null for nulls)", line)
        _check_values([value], kind, column, where, line)
    return Condition(column, op, value)


def _trait(raw: Any, where: Where, line: int | None) -> Condition | AnyOf:
    if isinstance(raw, dict) and "any" in raw:
        _keys(raw, {"any"}, where)
        options = raw["any"]
        if not isinstance(options, list) or len(options) < 2:
            raise where.error("`any:` needs a list of at least two conditions", raw.get("__line__", line))
        return AnyOf(tuple(_condition(c, CUSTOMER_360_COLUMNS, "customer_360", where, raw.get("__line__", line))
                           for c in options))
    return _condition(raw, CUSTOMER_360_COLUMNS, "customer_360", where, line)


def _check_values(values: list, kind: str, column: str, where: Where, line: int | None) -> None:
    for v in values:
        ok = {
            NUMBER: isinstance(v, int | float) and not isinstance(v, bool),
            TEXT: isinstance(v, str),
            BOOLEAN: isinstance(v, bool),
        }.get(kind, isinstance(v, str))
        if not ok:
            raise where.error(f"value {v!r} does not fit {column}, which is {kind}", line)


def _list(doc: dict, key: str, where: Where) -> list:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise where.error(f"{key} must be a list", doc.get("__line__"))
    return value


def _events(raw: list, where: Where) -> tuple[EventCondition, ...]:
    found = []
    for item in raw:
        line = item.get("__line__") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            raise where.error(f"an event condition is a mapping {{event, within_days, min_count}}, got {item!r}")
        _keys(item, {"event", "within_days", "min_count", "max_count"}, where)
        events = item.get("event")
        events = [events] if isinstance(events, str) else events
        if not events or not all(isinstance(e, str) and e for e in events):
            raise where.error("event condition needs `event:` (a name or a list of names)", line)
        high = item.get("max_count")
        days, low = item.get("within_days"), item.get("min_count", 1 if high is None else 0)
        if not isinstance(days, int) or days <= 0:
            raise where.error(f"event condition needs within_days, a positive whole number, got {days!r}", line)
        if not isinstance(low, int) or low < 0 or (high is not None and (not isinstance(high, int) or high < low)):
            raise where.error(f"min_count/max_count must be whole numbers, min <= max (got {low!r}, {high!r})",
                              line)
        if low == 0 and high is None:
            raise where.error("an event condition with min_count 0 and no max_count always holds", line)
        found.append(EventCondition(tuple(events), days, low, high))
    return tuple(found)


def load_audience(path: Path) -> Audience:
    doc = _load(path)
    name = doc.get("audience")
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{_rel(path)}: `audience:` must be a lower_snake_case name, got {name!r}")
    where = Where(_rel(path), "audience", name)
    _keys(doc, {"audience", "description", "purpose", "consent_context", "traits", "events", "products",
                "include", "exclude", "destinations"}, where)
    if not doc.get("description"):
        raise where.error("needs a description (what the audience is for)")
    purpose = doc.get("purpose")
    if purpose not in PURPOSES:
        raise where.error(f"purpose must be one of {', '.join(PURPOSES)} (the consent every member must have "
                          f"granted before a sync), got {purpose!r}")
    context = doc.get("consent_context", "personal")
    if context not in CONTEXTS:
        raise where.error(f"consent_context must be personal or work, got {context!r}")
    traits = tuple(_trait(c, where, doc.get("__line__")) for c in _list(doc, "traits", where))
    products = None
    if doc.get("products") is not None:
        raw = doc["products"]
        if not isinstance(raw, dict):
            raise where.error("products must be a mapping {max_rank, where}")
        _keys(raw, {"max_rank", "where"}, where)
        max_rank = raw.get("max_rank")
        if max_rank is not None and (not isinstance(max_rank, int) or max_rank <= 0):
            raise where.error(f"products.max_rank must be a positive whole number, got {max_rank!r}",
                              raw.get("__line__"))
        conditions = tuple(_condition(c, PRODUCT_COLUMNS, "customer_next_best_products", where, raw.get("__line__"))
                           for c in _list(raw, "where", where))
        products = ProductCondition(conditions, max_rank)
    mappings = []
    for item in _list(doc, "destinations", where):
        if not isinstance(item, dict) or not isinstance(item.get("destination"), str):
            raise where.error(f"each destination is {{destination: name, fields: {{out: trait}}}}, got {item!r}")
        _keys(item, {"destination", "fields"}, where)
        fields = {k: v for k, v in (item.get("fields") or {}).items() if k != "__line__"}
        for out, trait in fields.items():
            if not NAME.match(str(out)):
                raise where.error(f"field name {out!r} must be lower_snake_case", item.get("__line__"))
            if trait not in CUSTOMER_360_COLUMNS:
                raise where.error(f"field {out}: unknown trait {trait!r} (customer_360 has: "
                                  f"{', '.join(CUSTOMER_360_COLUMNS)})", item.get("__line__"))
        mappings.append(Mapping(item["destination"], fields))
    include = tuple(_list(doc, "include", where))
    exclude = tuple(_list(doc, "exclude", where))
    if not traits and not doc.get("events") and products is None and not include:
        raise where.error("has no condition (traits, events, products or include): it would hold everyone")
    return Audience(
        name=name, description=str(doc["description"]).strip(), purpose=purpose, consent_context=context,
        traits=traits, events=_events(_list(doc, "events", where), where), products=products,
        include=include, exclude=exclude, destinations=tuple(mappings), file=where.file,
    )


def load_destination(path: Path) -> Destination:
    doc = _load(path)
    name = doc.get("destination")
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{_rel(path)}: `destination:` must be a lower_snake_case name, got {name!r}")
    where = Where(_rel(path), "destination", name)
    kind = doc.get("type")
    common = {"destination", "type", "description", "purpose", "batch_size", "max_attempts", "backoff_seconds"}
    per_type = {
        "webhook": {"url_env", "url", "auth_header_env", "timeout_seconds"},
        "customer_match_file": {"layout"},
        "postgres": {"dsn_env", "table"},
    }
    if kind not in DESTINATION_TYPES:
        raise where.error(f"type must be one of {', '.join(DESTINATION_TYPES)}, got {kind!r}")
    _keys(doc, common | per_type[kind], where)
    purpose = doc.get("purpose")
    if purpose is not None and purpose not in PURPOSES:
        raise where.error(f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}")
    batch_size = doc.get("batch_size", 500)
    if not isinstance(batch_size, int) or batch_size <= 0:
        raise where.error(f"batch_size must be a positive whole number, got {batch_size!r}")
    if kind == "webhook" and not (doc.get("url_env") or doc.get("url")):
        raise where.error("a webhook needs url_env (the environment variable holding its URL) or url")
    if kind == "customer_match_file" and doc.get("layout") not in LAYOUTS:
        raise where.error(f"layout must be one of {', '.join(LAYOUTS)}, got {doc.get('layout')!r}")
    if kind == "postgres":
        if not doc.get("dsn_env"):
            raise where.error("a postgres destination needs dsn_env (the environment variable holding its DSN)")
        if not NAME.match(str(doc.get("table", ""))):
            raise where.error(f"table must be a lower_snake_case table name, got {doc.get('table')!r}")
    options = {k: v for k, v in doc.items() if k not in {"destination", "type", "description", "purpose",
                                                         "batch_size", "__line__"}}
    return Destination(name=name, type=kind, description=str(doc.get("description") or "").strip(),
                       purpose=purpose, batch_size=batch_size, file=where.file, options=options)


@dataclass(frozen=True)
class ActivationConfig:
    audiences: dict[str, Audience]
    destinations: dict[str, Destination]


def load_config(audiences_dir: Path = AUDIENCES_DIR, destinations_dir: Path = DESTINATIONS_DIR) -> ActivationConfig:
    """Loads and cross-checks every definition: names unique, includes and destinations exist, no cycles,
    field mappings that fit the destination."""
    destinations: dict[str, Destination] = {}
    for path in sorted(destinations_dir.glob("*.yml")):
        d = load_destination(path)
        if d.name in destinations:
            raise ConfigError(f"{d.file}: destination {d.name}: also defined in {destinations[d.name].file}")
        destinations[d.name] = d
    audiences: dict[str, Audience] = {}
    for path in sorted(audiences_dir.glob("*.yml")):
        a = load_audience(path)
        if a.name in audiences:
            raise ConfigError(f"{a.file}: audience {a.name}: also defined in {audiences[a.name].file}")
        audiences[a.name] = a
    for a in audiences.values():
        where = Where(a.file, "audience", a.name)
        for other in (*a.include, *a.exclude):
            if other not in audiences:
                raise where.error(f"includes or excludes unknown audience {other!r} "
                                  f"(known: {', '.join(sorted(audiences))})")
            if other == a.name:
                raise where.error("includes or excludes itself")
        for m in a.destinations:
            if m.destination not in destinations:
                raise where.error(f"unknown destination {m.destination!r} (defined in destinations/: "
                                  f"{', '.join(sorted(destinations)) or 'none'})")
            d = destinations[m.destination]
            if d.type == "postgres" and (taken := sorted(set(m.fields) & POSTGRES_COLUMNS)):
                raise where.error(f"destination {d.name}: field name(s) {', '.join(taken)} are the table's own "
                                  f"columns ({', '.join(sorted(POSTGRES_COLUMNS))}): rename them")
            if d.type == "customer_match_file":
                bad = sorted(set(m.fields) - set(CUSTOMER_MATCH_FIELDS))
                if bad or not m.fields:
                    raise where.error(f"destination {d.name} ({d.option('layout')} customer match) takes the "
                                      f"fields {', '.join(CUSTOMER_MATCH_FIELDS)}, got {', '.join(m.fields) or 'none'}")
    _check_cycles(audiences)
    return ActivationConfig(audiences, destinations)


def _check_cycles(audiences: dict[str, Audience]) -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            a = audiences[path[0]]
            raise ConfigError(f"{a.file}: audience {a.name}: includes/excludes form a cycle: "
                              f"{' -> '.join([*path, name])}")
        state[name] = "visiting"
        for other in (*audiences[name].include, *audiences[name].exclude):
            visit(other, [*path, name])
        state[name] = "done"

    for name in sorted(audiences):
        visit(name, [])


def dependency_order(audiences: dict[str, Audience]) -> list[str]:
    """Audience names, each after the audiences it includes or excludes (ties by name)."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for other in sorted({*audiences[name].include, *audiences[name].exclude}):
            visit(other)
        order.append(name)

    for name in sorted(audiences):
        visit(name)
    return order
