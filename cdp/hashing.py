"""Identifiers for advertising destinations, normalized and SHA-256 hashed as each platform requires.

Google Customer Match: email trimmed and lower-cased (for gmail.com / googlemail.com addresses the dots of the
local part removed), phone in E.164 with the leading +; then SHA-256, hex. Meta Custom Audiences: email
trimmed and lower-cased; phone as digits only, country code included, no + and no leading zeros; then
SHA-256, hex. Phones must already be E.164 (staging makes them so); anything else hashes to None.
"""

from __future__ import annotations

import hashlib
import re

E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_email(email: str | None) -> str | None:
    value = (email or "").strip().lower()
    return value if EMAIL.match(value) else None


def google_email(email: str | None) -> str | None:
    value = normalize_email(email)
    if value is None:
        return None
    local, domain = value.rsplit("@", 1)
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    return f"{local}@{domain}"


def google_phone(phone_e164: str | None) -> str | None:
    value = (phone_e164 or "").strip()
    return value if E164.match(value) else None


def meta_phone(phone_e164: str | None) -> str | None:
    value = google_phone(phone_e164)
    return value[1:] if value else None


def hashed(value: str | None) -> str | None:
    return sha256_hex(value) if value else None


def google_email_hash(email: str | None) -> str | None:
    return hashed(google_email(email))


def google_phone_hash(phone_e164: str | None) -> str | None:
    return hashed(google_phone(phone_e164))


def meta_email_hash(email: str | None) -> str | None:
    return hashed(normalize_email(email))


def meta_phone_hash(phone_e164: str | None) -> str | None:
    return hashed(meta_phone(phone_e164))
