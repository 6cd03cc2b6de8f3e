"""Consent events as captured by each system, and data-subject (privacy) requests.

Grants, denials and withdrawals arrive from a cookie banner, checkout, newsletter forms, the app, the loyalty
programme, the shop's account settings and the sales CRM, each keyed by its own identifier. Some grants are
withdrawn later; some old grants arrive late, in a file landed after the withdrawal that overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cdp.generate.batches import Plan, natural_batch, place
from cdp.generate.clock import MS_PER_DAY, MS_PER_HOUR, iso, spellings, uniform_ms
from cdp.generate.ids import HEX, codes, increasing, numbered, uuids
from cdp.generate.landing import Landing, Rows
from cdp.generate.people import CANONICAL, choose, pick_emails, pick_phones, spell_emails
from cdp.generate.sources.common import is_known
from cdp.generate.world import World

CONSENT = Plan("consent_events", (28, 14, 7, 1, 0), ("jsonl", "jsonl", "csv", "jsonl", "jsonl"), late=0.01,
               jitter=0.01)
PRIVACY = Plan("privacy_requests", (30, 7, 0), ("csv",) * 3)


@dataclass
class _Ledger:
    """Consent events being assembled, segment by segment."""

    parts: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **columns: np.ndarray | str) -> None:
        n = len(columns["person"])  # type: ignore[arg-type]
        for name, values in columns.items():
            arr = np.full(n, values, dtype=object) if isinstance(values, str) else np.asarray(values)
            self.parts.setdefault(name, []).append(arr)

    def column(self, name: str) -> np.ndarray:
        return np.concatenate(self.parts[name])


def _window_grants(rng: np.random.Generator, world: World, n: int) -> np.ndarray:
    return uniform_ms(rng, world.window.start, world.window.end - 10 * MS_PER_DAY, n)


def _then(rng: np.random.Generator, world: World, after: np.ndarray) -> np.ndarray:
    """A moment between a day after `after` and the end of the window."""
    return uniform_ms(rng, after + MS_PER_DAY, world.window.end - MS_PER_HOUR, len(after))


def _proof(rng: np.random.Generator, prefix: str, n: int) -> np.ndarray:
    return np.strings.add(prefix, codes(rng, n, 10, HEX).astype(str)).astype(object)


def _no_batch(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


def _banner(rng: np.random.Generator, world: World, ledger: _Ledger) -> None:
    """Cookie banner choices per browser: accept all, reject all, or a mix."""
    owner, cookie = world.ids["anonymous_id"]
    chosen = np.flatnonzero(rng.random(len(cookie)) < 0.1)
    purposes = ("analytics", "advertising", "personalization")
    k = len(chosen)
    mode = rng.random(k)
    at = _window_grants(rng, world, k)
    proof = _proof(rng, "banner:v3:", k)
    for j, purpose in enumerate(purposes):
        mixed = np.where(rng.random(k) < 0.5, "granted", "denied")
        status = np.where(mode < 0.65, "granted", np.where(mode < 0.9, "denied", mixed))
        ledger.add(person=owner[chosen], subject_type="anonymous_id", subject_id=cookie[chosen], purpose=purpose,
                   status=status.astype(object), at=at + j, context="personal", legal_basis="consent",
                   source_system="web_cookie_banner", proof_ref=proof, stuck=np.zeros(k, bool), min_batch=_no_batch(k))


def _email_marketing(rng: np.random.Generator, world: World, ledger: _Ledger) -> None:
    """Opt-ins at checkout or a newsletter form; some withdrawn later; some old grants re-sent late."""
    people = world.people
    person = np.flatnonzero(rng.random(people.n) < 0.4)
    k = len(person)
    address = pick_emails(people, rng, person, (0.85, 0.07, 0.05, 0.0, 0.03))
    granted = _window_grants(rng, world, k)
    source = choose(rng, ("shop_checkout", "newsletter_form", "crm"), k, p=[0.5, 0.35, 0.15])
    ledger.add(person=person, subject_type="email", subject_id=address, purpose="email_marketing", status="granted",
               at=granted, context="personal", legal_basis="consent", source_system=source,
               proof_ref=_proof(rng, "form:", k), stuck=np.zeros(k, bool), min_batch=_no_batch(k))

    gone = np.flatnonzero(rng.random(k) < 0.15)
    withdrawn = _then(rng, world, granted[gone])
    canonical = spell_emails(people, rng, person[gone], np.full(len(gone), CANONICAL))
    subject = np.where(rng.random(len(gone)) < 0.5, canonical, address[gone])
    ledger.add(person=person[gone], subject_type="email", subject_id=subject, purpose="email_marketing",
               status="withdrawn", at=withdrawn, context="personal", legal_basis="consent",
               source_system="esp_preference_center", proof_ref=_proof(rng, "esp:", len(gone)),
               stuck=np.ones(len(gone), bool), min_batch=_no_batch(len(gone)))

    batch = natural_batch(withdrawn, CONSENT.ends(world.window))
    resent = np.flatnonzero((rng.random(len(gone)) < 0.25) & (batch < CONSENT.batches - 1))
    ledger.add(person=person[gone[resent]], subject_type="email", subject_id=address[gone[resent]],
               purpose="email_marketing", status="granted",
               at=granted[gone[resent]] + rng.integers(60_000, MS_PER_HOUR, size=len(resent)), context="personal",
               legal_basis="consent", source_system="pos_signup_sync", proof_ref=_proof(rng, "pos:", len(resent)),
               stuck=np.zeros(len(resent), bool), min_batch=batch[resent] + 1)

    denied = np.flatnonzero(rng.random(people.n) < 0.1)
    ledger.add(person=denied, subject_type="email", subject_id=pick_emails(people, rng, denied, (0.9, 0.05, 0.05, 0, 0)),
               purpose="email_marketing", status="denied", at=_window_grants(rng, world, len(denied)),
               context="personal", legal_basis="consent", source_system="shop_checkout",
               proof_ref=_proof(rng, "form:", len(denied)), stuck=np.zeros(len(denied), bool),
               min_batch=_no_batch(len(denied)))


def _sms(rng: np.random.Generator, world: World, ledger: _Ledger) -> None:
    people = world.people
    person = np.flatnonzero(rng.random(people.n) < 0.15)
    k = len(person)
    phone = np.where(rng.random(k) < 0.7, people.phone_e164[person].astype(object),
                     pick_phones(people, rng, person, [0.3, 0.3, 0.1, 0.3, 0, 0, 0, 0]))
    granted = _window_grants(rng, world, k)
    ledger.add(person=person, subject_type="phone", subject_id=phone, purpose="sms_marketing", status="granted",
               at=granted, context="personal", legal_basis="consent", source_system="sms_keyword_optin",
               proof_ref=_proof(rng, "sms:", k), stuck=np.zeros(k, bool), min_batch=_no_batch(k))
    gone = np.flatnonzero(rng.random(k) < 0.1)
    ledger.add(person=person[gone], subject_type="phone", subject_id=phone[gone], purpose="sms_marketing",
               status="withdrawn", at=_then(rng, world, granted[gone]), context="personal", legal_basis="consent",
               source_system="sms_stop_reply", proof_ref=_proof(rng, "sms:", len(gone)),
               stuck=np.ones(len(gone), bool), min_batch=_no_batch(len(gone)))


def _by_identifier(
    rng: np.random.Generator, world: World, ledger: _Ledger, kind: str, share: float,
    purposes: tuple[tuple[str, float], ...], source: str, context: str = "personal", basis: str = "consent",
) -> None:
    """Choices keyed by a system's own identifier: purpose -> share granted (the rest denied)."""
    if kind not in world.ids:
        return
    owner, value = world.ids[kind]
    chosen = np.flatnonzero(rng.random(len(value)) < share)
    k = len(chosen)
    at = _window_grants(rng, world, k)
    for j, (purpose, granted_share) in enumerate(purposes):
        status = np.where(rng.random(k) < granted_share, "granted", "denied").astype(object)
        ledger.add(person=owner[chosen], subject_type=kind, subject_id=value[chosen], purpose=purpose, status=status,
                   at=at + j * 1_000, context=context, legal_basis=basis, source_system=source,
                   proof_ref=_proof(rng, f"{source}:", k), stuck=np.zeros(k, bool), min_batch=_no_batch(k))


