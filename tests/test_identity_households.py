"""Households that share a landline or a family mailbox stay apart; one person typed differently stays one.

The guard `household_<type>` of int_identifier_edges_guarded (docs/identity.md, section 2): an email or phone
held by profile records of two people (birth dates that differ, or first names that cannot be one person's)
links no two identifiers. Hand-built landing files, as in tests/test_identity.py: batch 1 is built, batch 2
lands and is built incrementally, and a copy of that warehouse is rebuilt in full to compare.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cdp.landing import ingest

from .conftest import run_dbt
from .test_incremental import table_differences

SELECT = ["--select", "+path:models/marts/identity", "--resource-type", "model", "--resource-type", "seed"]

CRM_HEADER = "contact_id,source_system,first_name,last_name,email,phone,date_of_birth,street_address,postcode," \
             "updated_at\n"
CRM_1 = CRM_HEADER + """\
h1,hubspot,Robert,Harper,thefamily@mail.com,(415) 555-0201,1970-03-04,5 Oak Street,94110,2026-10-01T00:00:00Z
h2,hubspot,Linda,Harper,thefamily@mail.com,(415) 555-0201,1972-08-09,5 Oak Street,94110,2026-10-01T00:00:00Z
t1,salesforce,William,Tanner,will.tanner@mail.com,(415) 555-0301,,,,2026-10-01T00:00:00Z
g1,salesforce,Greg,Olsen,olsen.home@mail.com,(415) 555-0401,,,,2026-10-01T00:00:00Z
k1,salesforce,Sam,Reed,sam.reed@mail.com,(415) 555-0501,,,,2026-10-01T00:00:00Z
k2,salesforce,Sam,Reed,,(415) 555-0501,,,,2026-10-02T00:00:00Z
""" + "".join(  # a store's number typed into the contacts of 21 walk-in customers, all called Pat
    f"p{i},salesforce,Pat,Walkin{chr(97 + i)},,(415) 555-0900,,,,2026-10-01T00:00:00Z\n" for i in range(21))
SHOP_1 = [
    # Linda's own account, with the landline; Robert's own account, without it
    {"shop_customer_id": "s-h2", "email": "linda.harper@mail.com", "phone": "415-555-0201", "first_name": "Linda",
     "last_name": "Harper", "updated_at": "2026-10-02T00:00:00Z"},
    {"shop_customer_id": "s-h1", "email": "rob.harper@mail.com", "first_name": "Robert", "last_name": "Harper",
     "updated_at": "2026-10-02T00:00:00Z"},
    # William Tanner again: a nickname and a typo in the last name; an initial
    {"shop_customer_id": "s-t2", "email": "bill.t@othermail.com", "phone": "415-555-0301", "first_name": "Bill",
     "last_name": "Tannr", "updated_at": "2026-10-02T00:00:00Z"},
    {"shop_customer_id": "s-t4", "phone": "(415) 555-0301", "first_name": "W", "last_name": "Tanner",
     "updated_at": "2026-10-03T00:00:00Z"},
]
LOYALTY_1 = """loyalty_id,email,phone,first_name,last_name,date_of_birth,postcode,enrolled_at,updated_at
T3,,415 555 0301,Wiliam,Tanner,,,2026-10-03T00:00:00Z,2026-10-03T00:00:00Z
"""
ORDERS_1 = """order_id,ordered_at,shop_customer_id,email,phone,loyalty_id,channel
o-fam,2026-10-05T10:00:00Z,,thefamily@mail.com,,,web
o-h1,2026-10-06T10:00:00Z,s-h1,thefamily@mail.com,,,web
"""
# batch 2: Greg's mailbox turns out to be his family's (a new contact, Nina, with it), and contact k2, thought
# to be Sam's second record, is corrected to his wife Tina (a new version, the same updated_at: its edge to the
# landline does not change, only the name behind it does)
CRM_2 = CRM_HEADER + """\
g2,salesforce,Nina,Olsen,olsen.home@mail.com,(415) 555-0402,,,,2026-11-01T00:00:00Z
k2,salesforce,Tina,Reed,,(415) 555-0501,,,,2026-10-02T00:00:00Z
"""

# the append-only history of customer ids never equals a rebuild's (tests/test_incremental.py)
ID_HISTORY = ("main.fct_customer_id_changes", "main.fct_customer_merges", "main.fct_customer_splits")


def write(land: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (land / rel).parent.mkdir(parents=True, exist_ok=True)
        (land / rel).write_text(text)


def snapshot(wh: Path) -> dict[str, dict]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {
            "customers": dict(con.execute("select identifier_key, customer_id from customer_identifiers").fetchall()),
            "dropped": dict(con.execute("select edge_id, drop_rule from fct_identity_edges_dropped").fetchall()),
            "rows": {(s, r): c for s, r, c in con.execute(
                "select source, record_key, customer_id from identity.int_source_records_resolved").fetchall()},
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("households")
    land, wh, target = tmp / "landing", tmp / "incremental" / "cdp.duckdb", tmp / "target"
    wh.parent.mkdir()
    write(land, {"crm_contacts/1.csv": CRM_1, "shop_customers/1.jsonl": "".join(json.dumps(r) + "\n" for r in SHOP_1),
                 "loyalty_members/1.csv": LOYALTY_1, "orders/1.csv": ORDERS_1})
    ingest(land, wh, progress=False)
    run_dbt(["build", *SELECT], wh, land, target)
    first = snapshot(wh)
    write(land, {"crm_contacts/2.csv": CRM_2})
    ingest(land, wh, progress=False)
    run_dbt(["build", *SELECT], wh, land, target)
    second = snapshot(wh)
    full = tmp / "full" / "cdp.duckdb"
    full.parent.mkdir()
    shutil.copy(wh, full)
    run_dbt(["run", "--full-refresh", "--select", "+path:models/marts/identity"], full, land, tmp / "target_full")
    return {"first": first, "second": second, "rebuilt": snapshot(full), "incremental_warehouse": wh,
            "full_warehouse": full}


def test_a_household_sharing_a_landline_and_a_family_mailbox_stays_two_customers(runs: dict) -> None:
    first = runs["first"]
    customer = first["customers"]
    robert, linda = customer["crm_contact_id:hubspot:h1"], customer["crm_contact_id:hubspot:h2"]
    assert robert != linda
    # Linda's shop account holds the landline too: it joins no one through it
    assert customer["shop_customer_id:s-h2"] != robert
    # the family mailbox and the landline link no one: each is a customer of its own (the household's)
    family = customer["email:thefamily@mail.com"]
    assert family not in {robert, linda} and customer["phone:+14155550201"] not in {robert, linda}
    # an order keeps the account it was placed with; a guest order with the family mailbox only goes with it
    assert customer["order_id:o-h1"] == customer["shop_customer_id:s-h1"]
    assert first["rows"][("orders", "o-fam")] == family


def test_the_household_edges_are_audited_with_their_rule(runs: dict) -> None:
    dropped = runs["first"]["dropped"]
    assert dropped["crm_contact_id:hubspot:h1 ~ email:thefamily@mail.com"] == "household_email"
    assert dropped["crm_contact_id:hubspot:h2 ~ phone:+14155550201"] == "household_phone"
    assert dropped["phone:+14155550201 ~ shop_customer_id:s-h2"] == "household_phone"
    # both ends shared: the first end names the rule
    assert dropped["email:thefamily@mail.com ~ phone:+14155550201"] == "household_email"
    assert dropped["email:thefamily@mail.com ~ shop_customer_id:s-h1"] == "household_email"
    assert dropped["email:thefamily@mail.com ~ order_id:o-h1"] == "household_email"
    assert "order_id:o-h1 ~ shop_customer_id:s-h1" not in dropped


def test_one_person_with_a_nickname_typos_and_an_initial_sharing_a_phone_stays_one(runs: dict) -> None:
    """William, Bill Tannr, Wiliam and W Tanner share one phone: names that can be one person's (a nickname, a
    typo, an initial, and Bill and Wiliam: a nickname and a typo of the formal name). The phone keeps its
    edges, while the household's landline of the same build is cut (the rule is on)."""
    first = runs["first"]
    customer = first["customers"]
    keys = ["crm_contact_id:salesforce:t1", "shop_customer_id:s-t2", "loyalty_id:T3", "shop_customer_id:s-t4",
            "phone:+14155550301", "email:will.tanner@mail.com", "email:bill.t@othermail.com"]
    assert len({customer[k] for k in keys}) == 1
    assert not [edge for edge in first["dropped"] if "phone:+14155550301" in edge]
    assert any(rule.startswith("household_") for rule in first["dropped"].values())


