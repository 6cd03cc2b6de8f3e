"""Reference data: ERP products and inventory, B2B accounts and memberships."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generate import vocab
from cdp.generate.batches import Plan, natural_batch, place
from cdp.generate.clock import MS_PER_DAY, MS_PER_HOUR, iso_date, uniform_ms
from cdp.generate.landing import Landing, Rows, concat_rows
from cdp.generate.people import choose
from cdp.generate.sources.common import NO_PERSON, join_keys, money, text
from cdp.generate.world import World

PRODUCTS = Plan("erp_products", (30, 7, 0), ("csv", "csv", "csv"))
INVENTORY = Plan("erp_inventory", (28, 7, 0), ("parquet", "parquet", "parquet"))
ACCOUNTS = Plan("b2b_accounts", (30, 0), ("csv", "csv"))
MEMBERSHIPS = Plan("b2b_memberships", (30, 7, 0), ("csv", "csv", "csv"))

SNAPSHOT_DAYS = (29, 8, 1)
_TS = pa.timestamp("ms", tz="UTC")


def _product_rows(idx: np.ndarray, world: World, price: np.ndarray, active: np.ndarray, ts: np.ndarray) -> Rows:
    cat = world.catalog
    assert cat is not None
    return Rows(
        columns={
            "sku": cat.sku[idx],
            "product_name": cat.name[idx],
            "category": cat.category[idx],
            "unit_cost": money(cat.unit_cost[idx]),
            "list_price": money(price),
            "is_active": np.where(active, "true", "false").astype(object),
        },
        person=np.full(len(idx), NO_PERSON),
        key=cat.sku[idx],
        ts=ts,
    )


def erp_products(world: World, landing: Landing) -> int:
    """Every SKU once, then price changes and deactivations in later batches."""
    rng = world.rng(PRODUCTS.source)
    cat = world.catalog
    assert cat is not None
    everything = np.arange(cat.n)
    first = _product_rows(everything, world, cat.list_price, cat.active, cat.created)
    old = np.flatnonzero(cat.created < world.window.days_before_end(30))
    changed = rng.choice(old, size=max(2, len(old) // 20), replace=False)
    new_price = np.floor(cat.list_price[changed] * rng.uniform(0.85, 1.15, size=len(changed))) + 0.99
    still_active = cat.active[changed] & (rng.random(len(changed)) >= 0.2)
    when = uniform_ms(rng, world.window.days_before_end(30), world.window.end - MS_PER_HOUR, len(changed))
    rows = concat_rows([first, _product_rows(changed, world, new_price, still_active, when)])
    return landing.emit(PRODUCTS, rows, place(rng, rows.ts, PRODUCTS, world.window), rng)


def erp_inventory(world: World, landing: Landing) -> int:
    """A stock snapshot of every SKU at each of 5 locations, three times."""
    rng = world.rng(INVENTORY.source)
    cat = world.catalog
    assert cat is not None
    locations = np.asarray(vocab.INVENTORY_LOCATIONS, dtype=object)
    parts = []
    for days in SNAPSHOT_DAYS:
        at = world.window.days_before_end(days) + 2 * MS_PER_HOUR
        sku = np.flatnonzero(cat.created <= at)
        prod = np.repeat(sku, len(locations))
        loc = np.tile(np.arange(len(locations)), len(sku))
        is_store = np.char.startswith(locations[loc].astype(str), "ST")
        level = 3 + 400 * cat.popularity[prod] / cat.popularity.max() * np.where(is_store, 0.15, 1.0)
        on_hand = rng.poisson(level) * cat.active[prod]
        on_order = np.where(on_hand < level / 2, rng.poisson(level / 2), 0) * cat.active[prod]
        days_to_fulfil = np.where(is_store, rng.integers(2, 8, size=len(prod)), rng.integers(1, 4, size=len(prod)))
        stamp = np.full(len(prod), at, dtype=np.int64)
        parts.append(
            Rows(
                columns={
                    "sku": cat.sku[prod],
                    "location_id": locations[loc],
                    "snapshot_at": stamp,
                    "on_hand": on_hand,
                    "on_order": on_order,
                    "fulfillment_days": days_to_fulfil,
                },
                person=np.full(len(prod), NO_PERSON),
                key=join_keys(cat.sku[prod], locations[loc], iso_date(stamp)),
                ts=stamp,
                typed={
                    "snapshot_at": (stamp, _TS),
                    "on_hand": (on_hand.astype(np.int64), pa.int64()),
                    "on_order": (on_order.astype(np.int64), pa.int64()),
                    "fulfillment_days": (days_to_fulfil.astype(np.int64), pa.int64()),
                },
            )
        )
    rows = concat_rows(parts)
    return landing.emit(INVENTORY, rows, place(rng, rows.ts, INVENTORY, world.window), rng)


def b2b_accounts(world: World, landing: Landing) -> int:
    """Organisations; a later batch updates some head counts."""
    rng = world.rng(ACCOUNTS.source)
    acc = world.accounts
    assert acc is not None

    def rows_of(idx: np.ndarray, employees: np.ndarray, ts: np.ndarray) -> Rows:
        return Rows(
            columns={
                "account_id": acc.account_id[idx],
                "account_name": acc.name[idx],
                "domain": acc.domain[idx],
                "industry": acc.industry[idx],
                "employee_count": text(employees),
            },
            person=np.full(len(idx), NO_PERSON),
            key=acc.account_id[idx],
            ts=ts,
        )

    n = len(acc.account_id)
    cut = world.window.days_before_end(30)
    created = acc.created.copy()
    created[0] = min(created[0], cut - MS_PER_DAY)  # the backfill is never empty
    old = np.flatnonzero(created < cut)
    grown = rng.choice(old, size=max(1, len(old) // 20), replace=False)
    when = uniform_ms(rng, cut, world.window.end - MS_PER_HOUR, len(grown))
    bigger = (acc.employees[grown] * rng.uniform(1.0, 1.3, size=len(grown))).astype(np.int64) + 1
    rows = concat_rows([rows_of(np.arange(n), acc.employees, created), rows_of(grown, bigger, when)])
    return landing.emit(ACCOUNTS, rows, place(rng, rows.ts, ACCOUNTS, world.window), rng)


def b2b_memberships(world: World, landing: Landing) -> int:
    """People's roles at organisations over time: a job change closes one membership and opens another."""
    rng = world.rng(MEMBERSHIPS.source)
    emp, acc = world.employment, world.accounts
    assert emp is not None and acc is not None
    n = len(emp.person)
    ends = MEMBERSHIPS.ends(world.window)
    closed = emp.ended >= 0
    split = closed & (natural_batch(emp.ended, ends) > natural_batch(emp.started, ends))
    sf_person, sf_id = world.ids.get("salesforce_contact", (np.zeros(0, np.int64), np.zeros(0, object)))
    contact = np.full(world.people.n, None, dtype=object)
    contact[sf_person] = sf_id
    email = emp.email.copy()
    recased = np.flatnonzero(rng.random(n) < 0.1)
    email[recased] = [e.capitalize() for e in email[recased].tolist()]
    role = choose(rng, vocab.MEMBER_ROLES, n, p=[0.35, 0.15, 0.1, 0.3, 0.1])
    started = iso_date(emp.started)
    ended = np.where(closed, iso_date(np.maximum(emp.ended, 0)), "").astype(object)

    def rows_of(idx: np.ndarray, ended_text: np.ndarray, ts: np.ndarray) -> Rows:
        return Rows(
            columns={
                "account_id": acc.account_id[emp.account[idx]],
                "contact_id": np.where(closed[idx], None, contact[emp.person[idx]]),
                "email": email[idx],
                "role": role[idx],
                "started_at": started[idx],
                "ended_at": ended_text,
            },
            person=emp.person[idx],
            key=join_keys(acc.account_id[emp.account[idx]], emp.email[idx], started[idx]),
            ts=ts,
        )

    everyone = np.arange(n)
    first_ts = np.where(closed & ~split, emp.ended, emp.started)
    first = rows_of(everyone, np.where(split, "", ended).astype(object), first_ts)
    later = np.flatnonzero(split)
    rows = concat_rows([first, rows_of(later, ended[later], emp.ended[later])])
    return landing.emit(MEMBERSHIPS, rows, place(rng, rows.ts, MEMBERSHIPS, world.window), rng)

