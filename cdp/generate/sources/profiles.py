"""Profile-bearing sources: CRM contacts (two systems), shop customers, loyalty members."""

from __future__ import annotations

import numpy as np

from cdp.generate import vocab
from cdp.generate.batches import Plan, place
from cdp.generate.clock import MS_PER_DAY, MS_PER_HOUR, NAIVE, iso, spellings, uniform_ms
from cdp.generate.ids import codes, increasing, numbered
from cdp.generate.landing import Landing, Rows, concat_rows
from cdp.generate.people import (
    CASED,
    PLUS,
    TYPO,
    People,
    choose,
    pick_emails,
    pick_first_names,
    pick_last_names,
    pick_phones,
    spell_emails,
)
from cdp.generate.sources.common import blank_unless, is_known, text
from cdp.generate.world import World

CRM = Plan("crm_contacts", (30, 7, 0), ("csv", "csv", "csv"), only_in={"lead_source": (1,)})
SHOP = Plan("shop_customers", (30, 7, 0), ("jsonl", "jsonl", "jsonl"), sparse=frozenset({"tags"}))
LOYALTY = Plan("loyalty_members", (30, 7, 0), ("csv", "csv", "csv"))

_US_COUNTRY = ("US", "USA", "United States", "us")
_UK_COUNTRY = ("GB", "UK", "United Kingdom", "England")


def _created_updated(rng: np.random.Generator, world: World, n: int) -> tuple[np.ndarray, np.ndarray]:
    start, end = world.window.start, world.window.end
    created = uniform_ms(rng, start, end - MS_PER_DAY, n)
    updated = np.minimum(created + (rng.random(n) * 3 * MS_PER_DAY).astype(np.int64), end - MS_PER_HOUR)
    return created, updated


def _updates(rng: np.random.Generator, world: World, rows: Rows, updated: np.ndarray, share: float) -> np.ndarray:
    """Records (landed before the last month) that change later, and when."""
    old = np.flatnonzero(updated < world.window.days_before_end(30))
    return rng.choice(old, size=min(len(old), max(1, round(share * len(rows.key)))), replace=False)


def _countries(rng: np.random.Generator, people: People, persons: np.ndarray) -> np.ndarray:
    us = choose(rng, _US_COUNTRY, len(persons), p=[0.5, 0.2, 0.25, 0.05])
    uk = choose(rng, _UK_COUNTRY, len(persons), p=[0.4, 0.3, 0.2, 0.1])
    return np.where(people.is_uk[persons], uk, us)


