"""Ad-destination identifiers are normalized and hashed exactly as Google and Meta require."""

from __future__ import annotations

import hashlib

from cdp import hashing


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_emails_are_trimmed_and_lower_cased_before_hashing_for_both_platforms() -> None:
    assert hashing.meta_email_hash("  Jo.Smith@Example.COM ") == sha("jo.smith@example.com")
    assert hashing.google_email_hash("  Jo.Smith@Example.COM ") == sha("jo.smith@example.com")
    # the published SHA-256 of "test@example.com"
    assert hashing.meta_email_hash("test@example.com") == (
        "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
    )


def test_google_drops_the_dots_of_gmail_local_parts_and_meta_does_not() -> None:
    assert hashing.google_email("Jo.Smith@Gmail.com") == "josmith@gmail.com"
    assert hashing.google_email("jo.smith@googlemail.com") == "josmith@googlemail.com"
    assert hashing.google_email("jo.smith@example.com") == "jo.smith@example.com"
    assert hashing.normalize_email("Jo.Smith@Gmail.com") == "jo.smith@gmail.com"


def test_phones_are_e164_for_google_and_digits_with_country_code_for_meta() -> None:
    assert hashing.google_phone_hash("+14155550134") == sha("+14155550134")
    assert hashing.meta_phone_hash("+14155550134") == sha("14155550134")
    assert hashing.meta_phone("+447700900123") == "447700900123"


def test_values_that_are_not_identifiers_hash_to_nothing() -> None:
    for bad in (None, "", "not an email", "jo@localhost", "4155550134"):
        assert hashing.meta_email_hash(bad) is None
        assert hashing.google_email_hash(bad) is None
    for bad in (None, "", "4155550134", "+0123", "(415) 555-0134"):
        assert hashing.google_phone_hash(bad) is None
        assert hashing.meta_phone_hash(bad) is None
