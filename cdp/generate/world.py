"""What every source generator shares: the window, the people, the catalog, and identifiers handed out so far."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from cdp.generate import vocab
from cdp.generate.clock import MS_PER_DAY, Window, uniform_ms
from cdp.generate.ids import LOWER_ALNUM, codes
from cdp.generate.people import People


@dataclass
class Catalog:
    sku: np.ndarray
    name: np.ndarray
    category: np.ndarray
    unit_cost: np.ndarray
    list_price: np.ndarray
    active: np.ndarray
    popularity: np.ndarray
    created: np.ndarray

    @property
    def n(self) -> int:
        return len(self.sku)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Product numbers drawn by popularity."""
        return rng.choice(self.n, p=self.popularity / self.popularity.sum(), size=size)


@dataclass
class Accounts:
    account_id: np.ndarray
    name: np.ndarray
    domain: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    created: np.ndarray


@dataclass
class Employment:
    """Who works where (at most a previous and a current employer per person)."""

    person: np.ndarray
    account: np.ndarray  # index into Accounts
    started: np.ndarray  # ms
    ended: np.ndarray  # ms, -1 while current
    email: np.ndarray  # work email at that account


@dataclass
class World:
    window: Window
    people: People
    scale: float
    seed_key: tuple[int, ...]
    user_id: np.ndarray  # per person: the app's user id once registered, None otherwise
    catalog: Catalog | None = None
    accounts: Accounts | None = None
    employment: Employment | None = None
    ids: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # kind -> (person, value)
    order_book: object | None = None  # set by the orders source, read by order_items and support_tickets

    def rng(self, name: str) -> np.random.Generator:
        """An independent random stream per source, so that one source's draws never shift another's."""
        return np.random.default_rng(np.random.SeedSequence([*self.seed_key, zlib.crc32(name.encode())]))

    def register(self, kind: str, person: np.ndarray, value: np.ndarray) -> None:
        self.ids[kind] = (np.asarray(person, dtype=np.int64), np.asarray(value, dtype=object))

    def current_employer(self) -> np.ndarray:
        """Per person: index of the current employer account, -1 when none."""
        out = np.full(self.people.n, -1, dtype=np.int64)
        emp = self.employment
        if emp is not None:
            current = emp.ended < 0
            out[emp.person[current]] = emp.account[current]
        return out

    def work_email(self) -> np.ndarray:
        """Per person: work email at the current employer, None when none."""
        out = np.full(self.people.n, None, dtype=object)
        emp = self.employment
        if emp is not None:
            current = emp.ended < 0
            out[emp.person[current]] = emp.email[current]
        return out


def make_user_ids(rng: np.random.Generator, n: int, share: float = 0.55) -> np.ndarray:
    """The app's user id for the people who registered on the site or app."""
    registered = rng.random(n) < share
    ids = codes(rng, n, 10, LOWER_ALNUM, prefix="usr_")
    return np.where(registered, ids, None)


def make_catalog(rng: np.random.Generator, n: int, window: Window) -> Catalog:
    """`n` SKUs: popular and long-tail, some inactive, some costing more than their list price."""
    category = np.asarray(vocab.CATEGORIES, dtype=object)[rng.integers(0, len(vocab.CATEGORIES), size=n)]
    adj = np.asarray(vocab.PRODUCT_ADJ, dtype=object)[rng.integers(0, len(vocab.PRODUCT_ADJ), size=n)]
    variant = np.asarray(vocab.PRODUCT_VARIANT, dtype=object)[rng.integers(0, len(vocab.PRODUCT_VARIANT), size=n)]
    noun_pick = rng.integers(0, 4, size=n).tolist()
    name = np.asarray(
        [f"{a} {vocab.PRODUCT_NOUN[c][k]}{v}" for a, c, k, v in
         zip(adj.tolist(), category.tolist(), noun_pick, variant.tolist(), strict=True)],
        dtype=object,
    )
    numbers = rng.permutation(np.arange(10_000, 10_000 + n))
    sku = np.asarray([f"{c[:3].upper()}-{k}" for c, k in zip(category.tolist(), numbers.tolist(), strict=True)],
                     dtype=object)
    list_price = np.floor(np.clip(rng.lognormal(3.6, 0.8, size=n), 4, 900)) + 0.99
    margin = rng.uniform(0.35, 0.7, size=n)
    loss = rng.random(n) < 0.03
    unit_cost = np.round(list_price * np.where(loss, rng.uniform(1.02, 1.4, size=n), margin), 2)
    active = rng.random(n) >= 0.08
    rank = rng.permutation(n)
    popularity = (1.0 / (rank + 10.0)) * np.where(active, 1.0, 0.1)
    late = rng.random(n) < 0.06
    created = np.where(
        late,
        uniform_ms(rng, window.days_before_end(30), window.end - MS_PER_DAY, n),
        uniform_ms(rng, window.start, window.start + 30 * MS_PER_DAY, n),
    )
    return Catalog(sku, name, category, unit_cost, list_price, active, popularity, created)


