"""Behavioural events, Segment-spec style: the website tag and the app SDK.

Sessions are drawn first (person, browser cookie or device, start, length, whether and when the person
logs in), then expanded to events. Events before a login carry only the anonymous id; the login (or a
newsletter form) is an `identify` call with traits; later events carry the user id too. Households share
a family computer (one cookie) or a family tablet (one device id) between people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdp.generate import vocab
from cdp.generate.batches import Placement, Plan, place
from cdp.generate.clock import MS_PER_HOUR, iso, iso_z, spellings, uniform_ms
from cdp.generate.ids import HEX, codes, uuids
from cdp.generate.landing import Landing, Rows
from cdp.generate.people import (
    People,
    choose,
    draw_persons,
    pick_emails,
    pick_first_names,
    pick_last_names,
    pick_phones,
)
from cdp.generate.sources.common import is_known
from cdp.generate.world import Catalog, World

_LATER = (3, 4, 5)
WEB = Plan(
    "web_events", (28, 21, 14, 7, 1, 0), ("jsonl",) * 6, late=0.01, dup=0.005, jitter=0.03,
    only_in={"sent_at": _LATER, "received_at": _LATER},
)
MOBILE = Plan(
    "mobile_events", (28, 21, 14, 7, 1, 0), ("jsonl", "jsonl", "jsonl", "parquet", "jsonl", "jsonl"),
    late=0.03, dup=0.005, jitter=0.05, only_in={"sent_at": _LATER, "received_at": _LATER},
)
EVENTS_PER_SESSION = 4.0
LIBRARY = {"name": "analytics.js", "version": "2.11.1"}
APP_NAME = "Example Store"
ZERO_AD_ID = "00000000-0000-0000-0000-000000000000"
MOBILE_TRACKS = (
    ("Product Viewed", 0.4), ("Products Searched", 0.15), ("Product Added", 0.2), ("Order Completed", 0.05),
    ("Push Notification Tapped", 0.1), ("Store Check-in", 0.1),
)
SEARCHES = ("rain jacket", "tent 2 person", "hiking boots women", "merino", "kids sleeping bag", "headlamp")


def _ips(rng: np.random.Generator, n: int) -> np.ndarray:
    parts = [rng.integers(lo, hi, size=n).astype(str) for lo, hi in ((11, 223), (0, 256), (0, 256), (1, 255))]
    out = parts[0]
    for p in parts[1:]:
        out = np.strings.add(np.strings.add(out, "."), p)
    return out.astype(object)


def _first_per_person(persons: np.ndarray, ts: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mask of the earliest session (by ts) per person among the masked sessions."""
    idx = np.flatnonzero(mask)
    ordered = idx[np.lexsort((ts[idx], persons[idx]))]
    _, first = np.unique(persons[ordered], return_index=True)
    out = np.zeros(len(mask), dtype=bool)
    out[ordered[first]] = True
    return out


def _product_properties(catalog: Catalog) -> np.ndarray:
    """One shared properties object per SKU (reused by every event about it)."""
    return np.asarray(
        [{"sku": s, "name": nm, "category": c, "price": float(p)} for s, nm, c, p in
         zip(catalog.sku.tolist(), catalog.name.tolist(), catalog.category.tolist(), catalog.list_price.tolist(),
             strict=True)],
        dtype=object,
    )


def _track_properties(
    rng: np.random.Generator, world: World, names: np.ndarray, persons: np.ndarray, product_props: np.ndarray
) -> np.ndarray:
    """Properties per track event, by event name."""
    catalog = world.catalog
    assert catalog is not None
    n = len(names)
    out = np.empty(n, dtype=object)
    product = catalog.draw(rng, n)
    out[:] = product_props[product]
    searches = np.asarray([{"query": q} for q in SEARCHES], dtype=object)
    out[names == "Products Searched"] = searches[rng.integers(0, len(searches), size=n)][names == "Products Searched"]
    currency = world.people.currency[persons]
    value = np.round(rng.lognormal(4.0, 0.7, size=n), 2)
    for i in np.flatnonzero(names == "Checkout Started").tolist():
        out[i] = {"value": float(value[i]), "currency": currency[i]}
    for i in np.flatnonzero(names == "Order Completed").tolist():
        out[i] = {"revenue": float(value[i]), "currency": currency[i]}
    fixed = {
        "Coupon Applied": {"coupon": "SPRING10"},
        "Newsletter Subscribed": {"list": "weekly_digest"},
        "Push Notification Tapped": {"campaign": "members_weekend"},
        "Application Opened": {"from_background": False},
    }
    for name, props in fixed.items():
        out[names == name] = props
    stores = np.asarray([{"store_id": s} for s in vocab.STORES], dtype=object)
    check_in = names == "Store Check-in"
    out[check_in] = stores[rng.integers(0, len(stores), size=int(check_in.sum()))]
    return out