def crm_contacts(world: World, landing: Landing) -> int:
    """Contacts in Salesforce and HubSpot: ~10% of people in both, ~3% twice within one system."""
    rng = world.rng(CRM.source)
    people = world.people
    n = people.n
    employer = world.current_employer()
    u = rng.random(n)
    in_sf = (u < 0.22) | ((u >= 0.34) & (u < 0.44)) | ((employer >= 0) & (rng.random(n) < 0.6))
    in_hs = (u >= 0.22) & (u < 0.44)
    sf, hs = np.flatnonzero(in_sf), np.flatnonzero(in_hs)
    sf_dup = sf[rng.random(len(sf)) < 0.03]
    hs_dup = hs[rng.random(len(hs)) < 0.03]
    person = np.concatenate([sf, sf_dup, hs, hs_dup])
    is_sf = np.concatenate([np.ones(len(sf) + len(sf_dup), bool), np.zeros(len(hs) + len(hs_dup), bool)])
    m = len(person)
    created, updated = _created_updated(rng, world, m)

    hs_numbers = np.empty(m, dtype=np.int64)
    hs_rows = np.flatnonzero(~is_sf)
    hs_numbers[hs_rows[np.argsort(created[hs_rows], kind="stable")]] = increasing(rng, len(hs_rows), 51_000, 400)
    contact_id = np.where(is_sf, codes(rng, m, 12, prefix="003"), hs_numbers.astype(str).astype(object))

    b2b = is_sf & (employer[person] >= 0)
    work = world.work_email()[person]
    personal = pick_emails(people, rng, person, (0.80, 0.07, 0.05, 0.04, 0.04), junk=0.003)
    email = np.where(b2b & (rng.random(m) < 0.7), work, personal)
    sf_phone = pick_phones(people, rng, person, [0.5, 0.15, 0.05, 0.05, 0.1, 0.1, 0.0, 0.05], junk=0.004)
    hs_phone = pick_phones(people, rng, person, [0.15, 0.2, 0.1, 0.15, 0.15, 0.15, 0.05, 0.05], junk=0.004)
    phone = blank_unless(rng.random(m) < 0.75, np.where(is_sf, sf_phone, hs_phone))
    has_address = rng.random(m) < 0.65
    accounts = world.accounts
    assert accounts is not None

    sf_style = spellings(rng, m, 0.0, 0.0)
    hs_style = spellings(rng, m, 0.1, 0.1)
    created_at = np.where(is_sf, iso(created, sf_style, rng, "ms"), iso(created, hs_style, rng, "s"))
    updated_at = np.where(is_sf, iso(updated, sf_style, rng, "ms"), iso(updated, hs_style, rng, "s"))
    rows = Rows(
        columns={
            "contact_id": contact_id,
            "source_system": np.where(is_sf, "salesforce", "hubspot").astype(object),
            "first_name": pick_first_names(people, rng, person, nick=0.08, typo_=0.03, case=0.03),
            "last_name": pick_last_names(people, rng, person, typo_=0.03, case=0.03),
            "email": blank_unless(rng.random(m) < 0.93, email),
            "phone": phone,
            "date_of_birth": blank_unless(rng.random(m) < 0.35, people.date_of_birth[person]),
            "street_address": blank_unless(has_address, people.street[person]),
            "address_line2": blank_unless(has_address, people.line2[person]),
            "city": blank_unless(has_address, people.city[person]),
            "postcode": blank_unless(has_address, people.postcode[person]),
            "region": blank_unless(has_address, people.region[person]),
            "country": blank_unless(has_address, _countries(rng, people, person)),
            "account_id": blank_unless(b2b, accounts.account_id[np.maximum(employer[person], 0)]),
            "job_title": blank_unless(b2b, choose(rng, vocab.JOB_TITLES, m)),
            "created_at": created_at,
            "updated_at": updated_at,
            "lead_source": blank_unless(~is_sf, choose(rng, vocab.LEAD_SOURCES, m)),
        },
        person=person,
        key=contact_id,
        ts=updated,
    )
    first_sf = np.arange(len(sf))
    world.register("contact_id", person, contact_id)
    world.register("salesforce_contact", person[first_sf], contact_id[first_sf])

    changed = _updates(rng, world, rows, updated, 0.06)
    later = rows.take(changed)
    when = uniform_ms(rng, world.window.days_before_end(30), world.window.end - MS_PER_HOUR, len(changed))
    later.ts = when
    later.columns["updated_at"] = iso(when, spellings(rng, len(changed), 0.0, 0.0), rng, "ms")
    new_phone = pick_phones(people, rng, later.person, [0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0])
    later.columns["phone"] = np.where(rng.random(len(changed)) < 0.5, new_phone, later.columns["phone"])
    rows = concat_rows([rows, later])
    return landing.emit(CRM, rows, place(rng, rows.ts, CRM, world.window), rng)


def shop_customers(world: World, landing: Landing) -> int:
    """E-commerce accounts: 61% of people, 6% of them with a second account under another spelling."""
    rng = world.rng(SHOP.source)
    people = world.people
    n = people.n
    has = np.flatnonzero(rng.random(n) < 0.61)
    second = has[rng.random(len(has)) < 0.06]
    person = np.concatenate([has, second])
    m = len(person)
    created, updated = _created_updated(rng, world, m)
    numbers = np.empty(m, dtype=np.int64)
    numbers[np.argsort(created, kind="stable")] = increasing(rng, m, 6_500_000_000_000, 5_000)
    shop_id = numbers.astype(str).astype(object)

    email = pick_emails(people, rng, person, (0.82, 0.05, 0.07, 0.02, 0.04), junk=0.002)
    alt = spell_emails(people, rng, second, choose(rng, (CASED, PLUS, PLUS, TYPO), len(second)).astype(int))
    work = world.work_email()[second]
    email[len(has):] = np.where(is_known(work), work, alt)
    style = spellings(rng, m, 0.6, 0.0)
    rows = Rows(
        columns={
            "shop_customer_id": shop_id,
            "email": email,
            "phone": blank_unless(rng.random(m) < 0.55,
                                  pick_phones(people, rng, person, [0.05, 0.05, 0, 0.05, 0.05, 0.75, 0, 0.05])),
            "first_name": pick_first_names(people, rng, person, nick=0.05, typo_=0.02, case=0.04),
            "last_name": pick_last_names(people, rng, person, typo_=0.02, case=0.04),
            "created_at": iso(created, style, rng, "s"),
            "updated_at": iso(updated, style, rng, "s"),
            "accepts_marketing": (rng.random(m) < 0.45).astype(object),
            "tags": blank_unless(rng.random(m) < 0.15,
                                 choose(rng, ("vip", "wholesale", "newsletter", "vip,newsletter", "returning"), m)),
        },
        person=person,
        key=shop_id,
        ts=updated,
    )
    world.register("shop_customer_id", person, shop_id)

    changed = _updates(rng, world, rows, updated, 0.08)
    later = rows.take(changed)
    when = uniform_ms(rng, world.window.days_before_end(30), world.window.end - MS_PER_HOUR, len(changed))
    later.ts = when
    later.columns["updated_at"] = iso(when, spellings(rng, len(changed), 0.6, 0.0), rng, "s")
    later.columns["accepts_marketing"] = np.asarray([not v for v in later.columns["accepts_marketing"]], object)
    rows = concat_rows([rows, later])
    return landing.emit(SHOP, rows, place(rng, rows.ts, SHOP, world.window), rng)


