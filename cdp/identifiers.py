"""Identifiers typed by a person at a terminal (an email, a phone), in the form identity resolution keeps them.

The warehouse normalizes identifiers in SQL (macros/normalize/normalize_email.sql and normalize_phone.sql in
staging, then identity_normalize_identifier in macros/identity/identity_identifier_columns.sql). The commands
that look a person up (`cdp lookup`, `cdp consent-audit`, privacy requests) must turn what they are given into
the same value, and this module is the one Python copy of those rules. tests/test_identifiers.py proves that it
agrees with the SQL on every email and phone of a generated landing zone, so the two cannot drift apart
silently. The calling code and national number length come from dbt_project.yml's vars, as the SQL's do.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

PROJECT_FILE = Path(__file__).resolve().parent.parent / "dbt_project.yml"
EMAIL_SHAPE = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
PHONE_SHAPE = re.compile(r"^\+?[0-9() ./-]+$")
PLUS_TAG = re.compile(r"\+[^@]*@")


@cache
def _phone_settings() -> tuple[str, int]:
    variables = yaml.safe_load(PROJECT_FILE.read_text()).get("vars", {})
    return str(variables["cdp__default_calling_code"]), int(variables["cdp__national_number_length"])


def normalize_email(raw: str | None) -> str | None:
    """Trimmed and lower-cased, or None when not shaped like local@domain.tld (normalize_email.sql)."""
    if raw is None:
        return None
    text = raw.strip(" ").lower()  # DuckDB trim(): spaces only; a tab makes the value unreadable, as in SQL
    return text if EMAIL_SHAPE.match(text) else None


def mailbox(raw: str | None) -> str | None:
    """The email as identity keeps it: normalized, without its +tag (one mailbox)."""
    email = normalize_email(raw)
    return PLUS_TAG.sub("@", email) if email else None


def normalize_phone(raw: str | None) -> str | None:
    """E.164, or None when it cannot be read as a phone number (normalize_phone.sql)."""
    if raw is None:
        return None
    text = raw.strip(" ")
    if not PHONE_SHAPE.match(text):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    calling_code, national_length = _phone_settings()
    if text.startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    if digits.startswith("00") and 10 <= len(digits) <= 17:
        return "+" + digits[2:]
    if len(digits) == national_length:
        return f"+{calling_code}{digits}"
    if len(digits) == national_length + len(calling_code) and digits.startswith(calling_code):
        return "+" + digits
    return None