def test_a_later_record_or_name_turns_an_identifier_into_a_households_incrementally(runs: dict) -> None:
    first, second, rebuilt = runs["first"], runs["second"], runs["rebuilt"]
    greg, sam = "crm_contact_id:salesforce:g1", "crm_contact_id:salesforce:k1"
    # batch 1: Greg's mailbox and Sam's two contacts are one person's each
    assert first["customers"][greg] == first["customers"]["email:olsen.home@mail.com"]
    assert first["customers"][sam] == first["customers"]["crm_contact_id:salesforce:k2"]
    # batch 2: a new contact (Nina) with Greg's mailbox; a new version of k2 named Tina with Sam's landline. The
    # edges of batch 1 are decided again: Greg's own edge to the mailbox, Sam's own edge to the landline
    dropped = second["dropped"]
    assert dropped[f"{greg} ~ email:olsen.home@mail.com"] == "household_email"
    assert dropped[f"{sam} ~ phone:+14155550501"] == "household_phone"
    assert second["customers"][greg] != second["customers"]["crm_contact_id:salesforce:g2"]
    assert second["customers"][sam] != second["customers"]["crm_contact_id:salesforce:k2"]
    # ... as a full rebuild decides them
    assert dropped == rebuilt["dropped"]
    differences = table_differences(runs["incremental_warehouse"], runs["full_warehouse"])
    assert {t: d for t, d in differences.items() if t not in ID_HISTORY} == {}


def test_a_value_held_by_more_than_20_names_is_a_hub_without_pairwise_comparison(runs: dict) -> None:
    """21 contacts named Pat, each with another last name, on one number: their first names agree pair by pair,
    but no one person has 21 names; the number links none of them (the limit per phone would have kept 3)."""
    dropped = runs["first"]["dropped"]
    hub = {edge: rule for edge, rule in dropped.items() if "phone:+14155550900" in edge}
    assert len(hub) == 21 and set(hub.values()) == {"household_phone"}