def consent_events(world: World, landing: Landing) -> int:
    rng = world.rng(CONSENT.source)
    ledger = _Ledger()
    _banner(rng, world, ledger)
    _email_marketing(rng, world, ledger)
    _sms(rng, world, ledger)
    users = np.flatnonzero(is_known(world.user_id))
    world.register("user_id", users, world.user_id[users])
    _by_identifier(rng, world, ledger, "user_id", 0.2, (("personalization", 0.8), ("analytics", 0.85)),
                   "app_consent_screen")
    _by_identifier(rng, world, ledger, "loyalty_id", 0.3, (("email_marketing", 0.85), ("personalization", 0.9)),
                   "loyalty_enrolment")
    _by_identifier(rng, world, ledger, "shop_customer_id", 0.15, (("data_sale", 0.3), ("personalization", 0.8)),
                   "shop_account_settings")
    _by_identifier(rng, world, ledger, "salesforce_contact", 0.2, (("email_marketing", 1.0), ("phone_marketing", 0.2)),
                   "salesforce", context="work", basis="legitimate_interest")
    subject_type = ledger.column("subject_type")
    subject_type[subject_type == "salesforce_contact"] = "contact_id"
    at = ledger.column("at").astype(np.int64)
    n = len(at)
    event_id = uuids(rng, n)
    rows = Rows(
        columns={
            "consent_event_id": event_id,
            "subject_type": subject_type,
            "subject_id": ledger.column("subject_id"),
            "purpose": ledger.column("purpose"),
            "status": ledger.column("status"),
            "captured_at": iso(at, spellings(rng, n, 0.05, 0.05), rng, "s"),
            "context": ledger.column("context"),
            "legal_basis": ledger.column("legal_basis"),
            "source_system": ledger.column("source_system"),
            "proof_ref": ledger.column("proof_ref"),
        },
        person=ledger.column("person").astype(np.int64),
        key=event_id,
        ts=at,
    )
    placement = place(rng, at, CONSENT, world.window, stuck=ledger.column("stuck").astype(bool),
                      min_batch=ledger.column("min_batch").astype(np.int64))
    return landing.emit(CONSENT, rows, placement, rng)


