"""Malformed input injected at a small rate: what can go wrong, per source and file format.

A fault names the field it breaks and how: DROP (the key is absent, or the cell empty / null) or a
tuple of bad texts to choose from. `broken_json` and `wrong_column_count` break the line itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 0.003
MINIMUM = 2

BROKEN_JSON = "broken_json"
MISSING = "missing_required"
INVALID_REQUIRED = "invalid_required"
INVALID_OPTIONAL = "invalid_optional"
WRONG_COLUMNS = "wrong_column_count"
DUPLICATE = "duplicate_delivery"
UNREADABLE = "unreadable_file"
UNSUPPORTED = "unsupported_file"

DROP = object()
EMPTY = ("",)

BAD_TIMESTAMPS = ("2025-04-31T10:15:00Z", "31/04/2025 10:15", "2025-02-30 08:00:00", "yesterday", "2025-13-01T00:00:00Z")
BAD_DATES = ("1985-04-31", "1990-02-30", "2025-02-29", "2025-09-31", "1979-06-31")
BAD_PHONES = ("415-555-O134", "+1 (415) 555-01x4", "call after 5pm", "tel: four one five", "n/a")


@dataclass(frozen=True)
class Fault:
    kind: str
    field: str | None = None
    value: Any = DROP  # DROP or a tuple of bad values

    def bad_value(self, i: int) -> Any:
        return self.value[i % len(self.value)]


def _events(id_key: str, ts_key: str) -> dict[str, tuple[Fault, ...]]:
    return {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(MISSING, id_key, EMPTY),
            Fault(INVALID_REQUIRED, ts_key, BAD_TIMESTAMPS),
            Fault(MISSING, ts_key),
            Fault(INVALID_OPTIONAL, "traits.phone", BAD_PHONES),
        ),
        "parquet": (
            Fault(MISSING, id_key),
            Fault(INVALID_REQUIRED, ts_key, BAD_TIMESTAMPS),
            Fault(MISSING, ts_key),
        ),
    }


MENUS: dict[str, dict[str, tuple[Fault, ...]]] = {
    "web_events": _events("message_id", "timestamp"),
    "mobile_events": _events("message_id", "timestamp"),
    "email_events": {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(MISSING, "email", EMPTY),
            Fault(INVALID_REQUIRED, "occurred_at", BAD_TIMESTAMPS),
            Fault(MISSING, "event_id"),
        ),
    },
    "crm_contacts": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "date_of_birth", BAD_DATES),
            Fault(MISSING, "contact_id"),
            Fault(INVALID_OPTIONAL, "phone", BAD_PHONES),
            Fault(INVALID_OPTIONAL, "updated_at", BAD_TIMESTAMPS),
        ),
    },
    "shop_customers": {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(INVALID_OPTIONAL, "phone", BAD_PHONES),
            Fault(MISSING, "shop_customer_id"),
            Fault(INVALID_OPTIONAL, "accepts_marketing", ("maybe", "yes please")),
            Fault(INVALID_OPTIONAL, "created_at", BAD_TIMESTAMPS),
        ),
    },
    "orders": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "order_total", ("12,50 EUR", "N/A", "twelve")),
            Fault(MISSING, "ordered_at"),
            Fault(INVALID_REQUIRED, "ordered_at", BAD_TIMESTAMPS),
            Fault(MISSING, "order_id"),
            Fault(INVALID_OPTIONAL, "phone", BAD_PHONES),
        ),
        "parquet": (Fault(MISSING, "order_id"), Fault(MISSING, "ordered_at")),
    },
    "order_items": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "quantity", ("two", "1.5.0", "2 pcs")),
            Fault(MISSING, "sku"),
            Fault(INVALID_REQUIRED, "line_number", ("one", "#2")),
            Fault(INVALID_OPTIONAL, "unit_price", ("9.99$", "free")),
        ),
    },
    "pos_transactions": {
        "parquet": (Fault(MISSING, "transaction_id"), Fault(MISSING, "transacted_at")),
    },
    "loyalty_members": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "date_of_birth", BAD_DATES),
            Fault(MISSING, "loyalty_id"),
            Fault(INVALID_OPTIONAL, "points_balance", ("lots", "1.234,5")),
            Fault(INVALID_OPTIONAL, "phone", BAD_PHONES),
        ),
    },
    "support_tickets": {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(INVALID_OPTIONAL, "csat", ("five", "great")),
            Fault(MISSING, "ticket_id"),
            Fault(INVALID_REQUIRED, "opened_at", BAD_TIMESTAMPS),
            Fault(INVALID_OPTIONAL, "closed_at", BAD_TIMESTAMPS),
        ),
    },
    "survey_responses": {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(INVALID_OPTIONAL, "nps", ("ten", "10/10", "n/a")),
            Fault(MISSING, "submitted_at"),
            Fault(MISSING, "response_id", EMPTY),
        ),
    },
    "consent_events": {
        "jsonl": (
            Fault(BROKEN_JSON),
            Fault(MISSING, "subject_id", EMPTY),
            Fault(INVALID_REQUIRED, "captured_at", BAD_TIMESTAMPS),
            Fault(MISSING, "purpose"),
        ),
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(MISSING, "subject_id"),
            Fault(INVALID_REQUIRED, "captured_at", BAD_TIMESTAMPS),
        ),
    },
    "privacy_requests": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(MISSING, "subject_id"),
            Fault(INVALID_REQUIRED, "received_at", BAD_TIMESTAMPS),
        ),
    },
    "erp_products": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "unit_cost", ("n/a", "12,99")),
            Fault(MISSING, "sku"),
            Fault(INVALID_OPTIONAL, "list_price", ("TBD", "$")),
        ),
    },
    "erp_inventory": {
        "parquet": (Fault(MISSING, "sku"), Fault(MISSING, "snapshot_at"), Fault(MISSING, "location_id")),
    },
    "b2b_accounts": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "employee_count", ("50-100", "approx 200")),
            Fault(MISSING, "account_id"),
        ),
    },
    "b2b_memberships": {
        "csv": (
            Fault(WRONG_COLUMNS),
            Fault(INVALID_OPTIONAL, "started_at", BAD_DATES),
            Fault(MISSING, "account_id"),
            Fault(INVALID_OPTIONAL, "ended_at", BAD_DATES),
        ),
    },
}


def choose_faults(
    rng: np.random.Generator, source: str, formats: list[str], eligible: np.ndarray
) -> dict[int, Fault]:
    """Placed row -> fault, for ~0.3% of the eligible rows (at least 2), cycling through each format's menu."""
    menus = MENUS[source]
    candidates = np.flatnonzero(eligible & np.isin(np.asarray(formats), list(menus)))
    k = min(len(candidates), max(MINIMUM, round(RATE * len(eligible))))
    chosen = rng.choice(candidates, size=k, replace=False)
    used = {fmt: 0 for fmt in menus}
    out: dict[int, Fault] = {}
    for row in chosen.tolist():
        fmt = formats[row]
        out[row] = menus[fmt][used[fmt] % len(menus[fmt])]
        used[fmt] += 1
    return dict(sorted(out.items()))


def set_path(record: dict, path: str, value: Any) -> None:
    """Set (or with DROP remove) a dotted key, copying nested objects on the way (they may be shared)."""
    parts = path.split(".")
    node = record
    for part in parts[:-1]:
        child = node.get(part)
        child = dict(child) if isinstance(child, dict) else {}
        node[part] = child
        node = child
    if value is DROP:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def break_line(line: bytes, share: float) -> bytes:
    """A JSON line cut short (an object without its end never parses), on a character boundary."""
    text = line.decode()
    return text[: max(1, int(len(text) * share))].encode()


def wrong_width(row: list, i: int) -> list:
    """A CSV row with one field too many or too few."""
    if i % 2 == 0:
        return [*row, "Suite 100"]
    return row[:-1]
