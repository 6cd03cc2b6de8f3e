"""Email service provider events: sends and what became of them.

Each send yields `sent`, then `delivered` or a bounce; a delivered mail may be opened, clicked, unsubscribed
from or complained about. A typo'd address bounces hard. After a hard bounce, an unsubscribe or a complaint
an address receives nothing more.
"""

from __future__ import annotations

import numpy as np

from cdp.generate import vocab
from cdp.generate.batches import Plan, place
from cdp.generate.clock import (
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    compact_date,
    iso,
    spellings,
    uniform_ms,
)
from cdp.generate.ids import codes, uuids
from cdp.generate.landing import Landing, Rows
from cdp.generate.people import PLUS, TYPO, spell_emails
from cdp.generate.sources.common import is_known
from cdp.generate.world import World

EMAIL = Plan(
    "email_events", (28, 14, 7, 1, 0), ("jsonl",) * 5, late=0.01, dup=0.005, jitter=0.02,
    sparse=frozenset({"user_agent"}),
)
ROWS_PER_SEND = 2.25  # rows per send after addresses stop receiving (bounce, unsubscribe, complaint)
NEVER = np.iinfo(np.int64).max
MAIL_AGENTS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Outlook 16.0", "GoogleImageProxy")


def _addresses(rng: np.random.Generator, world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ESP's list: (person, address as subscribed, address is a typo)."""
    people = world.people
    subs = np.flatnonzero(rng.random(people.n) < 0.75)
    spelling = rng.choice(5, p=[0.86, 0.06, 0.05, 0.03, 0.0], size=len(subs))
    text = spell_emails(people, rng, subs, spelling)
    extra = subs[rng.random(len(subs)) < 0.08]
    work = world.work_email()[extra]
    extra_text = np.where(is_known(work), work, spell_emails(people, rng, extra, np.full(len(extra), PLUS)))
    person = np.concatenate([subs, extra])
    return person, np.concatenate([text, extra_text]), np.concatenate([spelling == TYPO, np.zeros(len(extra), bool)])


def _campaigns(rng: np.random.Generator, world: World) -> tuple[np.ndarray, np.ndarray]:
    """(campaign_id, send time): a weekly digest plus promotions."""
    win = world.window
    weekly = np.arange(win.start + 3 * MS_PER_DAY + 14 * MS_PER_HOUR, win.end - MS_PER_DAY, 7 * MS_PER_DAY)
    promo = np.sort(uniform_ms(rng, win.start, win.end - MS_PER_DAY, 16) // MS_PER_DAY) * MS_PER_DAY + 16 * MS_PER_HOUR
    ids = [f"cmp_{compact_date(int(t))}_weekly_digest" for t in weekly.tolist()]
    ids += [f"cmp_{compact_date(int(t))}_{vocab.PROMO_NAMES[i % len(vocab.PROMO_NAMES)]}"
            for i, t in enumerate(promo.tolist())]
    return np.asarray(ids, dtype=object), np.concatenate([weekly, promo])


def email_events(world: World, landing: Landing) -> int:
    rng = world.rng(EMAIL.source)
    win = world.window
    addr_person, addr_text, addr_typo = _addresses(rng, world)
    campaign_id, campaign_ts = _campaigns(rng, world)

    n_sends = max(1, round(7 * world.scale * world.people.n / ROWS_PER_SEND))
    addr = rng.integers(0, len(addr_person), size=n_sends)
    camp = rng.integers(0, len(campaign_id), size=n_sends)
    sent = campaign_ts[camp] + (rng.random(n_sends) * 3 * MS_PER_HOUR).astype(np.int64)
    u = rng.random((6, n_sends))
    hard = addr_typo[addr] | (u[0] < 0.004)
    soft = ~hard & (u[0] < 0.024)
    delivered = ~hard & ~soft
    opened = delivered & (u[1] < 0.35)
    open_ts = sent + rng.exponential(3 * MS_PER_HOUR, size=n_sends).astype(np.int64)
    clicked = opened & (u[2] < 0.25)
    click_ts = open_ts + rng.exponential(4 * MS_PER_MINUTE, size=n_sends).astype(np.int64) + MS_PER_MINUTE // 6
    unsub = delivered & (u[3] < 0.006)
    unsub_ts = np.where(opened, open_ts, sent + rng.exponential(6 * MS_PER_HOUR, size=n_sends).astype(np.int64)) + 60_000
    complaint = delivered & ~unsub & (u[4] < 0.0008)
    complaint_ts = sent + rng.exponential(12 * MS_PER_HOUR, size=n_sends).astype(np.int64)
    bounce_ts = sent + 2_000

    terminal_at = np.where(hard, bounce_ts, np.where(unsub, unsub_ts, np.where(complaint, complaint_ts, NEVER)))
    stop = np.full(len(addr_person), NEVER, dtype=np.int64)
    np.minimum.at(stop, addr, terminal_at)
    keep = sent <= stop[addr]

    kinds = (
        ("sent", keep, sent),
        ("delivered", keep & delivered, sent + rng.integers(1_000, 30_000, size=n_sends)),
        ("bounce_hard", keep & hard, bounce_ts),
        ("bounce_soft", keep & soft, bounce_ts),
        ("open", keep & opened, open_ts),
        ("click", keep & clicked, click_ts),
        ("unsubscribe", keep & unsub, unsub_ts),
        ("complaint", keep & complaint, complaint_ts),
    )
    send_idx, kind_idx, ts = [], [], []
    for k, (_, mask, when) in enumerate(kinds):
        idx = np.flatnonzero(mask & (when < win.end))
        send_idx.append(idx)
        kind_idx.append(np.full(len(idx), k))
        ts.append(when[idx])
    send = np.concatenate(send_idx)
    kind = np.concatenate(kind_idx)
    when = np.concatenate(ts)
    m = len(send)
    names = np.asarray([k[0] for k in kinds], dtype=object)[kind]
    url = np.full(m, None, dtype=object)
    is_click = names == "click"
    url[is_click] = np.asarray(vocab.EMAIL_URLS, dtype=object)[rng.integers(0, len(vocab.EMAIL_URLS), int(is_click.sum()))]
    url[names == "unsubscribe"] = "https://shop.example.com/account/preferences?unsubscribe=1"
    agent = np.full(m, None, dtype=object)
    engaged = np.flatnonzero(np.isin(names, ["open", "click"]))
    agent[engaged] = np.asarray(MAIL_AGENTS, dtype=object)[rng.integers(0, len(MAIL_AGENTS), size=len(engaged))]
    event_id = uuids(rng, m)
    send_ref = np.strings.add(codes(rng, n_sends, 22).astype(str), ".filter0001").astype(object)
    rows = Rows(
        columns={
            "event_id": event_id,
            "email": addr_text[addr[send]],
            "event_type": names,
            "occurred_at": iso(when, spellings(rng, m, 0.0, 0.03), rng, "s"),
            "campaign_id": campaign_id[camp[send]],
            "url": url,
            "esp_message_id": send_ref[send],
            "user_agent": agent,
        },
        person=addr_person[addr[send]],
        key=event_id,
        ts=when,
    )
    return landing.emit(EMAIL, rows, place(rng, rows.ts, EMAIL, win), rng)
