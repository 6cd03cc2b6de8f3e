"""Customer service and zero-party data: support tickets and survey responses."""

from __future__ import annotations

import numpy as np

from cdp.generate import vocab
from cdp.generate.batches import Plan, place
from cdp.generate.clock import MS_PER_HOUR, iso, spellings, uniform_ms
from cdp.generate.ids import codes, increasing, numbered
from cdp.generate.landing import Landing, Rows
from cdp.generate.people import choose, draw_persons, pick_emails, pick_first_names, pick_phones
from cdp.generate.sources.commerce import OrderBook
from cdp.generate.sources.common import blank_unless
from cdp.generate.world import World

SUPPORT = Plan("support_tickets", (28, 7, 0), ("jsonl",) * 3, late=0.01, only_in={"agent_id": (1, 2)})
SURVEY = Plan("survey_responses", (28, 7, 0), ("jsonl",) * 3, late=0.01)

COMPLAINTS = {
    "delivery": "my parcel never arrived, tracking says \"delivered\"",
    "returns": "I'd like to return the boots, they're a size too small",
    "billing": "I was charged twice for the same order, please refund one",
    "product_question": "is the rain jacket machine-washable? the label says 30°",
    "account": "I can't log in, the reset email never comes",
    "complaint": "the store staff were rude, and the item was damaged",
    "loyalty": "my points from last week's purchase are missing",
}
RESOLUTIONS = ("refund issued", "replacement sent, 3-5 days", "escalated to tier 2", "explained the policy",
               "password reset link re-sent", "points credited manually")


def _latest_order(book: OrderBook, persons: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The person's latest order before `at`, None when there is none."""
    shift = np.int64(1) << 42
    keys = book.person.astype(np.int64) * shift + book.ts
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    k = np.searchsorted(sorted_keys, persons.astype(np.int64) * shift + at, side="right") - 1
    found = (k >= 0) & (book.person[order[np.maximum(k, 0)]] == persons)
    return np.where(found, book.order_id[order[np.maximum(k, 0)]], None)


def _transcripts(rng: np.random.Generator, channel: np.ndarray, topic: np.ndarray, first: np.ndarray,
                 phone: np.ndarray, order: np.ndarray) -> list[str]:
    resolution = choose(rng, RESOLUTIONS, len(channel)).tolist()
    out = []
    for ch, t, f, p, o, r in zip(channel.tolist(), topic.tolist(), first.tolist(), phone.tolist(), order.tolist(),
                                 resolution, strict=True):
        said = COMPLAINTS[t]
        about = f" (order {o})" if o else ""
        if ch == "phone":
            out.append(f"Call from {f}, call-back number {p or 'not given'}.\nCustomer: \"{said}\"{about}.\n"
                       f"Agent: {r}.")
        elif ch == "email":
            out.append(f"Hi,\n\n{said}{about}.\n\nThanks, {f}\n\n-- reply: {r}")
        else:
            out.append(f"[visitor] hi, {said}{about}\n[agent] sorry to hear that, {f}. {r}.")
    return out


def support_tickets(world: World, landing: Landing) -> int:
    rng = world.rng(SUPPORT.source)
    people, win = world.people, world.window
    book = world.order_book
    assert isinstance(book, OrderBook)
    n = max(10, round(0.25 * people.n))
    opened = np.sort(uniform_ms(rng, win.start, win.end - MS_PER_HOUR, n))
    person = draw_persons(rng, people, n)
    ticket_id = numbered("CS-", increasing(rng, n, 300_000, 3), 7)
    channel = choose(rng, vocab.SUPPORT_CHANNELS, n, p=[0.4, 0.35, 0.25])
    topic = choose(rng, vocab.SUPPORT_TOPICS, n, p=[0.3, 0.2, 0.12, 0.12, 0.1, 0.08, 0.08])
    email_share = np.select([channel == "email", channel == "chat"], [1.0, 0.7], 0.3)
    phone_share = np.where(channel == "phone", 0.9, 0.15)
    email = blank_unless(rng.random(n) < email_share,
                         pick_emails(people, rng, person, (0.8, 0.08, 0.05, 0.03, 0.04), junk=0.003))
    phone = blank_unless(rng.random(n) < phone_share,
                         pick_phones(people, rng, person, [0.25, 0.3, 0.05, 0.2, 0.05, 0.1, 0.02, 0.03], junk=0.003))
    order = blank_unless(rng.random(n) < 0.5, _latest_order(book, person, opened))
    closed_ts = opened + rng.exponential(20 * MS_PER_HOUR, size=n).astype(np.int64)
    closed = (rng.random(n) < 0.88) & (closed_ts < win.end)
    csat = np.where(closed & (rng.random(n) < 0.6), choose(rng, (1, 2, 3, 4, 5), n, p=[0.08, 0.07, 0.15, 0.3, 0.4]),
                    None)
    first = pick_first_names(people, rng, person, nick=0.3, typo_=0.02, case=0.02)
    style = spellings(rng, n, 0.05, 0.05)
    rows = Rows(
        columns={
            "ticket_id": ticket_id,
            "opened_at": iso(opened, style, rng, "s"),
            "channel": channel,
            "email": email,
            "phone": phone,
            "order_id": order,
            "closed_at": blank_unless(closed, iso(closed_ts, style, rng, "s")),
            "topic": topic,
            "csat": csat,
            "transcript": np.asarray(_transcripts(rng, channel, topic, first, phone, order), dtype=object),
            "agent_id": numbered("agt_", rng.integers(1, 60, size=n), 3),
        },
        person=person,
        key=ticket_id,
        ts=opened,
    )
    return landing.emit(SUPPORT, rows, place(rng, rows.ts, SUPPORT, win), rng)


def survey_responses(world: World, landing: Landing) -> int:
    rng = world.rng(SURVEY.source)
    people, win = world.people, world.window
    n = max(10, round(0.1 * people.n))
    submitted = uniform_ms(rng, win.start, win.end - MS_PER_HOUR, n)
    person = draw_persons(rng, people, n)
    response_id = codes(rng, n, 15, prefix="R_")
    nps = choose(rng, tuple(range(11)), n, p=[1, 1, 1, 2, 2, 4, 5, 9, 14, 14, 12])
    channel = choose(rng, ("email", "sms", "app", "phone", "none"), n, p=[0.5, 0.15, 0.2, 0.05, 0.1])
    frequency = choose(rng, ("weekly", "monthly", "rarely"), n, p=[0.3, 0.5, 0.2])
    count = rng.integers(1, 4, size=n).tolist()
    interest_pick = rng.random((n, 3))
    interests = np.asarray(vocab.INTERESTS)
    answers = np.empty(n, dtype=object)
    for i, (c, f, k) in enumerate(zip(channel.tolist(), frequency.tolist(), count, strict=True)):
        chosen = sorted({str(interests[int(x * len(interests))]) for x in interest_pick[i, :k]})
        answers[i] = {"preferred_channel": c, "interests": chosen, "contact_frequency": f}
    rows = Rows(
        columns={
            "response_id": response_id,
            "submitted_at": iso(submitted, spellings(rng, n, 0.05, 0.0), rng, "s"),
            "email": blank_unless(rng.random(n) < 0.9,
                                  pick_emails(people, rng, person, (0.85, 0.06, 0.04, 0.02, 0.03))),
            "nps": nps,
            "answers": answers,
            "comment": choose(rng, vocab.SURVEY_COMMENTS, n),
        },
        person=person,
        key=response_id,
        ts=submitted,
    )
    return landing.emit(SURVEY, rows, place(rng, rows.ts, SURVEY, win), rng)
