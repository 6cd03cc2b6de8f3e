"""cdp/identifiers.py, the one Python copy of the SQL normalization of emails and phones, agrees with the SQL
(staging's normalize_email/normalize_phone, identity's mailbox rule) on every value of a generated landing zone,
and the commands that take an email or phone from a person use it."""

from __future__ import annotations

import duckdb
import pytest

from cdp.identifiers import mailbox, normalize_email, normalize_phone
from tests.conftest import cdp


def rows(demo: dict, sql: str) -> list[tuple]:
    with duckdb.connect(demo["env"]["CDP_WAREHOUSE"], read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("source,model", [
    ("crm_contacts", "stg_crm_contacts__contacts"),
    ("loyalty_members", "stg_loyalty_members__members"),
    ("shop_customers", "stg_shop_customers__customers"),
])
def test_python_normalizes_every_landed_email_and_phone_as_staging_does(demo: dict, source: str,
                                                                         model: str) -> None:
    landed = rows(demo, f"""
        select l._record ->> 'email', l._record ->> 'phone', s.email, s.phone
        from landing.{source} as l
        inner join staging.{model} as s on l._file = s._file and l._line = s._line""")
    assert len(landed) > 100
    emails = [(raw, sql) for raw, _, sql, _ in landed if raw is not None]
    phones = [(raw, sql) for _, raw, _, sql in landed if raw is not None]
    assert [normalize_email(raw) for raw, _ in emails] == [sql for _, sql in emails]
    assert [normalize_phone(raw) for raw, _ in phones] == [sql for _, sql in phones]
    # the generator's messy spellings are really there: the agreement is not over clean values only
    assert any(raw != sql for raw, sql in phones)


def test_mailbox_is_the_form_identity_keeps(demo: dict) -> None:
    values = [v for (v,) in rows(demo, """
        select identifier_value from main.customer_identifiers where identifier_type = 'email'""")]
    assert values and all(mailbox(v) == v for v in values)
    assert mailbox("  Jane.Doe+Promo@Example.COM ") == "jane.doe@example.com"
    assert mailbox("not an email") is None and mailbox("\tjane@example.com") is None  # as SQL's trim()
    assert normalize_phone("0044 20 7946 0958") == "+442079460958" and normalize_phone("555-CALL-NOW") is None


def test_consent_audit_and_lookup_find_a_person_by_a_messy_spelling(demo: dict) -> None:
    (email, phone), = rows(demo, """
        select e.identifier_value, p.identifier_value
        from main.customer_identifiers as e
        inner join main.customer_identifiers as p on e.customer_id = p.customer_id
        where e.identifier_type = 'email' and p.identifier_type = 'phone' and p.identifier_value like '+1%'
        order by 1, 2 limit 1""")
    national = phone[2:]
    messy_phone = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    messy_email = "  " + email.upper().replace("@", "+desk@") + " "
    by_email = cdp(["lookup", "--email", messy_email], demo["env"])
    by_phone = cdp(["lookup", "--phone", messy_phone], demo["env"])
    assert by_email.returncode == 0 and by_phone.returncode == 0, by_email.stderr + by_phone.stderr
    assert by_email.stdout == by_phone.stdout and "customer_id" in by_email.stdout
    unreadable = cdp(["lookup", "--phone", "call me maybe"], demo["env"])
    assert unreadable.returncode == 2 and "call me maybe" not in unreadable.stderr
    (address, at), = rows(demo, """
        select scope_id, valid_from + interval 1 second from main.fct_consent_history
        where purpose = 'sms_marketing' and scope_type = 'address' and scope_id like '+1__________'
        order by consent_event_id limit 1""")
    national = address[2:]
    audit = cdp(["consent-audit", "--phone", f"{national[:3]}.{national[3:6]}.{national[6:]}",
                 "--purpose", "sms_marketing", "--at", str(at)], demo["env"])
    assert audit.returncode == 0, audit.stderr
    # found by a spelling that is not the stored one (otherwise: "no consent in force ... deny by default")
    assert "no consent in force" not in audit.stdout and "sms_marketing" in audit.stdout
    missing = cdp(["consent-audit", "--phone", "(999) 000-0001", "--purpose", "sms_marketing", "--at", str(at)],
                  demo["env"])
    assert "no consent in force" in missing.stdout