def _tier(points: np.ndarray) -> np.ndarray:
    return np.asarray(vocab.TIERS, dtype=object)[np.searchsorted([500, 2_000, 6_000], points, side="right")]


def loyalty_members(world: World, landing: Landing) -> int:
    """Loyalty programme: 36% of people, 3% of them enrolled twice."""
    rng = world.rng(LOYALTY.source)
    people = world.people
    n = people.n
    members = np.flatnonzero(rng.random(n) < 0.36)
    again = members[rng.random(len(members)) < 0.03]
    person = np.concatenate([members, again])
    m = len(person)
    enrolled, updated = _created_updated(rng, world, m)
    numbers = np.empty(m, dtype=np.int64)
    numbers[np.argsort(enrolled, kind="stable")] = increasing(rng, m, 4_100_000_000, 300)
    loyalty_id = numbers_to_ids(numbers)
    points = np.clip(rng.lognormal(6.5, 1.2, size=m), 0, 40_000).astype(np.int64)
    naive = np.full(m, NAIVE, dtype=np.int8)
    rows = Rows(
        columns={
            "loyalty_id": loyalty_id,
            "email": blank_unless(rng.random(m) < 0.85,
                                  pick_emails(people, rng, person, (0.78, 0.08, 0.06, 0.04, 0.04), junk=0.003)),
            "phone": blank_unless(rng.random(m) < 0.8,
                                  pick_phones(people, rng, person, [0.2, 0.15, 0.05, 0.45, 0.05, 0.05, 0, 0.05],
                                              junk=0.003)),
            "first_name": pick_first_names(people, rng, person, nick=0.1, typo_=0.04, case=0.05),
            "last_name": pick_last_names(people, rng, person, typo_=0.04, case=0.05),
            "date_of_birth": blank_unless(rng.random(m) < 0.6, people.date_of_birth[person]),
            "postcode": blank_unless(rng.random(m) < 0.95, people.postcode[person]),
            "tier": _tier(points),
            "points_balance": text(points),
            "enrolled_at": iso(enrolled, naive, rng, "s", sep=" "),
            "updated_at": iso(updated, naive, rng, "s", sep=" "),
        },
        person=person,
        key=loyalty_id,
        ts=updated,
    )
    world.register("loyalty_id", person, loyalty_id)

    changed = _updates(rng, world, rows, updated, 0.12)
    later = rows.take(changed)
    when = uniform_ms(rng, world.window.days_before_end(30), world.window.end - MS_PER_HOUR, len(changed))
    later.ts = when
    later.columns["updated_at"] = iso(when, np.full(len(changed), NAIVE, np.int8), rng, "s", sep=" ")
    new_points = points[changed] + rng.integers(10, 900, size=len(changed))
    later.columns["points_balance"] = text(new_points)
    later.columns["tier"] = _tier(new_points)
    rows = concat_rows([rows, later])
    return landing.emit(LOYALTY, rows, place(rng, rows.ts, LOYALTY, world.window), rng)


def numbers_to_ids(numbers: np.ndarray) -> np.ndarray:
    return numbered("LY", numbers, 10)