def _traits(
    rng: np.random.Generator, people: People, persons: np.ndarray, full: np.ndarray
) -> np.ndarray:
    """Identify traits: email, names and sometimes phone for a login; just the email for a newsletter form."""
    email = pick_emails(people, rng, persons, (0.72, 0.1, 0.08, 0.04, 0.06), junk=0.002)
    first = pick_first_names(people, rng, persons, nick=0.1, typo_=0.03, case=0.05)
    last = pick_last_names(people, rng, persons, typo_=0.03, case=0.05)
    phone = pick_phones(people, rng, persons, [0.15, 0.15, 0.1, 0.15, 0.15, 0.2, 0.05, 0.05], junk=0.003)
    with_phone = rng.random(len(persons)) < 0.4
    out = np.empty(len(persons), dtype=object)
    for i, (e, f, s, p, is_full, has_phone) in enumerate(
        zip(email.tolist(), first.tolist(), last.tolist(), phone.tolist(), full.tolist(), with_phone.tolist(),
            strict=True)
    ):
        if not is_full:
            out[i] = {"email": e}
        elif has_phone:
            out[i] = {"email": e, "first_name": f, "last_name": s, "phone": p}
        else:
            out[i] = {"email": e, "first_name": f, "last_name": s}
    return out


class _Sessions:
    """Sessions expanded to events: which session, position in it, and event time."""

    def __init__(self, rng: np.random.Generator, start: np.ndarray, length: np.ndarray, end: int) -> None:
        self.n_rows = int(length.sum())
        self.session = np.repeat(np.arange(len(length)), length)
        offsets = np.cumsum(length) - length
        self.pos = np.arange(self.n_rows) - offsets[self.session]
        gap = rng.exponential(45_000, size=self.n_rows).astype(np.int64)
        gap[self.pos == 0] = 0
        cum = np.cumsum(gap)
        self.ts = np.minimum(start[self.session] + cum - cum[offsets][self.session], end - 1)


