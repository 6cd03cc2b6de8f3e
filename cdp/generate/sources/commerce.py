"""Commerce: orders with their lines (web, app, store, call centre) and in-store till lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cdp.generate import vocab
from cdp.generate.batches import Placement, Plan, follow, place
from cdp.generate.clock import MS_PER_DAY, MS_PER_HOUR, iso, spellings, uniform_ms
from cdp.generate.ids import HEX, codes, increasing, numbered
from cdp.generate.landing import Landing, Rows
from cdp.generate.people import People, choose, draw_persons, pick_emails, pick_phones
from cdp.generate.sources.common import blank_unless, join_keys, money, text
from cdp.generate.world import World

ORDERS = Plan("orders", (28, 14, 7, 1, 0), ("csv", "csv", "parquet", "csv", "csv"), late=0.015, jitter=0.02)
ITEMS = Plan("order_items", (28, 14, 7, 1, 0), ("csv",) * 5)
POS = Plan("pos_transactions", (28, 14, 7, 1, 0), ("parquet",) * 5, late=0.01, jitter=0.01)
_TS = pa.timestamp("ms", tz="UTC")
CHANNELS = ("web", "app", "store", "call_center")


@dataclass
class OrderBook:
    """Orders kept for the lines and the support tickets that refer to them."""

    person: np.ndarray
    order_id: np.ndarray
    ts: np.ndarray
    placement: Placement
    lines: Rows
    line_order: np.ndarray  # order number of each line
    line_number: np.ndarray


def first_of(world: World, kind: str) -> np.ndarray:
    """Per person: their first identifier of `kind`, None when they have none."""
    out = np.full(world.people.n, None, dtype=object)
    if kind in world.ids:
        person, value = world.ids[kind]
        out[person[::-1]] = value[::-1]
    return out


def _local_price(people: People, persons: np.ndarray, price: np.ndarray) -> np.ndarray:
    """List prices are in USD; UK customers pay a GBP price."""
    return np.where(people.is_uk[persons], np.floor(price * 0.8) + 0.99, price)


def _status(rng: np.random.Generator, channel: np.ndarray, ts: np.ndarray, end: int) -> np.ndarray:
    n = len(channel)
    online = choose(rng, ("delivered", "shipped", "placed", "cancelled", "returned"), n, p=[0.7, 0.1, 0.05, 0.08, 0.07])
    store = choose(rng, ("delivered", "returned"), n, p=[0.93, 0.07])
    recent = choose(rng, ("placed", "shipped", "cancelled"), n, p=[0.5, 0.45, 0.05])
    status = np.where(channel == "store", store, online)
    return np.where((channel != "store") & (ts > end - 3 * MS_PER_DAY), recent, status)


def orders(world: World, landing: Landing) -> int:
    rng = world.rng(ORDERS.source)
    people, win, catalog = world.people, world.window, world.catalog
    assert catalog is not None
    n = max(10, round(1.5 * people.n))
    ts = np.sort(uniform_ms(rng, win.start, win.end - MS_PER_HOUR, n))
    person = draw_persons(rng, people, n)
    order_id = numbered("ORD-", increasing(rng, n, 1_000_000, 3), 7)
    channel = choose(rng, CHANNELS, n, p=[0.5, 0.2, 0.25, 0.05])
    online = channel != "store"
    shop_of = first_of(world, "shop_customer_id")[person]
    loyalty_of = first_of(world, "loyalty_id")[person]
    u = rng.random((5, n))
    has_shop = np.asarray([v is not None for v in shop_of.tolist()])
    has_loyalty = np.asarray([v is not None for v in loyalty_of.tolist()])
    email_share = np.select([channel == "store", channel == "call_center"], [0.3, 0.6], 1.0)
    phone_share = np.select([channel == "store", channel == "call_center"], [0.1, 0.9], 0.45)
    home_store = rng.integers(0, len(vocab.STORES), size=people.n)[person]
    store_pick = np.where(rng.random(n) < 0.85, home_store, rng.integers(0, len(vocab.STORES), size=n))

    lines = 1 + rng.poisson(1.2, size=n)
    item_order = np.repeat(np.arange(n), lines)
    line_number = np.arange(len(item_order)) - (np.cumsum(lines) - lines)[item_order] + 1
    product = catalog.draw(rng, len(item_order))
    quantity = choose(rng, (1, 2, 3, 4), len(item_order), p=[0.75, 0.18, 0.05, 0.02]).astype(np.int64)
    unit_price = _local_price(people, person[item_order], catalog.list_price[product])
    discount = np.where(rng.random(len(item_order)) < 0.2,
                        np.round(quantity * unit_price * rng.uniform(0.05, 0.25, size=len(item_order)), 2), 0.0)
    total = np.round(np.bincount(item_order, weights=quantity * unit_price - discount, minlength=n), 2)

    rows = Rows(
        columns={
            "order_id": order_id,
            "ordered_at": iso(ts, spellings(rng, n, 0.1, 0.05), rng, "s"),
            "shop_customer_id": blank_unless(online & has_shop & (u[0] < 0.85), shop_of),
            "email": blank_unless(u[1] < email_share,
                                  pick_emails(people, rng, person, (0.85, 0.05, 0.05, 0.02, 0.03), junk=0.002)),
            "phone": blank_unless(u[2] < phone_share,
                                  pick_phones(people, rng, person, [0.2, 0.2, 0.05, 0.2, 0.1, 0.15, 0.05, 0.05],
                                              junk=0.003)),
            "loyalty_id": blank_unless(has_loyalty & (u[3] < np.where(online, 0.15, 0.6)), loyalty_of),
            "channel": channel,
            "store_id": blank_unless(~online, np.asarray(vocab.STORES, dtype=object)[store_pick]),
            "status": _status(rng, channel, ts, win.end),
            "currency": people.currency[person],
            "order_total": money(total),
        },
        person=person,
        key=order_id,
        ts=ts,
        typed={"ordered_at": (ts, _TS), "order_total": (total, pa.float64())},
    )
    placement = place(rng, rows.ts, ORDERS, win)
    written = landing.emit(ORDERS, rows, placement, rng)
    has_discount = discount > 0
    line_rows = Rows(
        columns={
            "order_id": order_id[item_order],
            "line_number": text(line_number),
            "sku": catalog.sku[product],
            "quantity": text(quantity),
            "unit_price": money(unit_price),
            "discount": np.where(has_discount | (rng.random(len(item_order)) < 0.5), money(discount), ""),
        },
        person=person[item_order],
        key=join_keys(order_id[item_order], line_number),
        ts=ts[item_order],
    )
    world.order_book = OrderBook(person, order_id, ts, placement, line_rows, item_order, line_number)
    world.register("order_id", person, order_id)
    return written


def order_items(world: World, landing: Landing) -> int:
    """Order lines land in the same batch as their order, right behind it."""
    rng = world.rng(ITEMS.source)
    book = world.order_book
    assert isinstance(book, OrderBook)
    placement = follow(book.placement, book.line_order, book.line_number, ITEMS.batches)
    return landing.emit(ITEMS, book.lines, placement, rng)


def pos_transactions(world: World, landing: Landing) -> int:
    """Till lines: loyalty cards (sometimes a household member's) and payment-card fingerprints (some shared)."""
    rng = world.rng(POS.source)
    people, win, catalog = world.people, world.window, world.catalog
    assert catalog is not None
    n = people.n
    loyalty_of = first_of(world, "loyalty_id")
    has_card = np.asarray([v is not None for v in loyalty_of.tolist()])
    n_households = int(people.household.max()) + 1
    household_card = np.full(n_households, None, dtype=object)
    holders = np.flatnonzero(has_card)
    household_card[people.household[holders[::-1]]] = loyalty_of[holders[::-1]]

    cards = 1 + (rng.random(n) < 0.3).astype(np.int64)
    first_card = np.cumsum(cards) - cards
    fingerprints = codes(rng, int(cards.sum()), 16, HEX)
    members = np.bincount(people.household, minlength=n_households)
    joint = np.where((members >= 2) & (rng.random(n_households) < 0.3), codes(rng, n_households, 16, HEX), None)
    home_store = rng.integers(0, len(vocab.STORES), size=n)

    n_baskets = max(10, round(2 * n / 2.2))
    person = draw_persons(rng, people, n_baskets, np.where(has_card, 1.6, 1.0))
    day = uniform_ms(rng, win.start, win.end - MS_PER_DAY, n_baskets) // MS_PER_DAY * MS_PER_DAY
    ts = np.sort(day + 14 * MS_PER_HOUR + (rng.random(n_baskets) * 9.5 * MS_PER_HOUR).astype(np.int64))
    store = np.where(rng.random(n_baskets) < 0.85, home_store[person], rng.integers(0, len(vocab.STORES), n_baskets))
    own_card = loyalty_of[person]
    shared_card = household_card[people.household[person]]
    scan = rng.random(n_baskets)
    loyalty = np.where(has_card[person] & (scan < 0.75), own_card, None)
    borrow = ~has_card[person] & (scan < 0.3)
    loyalty = np.where(borrow, shared_card, loyalty)
    pays_card = rng.random(n_baskets) < 0.8
    own_fp = fingerprints[first_card[person] + (rng.random(n_baskets) * cards[person]).astype(np.int64)]
    family_fp = joint[people.household[person]]
    use_joint = np.asarray([v is not None for v in family_fp.tolist()]) & (rng.random(n_baskets) < 0.4)
    fingerprint = np.where(pays_card, np.where(use_joint, family_fp, own_fp), None)

    lines = 1 + rng.poisson(1.2, size=n_baskets)
    basket = np.repeat(np.arange(n_baskets), lines)
    line_no = np.arange(len(basket)) - (np.cumsum(lines) - lines)[basket] + 1
    basket_no = increasing(rng, n_baskets, 20_000_000, 4)
    stores = np.asarray(vocab.STORES, dtype=object)[store]
    transaction_id = np.strings.add(
        np.strings.add(np.strings.add(stores[basket].astype(str), "-"), basket_no[basket].astype(str)),
        np.strings.add("-", np.strings.zfill(line_no.astype(str), 2)),
    ).astype(object)
    product = catalog.draw(rng, len(basket))
    quantity = np.where(rng.random(len(basket)) < 0.02, -1,
                        choose(rng, (1, 2, 3), len(basket), p=[0.8, 0.15, 0.05]).astype(np.int64)).astype(np.int64)
    amount = np.round(quantity * _local_price(people, person[basket], catalog.list_price[product]), 2)
    line_ts = ts[basket] + line_no * 2_000
    rows = Rows(
        columns={
            "transaction_id": transaction_id,
            "transacted_at": line_ts,
            "store_id": stores[basket],
            "loyalty_id": loyalty[basket],
            "card_fingerprint": fingerprint[basket],
            "sku": catalog.sku[product],
            "quantity": quantity,
            "amount": amount,
        },
        person=person[basket],
        key=transaction_id,
        ts=line_ts,
        typed={"transacted_at": (line_ts, _TS), "quantity": (quantity, pa.int64()), "amount": (amount, pa.float64())},
    )
    placement = place(rng, rows.ts, POS, win)
    written = landing.emit(POS, rows, placement, rng)
    landing.add_broken_copy(POS.source, landing.files[POS.source][2], POS.file_name(win, 2).replace(
        "_0003_", f"_{POS.batches + 1:04d}_"))
    return written