def make_accounts(rng: np.random.Generator, n: int, window: Window) -> Accounts:
    """`n` organisations with distinct names and web domains."""
    prefix = np.asarray(vocab.COMPANY_PREFIX, dtype=object)[rng.integers(0, len(vocab.COMPANY_PREFIX), size=n)]
    noun = np.asarray(vocab.COMPANY_NOUN, dtype=object)[rng.integers(0, len(vocab.COMPANY_NOUN), size=n)]
    suffix = np.asarray(vocab.COMPANY_SUFFIX, dtype=object)[rng.integers(0, len(vocab.COMPANY_SUFFIX), size=n)]
    tld = np.asarray((".com", ".com", ".io", ".co", ".net"), dtype=object)[rng.integers(0, 5, size=n)]
    names, domains = [], []
    seen_name: dict[str, int] = {}
    seen_domain: dict[str, int] = {}
    for p, k, s, t in zip(prefix.tolist(), noun.tolist(), suffix.tolist(), tld.tolist(), strict=True):
        stem = f"{p} {k}"
        count = seen_name.get(stem, 0)
        seen_name[stem] = count + 1
        names.append(f"{stem}{' ' + str(count + 1) if count else ''}{s}")
        slug = f"{p}{k}".lower() + (str(count + 1) if count else "")
        d_count = seen_domain.get(slug, 0)
        seen_domain[slug] = d_count + 1
        domains.append(f"{slug}{d_count or ''}{t}")
    return Accounts(
        account_id=codes(rng, n, 12, prefix="001"),
        name=np.asarray(names, dtype=object),
        domain=np.asarray(domains, dtype=object),
        industry=np.asarray(vocab.INDUSTRIES, dtype=object)[rng.integers(0, len(vocab.INDUSTRIES), size=n)],
        employees=np.clip(rng.lognormal(4.5, 1.5, size=n), 3, 60_000).astype(np.int64),
        created=uniform_ms(rng, window.start, window.end - MS_PER_DAY, n),
    )


def make_employment(rng: np.random.Generator, people: People, accounts: Accounts, window: Window) -> Employment:
    """~13% of people work at an account; ~15% of them changed employer within the window."""
    n = people.n
    employed = np.flatnonzero(rng.random(n) < 0.13)
    weights = np.sqrt(accounts.employees.astype(float))
    current = rng.choice(len(accounts.account_id), p=weights / weights.sum(), size=len(employed))
    changed = rng.random(len(employed)) < 0.15
    previous = (current + rng.integers(1, max(2, len(accounts.account_id)), size=len(employed))) % len(
        accounts.account_id
    )
    changed &= previous != current
    end = window.end
    old_start = uniform_ms(rng, window.start, end - 90 * MS_PER_DAY, len(employed))
    change = uniform_ms(rng, old_start + 30 * MS_PER_DAY, end - 2 * MS_PER_DAY, len(employed))
    new_start = np.minimum(change + (rng.random(len(employed)) * 20 * MS_PER_DAY).astype(np.int64), end - MS_PER_DAY)
    plain_start = uniform_ms(rng, window.start, end - MS_PER_DAY, len(employed))
    ch = np.flatnonzero(changed)
    person = np.concatenate([employed, employed[ch]])
    account = np.concatenate([current, previous[ch]])
    started = np.concatenate([np.where(changed, new_start, plain_start), old_start[ch]])
    ended = np.concatenate([np.full(len(employed), -1, dtype=np.int64), change[ch]])
    return Employment(person, account, started, ended, _work_emails(rng, people, person, accounts.domain[account]))


def _work_emails(rng: np.random.Generator, people: People, person: np.ndarray, domain: np.ndarray) -> np.ndarray:
    seen: dict[str, int] = {}
    out = []
    style = rng.random(len(person)).tolist()
    for f, s, d, u in zip(people.first_ascii[person].tolist(), people.last_ascii[person].tolist(), domain.tolist(),
                          style, strict=True):
        local = f"{f}.{s}" if u < 0.7 else f"{f[0]}{s}"
        count = seen.get(f"{local}@{d}", 0)
        seen[f"{local}@{d}"] = count + 1
        out.append(f"{local}{count + 1 if count else ''}@{d}")
    return np.asarray(out, dtype=object)