def _login(
    rng: np.random.Generator, persons: np.ndarray, start: np.ndarray, length: np.ndarray, registered: np.ndarray,
    p_logged: float, p_top: float, p_identify: float, p_newsletter: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per session: logged in?, position of the login, identify call?, newsletter form?"""
    s = len(persons)
    logged = registered & (rng.random(s) < p_logged)
    at = np.where(rng.random(s) < p_top, 0, (rng.random(s) * length).astype(np.int64))
    identify = logged & ((rng.random(s) < p_identify) | _first_per_person(persons, start, logged))
    newsletter = ~logged & (rng.random(s) < p_newsletter)
    return logged, at, identify, newsletter


def _event_rows(
    rng: np.random.Generator, world: World, sp: np.ndarray, sess: _Sessions, logged: np.ndarray, at: np.ndarray,
    identify: np.ndarray, newsletter: np.ndarray, anonymous: np.ndarray, style: tuple[float, float],
) -> dict[str, np.ndarray]:
    """Columns common to web and app events."""
    people = world.people
    s = sess.session
    persons = sp[s]
    ident = (sess.pos == at[s]) & (identify | newsletter)[s]
    ts_style = spellings(rng, sess.n_rows, *style)
    traits = np.full(sess.n_rows, None, dtype=object)
    ident_rows = np.flatnonzero(ident)
    traits[ident_rows] = _traits(rng, people, persons[ident_rows], identify[s[ident_rows]])
    latency = 40 + sess.ts % 3_960
    return {
        "message_id": uuids(rng, sess.n_rows),
        "type": np.where(ident, "identify", "").astype(object),
        "timestamp": iso(sess.ts, ts_style, rng, "ms"),
        "anonymous_id": anonymous[s],
        "user_id": np.where(logged[s] & (sess.pos >= at[s]), world.user_id[persons], None),
        "locale": np.where(people.is_uk[persons], "en-GB", "en-US").astype(object),
        "traits": traits,
        "sent_at": iso_z(sess.ts + latency // 4, unit="ms"),
        "received_at": iso_z(sess.ts + latency, unit="ms"),
    }


@dataclass
class _Cookies:
    """Browser cookies (anonymous ids): 1-3 per person, plus one family computer in some households."""

    cookie_id: np.ndarray
    owner: np.ndarray  # the person (for a family computer: the household's first member)
    agent: np.ndarray
    first: np.ndarray  # per person: index of their first own cookie
    count: np.ndarray  # per person: how many own cookies
    family: np.ndarray  # per household: index of the family computer's cookie, -1 when none

    def for_sessions(self, rng: np.random.Generator, people: People, persons: np.ndarray) -> np.ndarray:
        """The cookie of each session: one of the person's own, or (35%) the family computer's."""
        own = self.first[persons] + (rng.random(len(persons)) * self.count[persons]).astype(np.int64)
        family = self.family[people.household[persons]]
        return np.where((family >= 0) & (rng.random(len(persons)) < 0.35), family, own)


def _cookies(rng: np.random.Generator, people: People) -> _Cookies:
    n = people.n
    count = 1 + (rng.random(n) < 0.5).astype(np.int64) + (rng.random(n) < 0.2)
    n_households = int(people.household.max()) + 1
    members = np.bincount(people.household, minlength=n_households)
    shared = (members >= 2) & (rng.random(n_households) < 0.3)
    own_total = int(count.sum())
    family = np.full(n_households, -1, dtype=np.int64)
    family[shared] = own_total + np.arange(int(shared.sum()))
    head = np.searchsorted(people.household, np.flatnonzero(shared))
    cookie_id = uuids(rng, own_total + int(shared.sum()))
    return _Cookies(
        cookie_id=cookie_id,
        owner=np.concatenate([np.repeat(np.arange(n), count), head]),
        agent=choose(rng, vocab.WEB_USER_AGENTS, len(cookie_id)),
        first=np.cumsum(count) - count,
        count=count,
        family=family,
    )


@dataclass
class _Devices:
    """App installs: 1-2 phones per app user, plus a family tablet in some households."""

    device_id: np.ndarray
    owner: np.ndarray  # the person (for a family tablet: the household's first member)
    device_type: np.ndarray
    install_id: np.ndarray  # the SDK's anonymous id, one per install
    props: np.ndarray  # context.device object per device
    os_props: np.ndarray
    first: np.ndarray  # per person: index of their first own device
    count: np.ndarray  # per person: own devices
    tablet: np.ndarray  # per household: index of the family tablet, -1 when none
    uses_tablet: np.ndarray  # per person: their household has a family tablet

    def for_sessions(self, rng: np.random.Generator, people: People, persons: np.ndarray) -> np.ndarray:
        """The device of each session: the person's own, or (40%, or always without one) the family tablet."""
        n = len(persons)
        own = self.first[persons] + (rng.random(n) * np.maximum(self.count[persons], 1)).astype(np.int64)
        tablet = self.tablet[people.household[persons]]
        has_own = self.count[persons] > 0
        return np.where(has_own & ((tablet < 0) | (rng.random(n) >= 0.4)), own, tablet)


def _devices(rng: np.random.Generator, people: People, app_user: np.ndarray) -> _Devices:
    n = people.n
    n_households = int(people.household.max()) + 1
    members = np.bincount(people.household, minlength=n_households)
    tablet_house = np.flatnonzero((members >= 2) & (rng.random(n_households) < 0.2))
    count = app_user.astype(np.int64) * (1 + (rng.random(n) < 0.2))
    own_total = int(count.sum())
    tablet = np.full(n_households, -1, dtype=np.int64)
    tablet[tablet_house] = own_total + np.arange(len(tablet_house))
    owner = np.concatenate([np.repeat(np.arange(n), count), np.searchsorted(people.household, tablet_house)])
    d = len(owner)
    ios = rng.random(d) < 0.55
    device_type = np.where(ios, "ios", "android").astype(object)
    device_id = np.where(ios, uuids(rng, d, upper=True), codes(rng, d, 16, HEX))
    ad_id = np.where(ios, uuids(rng, d, upper=True), uuids(rng, d))
    ad_id[rng.random(d) < 0.12] = ZERO_AD_ID  # limited ad tracking: the all-zero id many devices share
    model = np.where(ios, choose(rng, vocab.DEVICE_MODELS["ios"], d), choose(rng, vocab.DEVICE_MODELS["android"], d))
    model[own_total:] = np.where(ios[own_total:], "iPad13,18", "SM-X200")
    props = np.asarray(
        [{"id": i, "advertising_id": a, "type": t, "model": m} for i, a, t, m in
         zip(device_id.tolist(), ad_id.tolist(), device_type.tolist(), model.tolist(), strict=True)],
        dtype=object,
    )
    os_props = np.asarray([{"name": "iOS" if t == "ios" else "Android", "version": "17.4" if t == "ios" else "14"}
                           for t in device_type.tolist()], dtype=object)
    return _Devices(
        device_id=device_id,
        owner=owner,
        device_type=device_type,
        install_id=uuids(rng, d),
        props=props,
        os_props=os_props,
        first=np.cumsum(count) - count,
        count=count,
        tablet=tablet,
        uses_tablet=tablet[people.household] >= 0,
    )


def web_events(world: World, landing: Landing) -> int:
    """Page views, track calls and identify calls from the website tag."""
    rng = world.rng(WEB.source)
    people, win = world.people, world.window
    n = people.n
    catalog = world.catalog
    assert catalog is not None

    web_user = rng.random(n) < 0.92
    cookies = _cookies(rng, people)
    world.register("anonymous_id", cookies.owner, cookies.cookie_id)
    n_sessions = max(1, round(n * 9 * world.scale / EVENTS_PER_SESSION))
    sp = draw_persons(rng, people, n_sessions, web_user)
    cookie = cookies.for_sessions(rng, people, sp)
    start = uniform_ms(rng, win.start, win.end - 2 * MS_PER_HOUR, n_sessions)
    length = 1 + rng.poisson(EVENTS_PER_SESSION - 1, size=n_sessions)
    registered = is_known(world.user_id[sp])
    logged, at, identify, newsletter = _login(rng, sp, start, length, registered, 0.45, 0.5, 0.1, 0.03)
    campaign = np.where(rng.random(n_sessions) < 0.3, rng.integers(0, len(vocab.CAMPAIGNS), size=n_sessions), -1)
    session_ip = _ips(rng, n_sessions)
    first_referrer = choose(rng, vocab.REFERRERS, n_sessions)

    sess = _Sessions(rng, start, length, win.end)
    s, pos = sess.session, sess.pos
    cols = _event_rows(rng, world, sp, sess, logged, at, identify, newsletter, cookies.cookie_id[cookie],
                       (0.06, 0.04))
    track = (cols["type"] == "") & (pos > 0) & (rng.random(sess.n_rows) < 0.3)
    names, weights = zip(*vocab.TRACK_EVENTS, strict=True)
    event = np.where(track, choose(rng, names, sess.n_rows, p=list(weights)), None)
    cols["type"] = np.where(cols["type"] == "", np.where(track, "track", "page"), cols["type"]).astype(object)

    path, title, page_weight = _pages(catalog)
    page = rng.choice(len(path), p=page_weight, size=sess.n_rows)
    url = np.strings.add(vocab.SITE, path[page]).astype(object)
    previous = np.roll(url, 1)
    referrer = np.where(pos == 0, first_referrer[s], previous)
    campaigns = np.asarray([{"source": a, "medium": b, "name": c} for a, b, c in vocab.CAMPAIGNS], dtype=object)
    first_campaign = (pos == 0) & (campaign[s] >= 0)
    row_campaign = np.full(sess.n_rows, None, dtype=object)
    row_campaign[first_campaign] = campaigns[campaign[s][first_campaign]]

    page_props = np.asarray([{"path": p, "title": t} for p, t in zip(path.tolist(), title.tolist(), strict=True)],
                            dtype=object)
    props = page_props[page]
    track_rows = np.flatnonzero(track)
    props[track_rows] = _track_properties(rng, world, event[track_rows], sp[s[track_rows]],
                                          _product_properties(catalog))
    props[cols["type"] == "identify"] = None
    rows = Rows(
        columns={
            "message_id": cols["message_id"],
            "type": cols["type"],
            "event": event,
            "timestamp": cols["timestamp"],
            "anonymous_id": cols["anonymous_id"],
            "user_id": cols["user_id"],
            "ip": session_ip[s],
            "locale": cols["locale"],
            "user_agent": cookies.agent[cookie[s]],
            "url": url,
            "path": path[page].astype(object),
            "referrer": referrer,
            "title": title[page].astype(object),
            "campaign": row_campaign,
            "properties": props,
            "traits": cols["traits"],
            "sent_at": cols["sent_at"],
            "received_at": cols["received_at"],
        },
        person=sp[s],
        key=cols["message_id"],
        ts=sess.ts,
    )
    return landing.emit(WEB, rows, place(rng, rows.ts, WEB, win), rng, builder=web_records, restamp=restamp)


def restamp(placed: Rows, placement: Placement) -> None:
    """`received_at` says when the collector got the event: late and redelivered events arrive later."""
    latency = 40 + placed.ts % 3_960
    placed.columns["received_at"] = iso_z(np.maximum(placement.received, placed.ts) + latency, unit="ms")


def _pages(catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The site's pages (path, title) and how often each is viewed."""
    static_path = np.asarray([p for p, _ in vocab.STATIC_PAGES])
    static_title = np.asarray([t for _, t in vocab.STATIC_PAGES])
    static_w = np.asarray([0.3, 0.1, 0.05, 0.05, 0.05, 0.03, 0.02, 0.1])
    cats = np.asarray(vocab.CATEGORIES)
    cat_path = np.strings.add("/c/", np.strings.replace(np.strings.lower(cats), " ", "-"))
    cat_title = np.strings.add(cats, " | Example Outdoor")
    prod_path = np.strings.add("/p/", np.strings.lower(catalog.sku.astype(str)))
    prod_title = catalog.name.astype(str)
    weights = np.concatenate([
        0.5 * static_w / static_w.sum(),
        np.full(len(cats), 0.15 / len(cats)),
        0.35 * catalog.popularity / catalog.popularity.sum(),
    ])
    return (
        np.concatenate([static_path, cat_path, prod_path]).astype(object),
        np.concatenate([static_title, cat_title, prod_title]).astype(object),
        weights / weights.sum(),
    )


def web_records(c: dict[str, list]) -> list[dict]:
    """Segment-style JSON objects from the flat web columns."""
    out = []
    stamped = "received_at" in c
    sent, received = c.get("sent_at"), c.get("received_at")
    lib = LIBRARY
    for i, (mid, typ, ev, ts, anon, uid, ip, loc, ua, url, path, ref, title, camp, props, traits) in enumerate(zip(
        c["message_id"], c["type"], c["event"], c["timestamp"], c["anonymous_id"], c["user_id"], c["ip"],
        c["locale"], c["user_agent"], c["url"], c["path"], c["referrer"], c["title"], c["campaign"],
        c["properties"], c["traits"], strict=True,
    )):
        context = {"ip": ip, "locale": loc, "user_agent": ua, "library": lib,
                   "page": {"url": url, "path": path, "referrer": ref, "title": title}}
        if camp is not None:
            context["campaign"] = camp
        rec = {"message_id": mid, "type": typ, "event": ev, "timestamp": ts, "anonymous_id": anon, "user_id": uid,
               "context": context, "properties": props if props is not None else {}}
        if traits is not None:
            rec["traits"] = traits
        if stamped:
            rec["sent_at"] = sent[i]
            rec["received_at"] = received[i]
        out.append(rec)
    return out


def mobile_events(world: World, landing: Landing) -> int:
    """Screens, track calls and identify calls from the iOS and Android apps."""
    rng = world.rng(MOBILE.source)
    people, win = world.people, world.window
    n = people.n
    catalog = world.catalog
    assert catalog is not None
    registered_person = is_known(world.user_id)
    app_user = rng.random(n) < np.where(registered_person, 0.45, 0.2)

    devices = _devices(rng, people, app_user)
    world.register("device_id", devices.owner, devices.device_id)
    n_sessions = max(1, round(n * 4 * world.scale / EVENTS_PER_SESSION))
    sp = draw_persons(rng, people, n_sessions, app_user | devices.uses_tablet)
    device = devices.for_sessions(rng, people, sp)
    start = uniform_ms(rng, win.start, win.end - 2 * MS_PER_HOUR, n_sessions)
    length = 1 + rng.poisson(EVENTS_PER_SESSION - 1, size=n_sessions)
    registered = is_known(world.user_id[sp])
    logged, at, identify, _ = _login(rng, sp, start, length, registered, 0.7, 0.7, 0.05, 0.0)
    newsletter = np.zeros(n_sessions, dtype=bool)
    version_idx = np.clip(((start - win.start) / (win.end - win.start) * len(vocab.APP_VERSIONS)
                           + rng.normal(0, 0.5, size=n_sessions)).astype(np.int64), 0, len(vocab.APP_VERSIONS) - 1)
    apps = np.asarray([{"name": APP_NAME, "version": v, "build": str(400 + i)}
                       for i, v in enumerate(vocab.APP_VERSIONS)], dtype=object)
    agents = np.asarray([[vocab.APP_USER_AGENTS[t].format(v=v) for v in vocab.APP_VERSIONS]
                         for t in ("ios", "android")], dtype=object)
    session_ip = _ips(rng, n_sessions)

    sess = _Sessions(rng, start, length, win.end)
    s, pos = sess.session, sess.pos
    row_device = device[s]
    cols = _event_rows(rng, world, sp, sess, logged, at, identify, newsletter, devices.install_id[device],
                       (0.15, 0.03))
    plain = cols["type"] == ""
    opened = plain & (pos == 0)
    screen = plain & ~opened & (rng.random(sess.n_rows) < 0.65)
    track = plain & ~screen
    names, weights = zip(*MOBILE_TRACKS, strict=True)
    event = np.where(track, choose(rng, names, sess.n_rows, p=list(weights)), None)
    event[opened] = "Application Opened"
    cols["type"] = np.where(plain, np.where(screen, "screen", "track"), cols["type"]).astype(object)
    screen_name = np.where(screen, choose(rng, vocab.SCREENS, sess.n_rows), None)
    screen_props = {name: {"name": name} for name in vocab.SCREENS}
    props = np.full(sess.n_rows, None, dtype=object)
    screen_rows = np.flatnonzero(screen)
    props[screen_rows] = [screen_props[x] for x in screen_name[screen_rows].tolist()]
    track_rows = np.flatnonzero(track)
    props[track_rows] = _track_properties(rng, world, event[track_rows], sp[s[track_rows]],
                                          _product_properties(catalog))
    is_ios = devices.device_type[row_device] == "ios"
    rows = Rows(
        columns={
            "message_id": cols["message_id"],
            "type": cols["type"],
            "event": event,
            "name": screen_name,
            "timestamp": cols["timestamp"],
            "anonymous_id": cols["anonymous_id"],
            "user_id": cols["user_id"],
            "ip": session_ip[s],
            "locale": cols["locale"],
            "user_agent": agents[np.where(is_ios, 0, 1), version_idx[s]],
            "device": devices.props[row_device],
            "os": devices.os_props[row_device],
            "app": apps[version_idx[s]],
            "properties": props,
            "traits": cols["traits"],
            "sent_at": cols["sent_at"],
            "received_at": cols["received_at"],
        },
        person=sp[s],
        key=cols["message_id"],
        ts=sess.ts,
    )
    return landing.emit(MOBILE, rows, place(rng, rows.ts, MOBILE, win), rng, builder=mobile_records,
                        restamp=restamp)


def mobile_records(c: dict[str, list]) -> list[dict]:
    """Segment-style JSON objects from the flat app columns."""
    out = []
    stamped = "received_at" in c
    sent, received = c.get("sent_at"), c.get("received_at")
    for i, (mid, typ, ev, name, ts, anon, uid, ip, loc, ua, device, os_, app, props, traits) in enumerate(zip(
        c["message_id"], c["type"], c["event"], c["name"], c["timestamp"], c["anonymous_id"], c["user_id"], c["ip"],
        c["locale"], c["user_agent"], c["device"], c["os"], c["app"], c["properties"], c["traits"], strict=True,
    )):
        rec = {"message_id": mid, "type": typ, "event": ev}
        if name is not None:
            rec["name"] = name
        rec.update({
            "timestamp": ts, "anonymous_id": anon, "user_id": uid,
            "context": {"ip": ip, "locale": loc, "user_agent": ua, "device": device, "os": os_, "app": app},
            "properties": props if props is not None else {},
        })
        if traits is not None:
            rec["traits"] = traits
        if stamped:
            rec["sent_at"] = sent[i]
            rec["received_at"] = received[i]
        out.append(rec)
    return out