def privacy_requests(world: World, landing: Landing) -> int:
    """Data-subject requests (~0.3% of people, at least 8), each naming one identifier of the person."""
    rng = world.rng(PRIVACY.source)
    people, win = world.people, world.window
    k = max(8, round(0.003 * people.n))
    person = rng.choice(people.n, size=k, replace=False)
    received = np.sort(uniform_ms(rng, win.days_before_end(120), win.end - MS_PER_HOUR, k))
    options: dict[str, np.ndarray] = {
        "email": pick_emails(people, rng, person, (0.7, 0.2, 0.05, 0.0, 0.05)),
        "phone": pick_phones(people, rng, person, [0.2, 0.2, 0.1, 0.1, 0.2, 0.2, 0, 0]),
    }
    weights = {"email": 5.0, "phone": 2.0, "shop_customer_id": 2.0, "loyalty_id": 1.0, "user_id": 1.0,
               "contact_id": 1.0}
    for kind in ("shop_customer_id", "loyalty_id", "user_id", "contact_id"):
        if kind in world.ids:
            owner, value = world.ids[kind]
            first = np.full(people.n, None, dtype=object)
            first[owner[::-1]] = value[::-1]
            options[kind] = first[person]
    kinds = list(options)
    available = np.stack([is_known(options[kd]) for kd in kinds], axis=1) * np.asarray([weights[kd] for kd in kinds])
    pick = (available.cumsum(axis=1) < rng.random((k, 1)) * available.sum(axis=1, keepdims=True)).sum(axis=1)
    subject_type = np.asarray(kinds, dtype=object)[pick]
    subject_id = np.asarray([options[kinds[p]][i] for i, p in enumerate(pick.tolist())], dtype=object)
    request_id = numbered("DSR-", increasing(rng, k, 10_000, 9), 6)
    rows = Rows(
        columns={
            "request_id": request_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "request_type": choose(rng, ("erasure", "access", "do_not_sell"), k, p=[0.45, 0.35, 0.2]),
            "received_at": iso(received, spellings(rng, k, 0.0, 0.0), rng, "s"),
        },
        person=person,
        key=request_id,
        ts=received,
    )
    return landing.emit(PRIVACY, rows, place(rng, rows.ts, PRIVACY, win), rng)
