"""The true people behind the data, and how each source misspells them.

`make_people` draws the population (households, names, one mailbox, one phone, an address).
The `pick_*` functions turn (person, source habit) into the raw text a source would hold:
case changes, whitespace, plus-addressing, typos, nicknames, mixed phone formats.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np

from cdp.generate import vocab
from cdp.generate.clock import MS_PER_DAY, Window, iso_date

UK_SHARE = 0.05
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5])
HOUSEHOLD_P = np.array([0.45, 0.30, 0.12, 0.10, 0.03])

# Email spellings, by index into People.email_table.
CANONICAL, CASED, PLUS, TYPO, SPACED = 0, 1, 2, 3, 4

US_PHONE_FORMATS: tuple[str, ...] = (
    "({a}) {e}-{l}",  # national
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "{a}{e}{l}",
    "+1 {a} {e} {l}",  # international
    "+1{a}{e}{l}",
    "001 {a} {e} {l}",
    "1-{a}-{e}-{l}",
)
UK_PHONE_FORMATS: tuple[str, ...] = ("+44 {p4} {p6}", "0044 {p4} {p6}", "+44{n}")


@dataclass
class People:
    """One row per true person (index = person number)."""

    person_id: np.ndarray
    household: np.ndarray
    household_size: np.ndarray
    household_rank: np.ndarray
    is_uk: np.ndarray
    first: np.ndarray
    first_ascii: np.ndarray
    nickname: np.ndarray
    last: np.ndarray
    last_ascii: np.ndarray
    email: np.ndarray
    email_table: np.ndarray
    country_code: np.ndarray
    national_number: np.ndarray
    date_of_birth: np.ndarray
    street: np.ndarray
    line2: np.ndarray
    city: np.ndarray
    region: np.ndarray
    postcode: np.ndarray
    activity: np.ndarray
    first_typo: np.ndarray
    last_typo: np.ndarray
    ids: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.person_id)

    @property
    def phone_e164(self) -> np.ndarray:
        return np.strings.add(np.strings.add("+", self.country_code.astype(str)), self.national_number.astype(str))

    @property
    def country(self) -> np.ndarray:
        return np.where(self.is_uk, "GB", "US").astype(object)

    @property
    def currency(self) -> np.ndarray:
        return np.where(self.is_uk, "GBP", "USD").astype(object)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(text: str, u: float, v: float) -> str:
    """One keyboard slip in `text`: swap, drop or double a letter, chosen and placed by u, v in [0, 1)."""
    if len(text) < 4:
        return text + text[-1]
    i = 1 + int(v * (len(text) - 2))
    if u < 0.45:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if text[i] != text[i + 1] else text[:i] + text[i + 1 :]
    if u < 0.75:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _weighted_index(rng: np.random.Generator, n: int, size: int, skew: float = 4.0) -> np.ndarray:
    """Indices into a list of `n`, the first ones more common (names and places are not uniform)."""
    weights = 1.0 / (np.arange(n) + skew)
    return rng.choice(n, size=size, p=weights / weights.sum())


def _households(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sizes = rng.choice(HOUSEHOLD_SIZES, p=HOUSEHOLD_P, size=n)
    household = np.repeat(np.arange(n), sizes)[:n]
    first_of = np.searchsorted(household, household, side="left")
    rank = np.arange(n) - first_of
    size = np.bincount(household)[household]
    return household, size, rank


def _local_part(pattern: int, first: str, last: str, year: int, number: int) -> str:
    if pattern == 0:
        return f"{first}.{last}"
    if pattern == 1:
        return f"{first}{last}"
    if pattern == 2:
        return f"{first[0]}{last}"
    if pattern == 3:
        return f"{first}_{last}"
    if pattern == 4:
        return f"{first}.{last}{year % 100:02d}"
    return f"{first}{number}"


def _canonical_emails(
    rng: np.random.Generator, first: np.ndarray, last: np.ndarray, years: np.ndarray, is_uk: np.ndarray
) -> np.ndarray:
    n = len(first)
    pattern = rng.choice(6, p=[0.35, 0.15, 0.15, 0.05, 0.15, 0.15], size=n)
    number = rng.integers(1, 9999, size=n)
    us_dom, us_p = zip(*vocab.US_EMAIL_DOMAINS, strict=True)
    uk_dom, uk_p = zip(*vocab.UK_EMAIL_DOMAINS, strict=True)
    us = np.asarray(us_dom, dtype=object)[rng.choice(len(us_dom), p=np.asarray(us_p) / sum(us_p), size=n)]
    uk = np.asarray(uk_dom, dtype=object)[rng.choice(len(uk_dom), p=np.asarray(uk_p) / sum(uk_p), size=n)]
    domain = np.where(is_uk, uk, us)
    seen: dict[str, int] = {}
    out = []
    for p, f, s, y, k, d in zip(
        pattern.tolist(), first.tolist(), last.tolist(), years.tolist(), number.tolist(), domain.tolist(),
        strict=True,
    ):
        local = _local_part(p, f, s, y, k)
        address = f"{local}@{d}"
        count = seen.get(address, 0)
        seen[address] = count + 1
        if count:
            address = f"{local}{count + 1}@{d}"
            while address in seen:
                count += 1
                address = f"{local}{count + 1}@{d}"
            seen[address] = 1
        out.append(address)
    return np.asarray(out, dtype=object)


def _email_spellings(rng: np.random.Generator, email: np.ndarray) -> np.ndarray:
    """(5, n) table: canonical, case-changed, plus-addressed, typo'd, canonical (whitespace added on pick)."""
    n = len(email)
    case_style = rng.integers(0, 3, size=n).tolist()
    tags = np.asarray(vocab.PLUS_TAGS, dtype=object)[rng.integers(0, len(vocab.PLUS_TAGS), size=n)].tolist()
    u = rng.random(n).tolist()
    v = rng.random(n).tolist()
    cased, plus, typoed = [], [], []
    for e, c, t, a, b in zip(email.tolist(), case_style, tags, u, v, strict=True):
        local, domain = e.split("@")
        if c == 0:
            cased.append(".".join(p.capitalize() for p in local.split(".")) + "@" + domain)
        elif c == 1:
            cased.append(e.upper())
        else:
            cased.append(local + "@" + domain.capitalize())
        plus.append(f"{local}+{t}@{domain}")
        if domain in vocab.DOMAIN_TYPOS and a < 0.6:
            typoed.append(f"{local}@{vocab.DOMAIN_TYPOS[domain]}")
        else:
            typoed.append(f"{typo(local, a, b)}@{domain}")
    return np.stack([email, np.asarray(cased, dtype=object), np.asarray(plus, dtype=object),
                     np.asarray(typoed, dtype=object), email])


def _phones(rng: np.random.Generator, is_uk: np.ndarray, area_options: list[str]) -> np.ndarray:
    """Distinct national numbers: US 10 digits (area code of the person's city), UK mobile 10 digits."""
    n = len(is_uk)
    out = np.empty(n, dtype=object)
    seen: set[str] = set()
    pick = rng.random(n).tolist()
    exch = rng.integers(200, 1000, size=n).tolist()
    line = rng.integers(0, 10000, size=n).tolist()
    uk = rng.integers(100_000_000, 1_000_000_000, size=n).tolist()
    drama = rng.random(n).tolist()
    for i, uk_person in enumerate(is_uk.tolist()):
        if uk_person:
            number = f"7700{uk[i] % 1_000_000:06d}" if drama[i] < 0.3 else f"7{uk[i]}"
        else:
            codes = area_options[i].split("|")
            number = f"{codes[int(pick[i] * len(codes))]}{exch[i]:03d}{line[i]:04d}"
        while number in seen:  # rare: walk to the next free line
            number = number[:-4] + f"{(int(number[-4:]) + 1) % 10000:04d}"
        seen.add(number)
        out[i] = number
    return out


def make_people(rng: np.random.Generator, n: int, window: Window) -> People:
    """The population: `n` people in households, 5% of them in the UK."""
    household, size, rank = _households(rng, n)
    n_households = int(household.max()) + 1
    is_uk = (rng.random(n_households) < UK_SHARE)[household]

    female = rng.random(n) < 0.5
    male_idx = _weighted_index(rng, len(vocab.MALE_FIRST), n)
    female_idx = _weighted_index(rng, len(vocab.FEMALE_FIRST), n)
    male = np.asarray(vocab.MALE_FIRST, dtype=object)
    fem = np.asarray(vocab.FEMALE_FIRST, dtype=object)
    names = np.where(female[:, None], fem[female_idx], male[male_idx])
    first, first_ascii, nick_options = names[:, 0], names[:, 1], names[:, 2]
    nick_pick = rng.random(n).tolist()
    nickname = np.asarray(
        [opts.split("|")[int(p * len(opts.split("|")))] if opts else "" for opts, p in
         zip(nick_options.tolist(), nick_pick, strict=True)],
        dtype=object,
    )

    lasts = np.asarray(vocab.LAST, dtype=object)
    household_last = _weighted_index(rng, len(vocab.LAST), n_households, skew=12.0)
    own_last = _weighted_index(rng, len(vocab.LAST), n, skew=12.0)
    keeps = (rank == 0) | (rng.random(n) < 0.8)
    last_idx = np.where(keeps, household_last[household], own_last)
    last, last_ascii = lasts[last_idx, 0], lasts[last_idx, 1]

    age_days = rng.integers(18 * 365, 85 * 365, size=n)
    dob_ms = window.end - age_days.astype(np.int64) * MS_PER_DAY
    years = dob_ms.astype("datetime64[ms]").astype("datetime64[Y]").astype(int) + 1970

    uses_nick = (nickname != "") & (rng.random(n) < 0.25)
    email_first = np.where(uses_nick, np.strings.lower(nickname.astype(str)).astype(object), first_ascii)
    email = _canonical_emails(rng, email_first, last_ascii, years, is_uk)

    us_places = np.asarray(vocab.US_PLACES, dtype=object)
    uk_places = np.asarray(vocab.UK_PLACES, dtype=object)
    us_place = us_places[_weighted_index(rng, len(us_places), n_households, skew=6.0)]
    uk_place = uk_places[_weighted_index(rng, len(uk_places), n_households, skew=3.0)]
    h_uk = np.zeros(n_households, dtype=bool)
    h_uk[household] = is_uk
    street_no = rng.integers(1, 9999, size=n_households)
    us_street = np.asarray(vocab.US_STREETS, dtype=object)[rng.integers(0, len(vocab.US_STREETS), n_households)]
    us_suffix = np.asarray(vocab.US_SUFFIXES, dtype=object)[rng.integers(0, len(vocab.US_SUFFIXES), n_households)]
    uk_street = np.asarray(vocab.UK_STREETS, dtype=object)[rng.integers(0, len(vocab.UK_STREETS), n_households)]
    uk_suffix = np.asarray(vocab.UK_SUFFIXES, dtype=object)[rng.integers(0, len(vocab.UK_SUFFIXES), n_households)]
    street = np.where(
        h_uk,
        [f"{a} {b} {c}" for a, b, c in zip(street_no.tolist(), uk_street, uk_suffix, strict=True)],
        [f"{a} {b} {c}" for a, b, c in zip(street_no.tolist(), us_street, us_suffix, strict=True)],
    ).astype(object)
    unit = rng.integers(1, 40, size=n_households)
    letter = np.asarray(list("ABCDEF"))[rng.integers(0, 6, size=n_households)]
    line2 = np.where(
        rng.random(n_households) < 0.2,
        [f"Apt {u}{x}" for u, x in zip(unit.tolist(), letter.tolist(), strict=True)],
        "",
    ).astype(object)
    zip5 = [f"{p}{d:02d}" for p, d in zip(us_place[:, 2].tolist(), rng.integers(0, 100, n_households).tolist(),
                                         strict=True)]
    inward = rng.integers(0, 10, n_households).tolist()
    letters = np.asarray(list("ABDEFGHJLNPQRSTUWXYZ"))
    l1 = letters[rng.integers(0, len(letters), n_households)].tolist()
    l2 = letters[rng.integers(0, len(letters), n_households)].tolist()
    outward_pick = rng.random(n_households).tolist()
    uk_post = [
        f"{o.split('|')[int(p * len(o.split('|')))]} {d}{a}{b}"
        for o, p, d, a, b in zip(uk_place[:, 2].tolist(), outward_pick, inward, l1, l2, strict=True)
    ]
    city = np.where(h_uk, uk_place[:, 0], us_place[:, 0]).astype(object)
    region = np.where(h_uk, uk_place[:, 1], us_place[:, 1]).astype(object)
    postcode = np.where(h_uk, np.asarray(uk_post, dtype=object), np.asarray(zip5, dtype=object)).astype(object)
    area = us_place[:, 3][household].tolist()

    u = rng.random(n).tolist()
    v = rng.random(n).tolist()
    first_typo = np.asarray([typo(f, a, b) for f, a, b in zip(first.tolist(), u, v, strict=True)], dtype=object)
    last_typo = np.asarray([typo(s, b, a) for s, a, b in zip(last.tolist(), u, v, strict=True)], dtype=object)

    return People(
        person_id=np.strings.add("P", np.strings.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object),
        household=household,
        household_size=size,
        household_rank=rank,
        is_uk=is_uk,
        first=first,
        first_ascii=first_ascii,
        nickname=nickname,
        last=last,
        last_ascii=last_ascii,
        email=email,
        email_table=_email_spellings(rng, email),
        country_code=np.where(is_uk, 44, 1),
        national_number=_phones(rng, is_uk, area),
        date_of_birth=iso_date(dob_ms),
        street=street[household],
        line2=line2[household],
        city=city[household],
        region=region[household],
        postcode=postcode[household],
        activity=rng.lognormal(0.0, 0.8, size=n),
        first_typo=first_typo,
        last_typo=last_typo,
    )


def choose(rng: np.random.Generator, options: tuple | list, size: int, p: list[float] | None = None) -> np.ndarray:
    """`size` draws from `options` (object array)."""
    arr = np.asarray(options, dtype=object)
    if p is None:
        return arr[rng.integers(0, len(arr), size=size)]
    weights = np.asarray(p, dtype=float)
    return arr[rng.choice(len(arr), p=weights / weights.sum(), size=size)]


def spell_emails(people: People, rng: np.random.Generator, persons: np.ndarray, spelling: np.ndarray) -> np.ndarray:
    """Raw email text per record in the given spelling (CANONICAL, CASED, PLUS, TYPO or SPACED)."""
    out = people.email_table[spelling, persons]
    spaced = np.flatnonzero(spelling == SPACED)
    pads = (" {} ", "{} ", " {}", "\t{}")
    for i, k in zip(spaced.tolist(), rng.integers(0, len(pads), size=len(spaced)).tolist(), strict=True):
        out[i] = pads[k].format(out[i])
    return out


def pick_emails(
    people: People,
    rng: np.random.Generator,
    persons: np.ndarray,
    p: tuple[float, float, float, float, float],
    junk: float = 0.0,
) -> np.ndarray:
    """Raw email text per record: spelling drawn with probabilities p = (canonical, cased, plus, typo, spaced)."""
    spelling = rng.choice(5, p=np.asarray(p) / sum(p), size=len(persons))
    return _with_junk(rng, spell_emails(people, rng, persons, spelling), junk, vocab.JUNK_EMAILS)


def _with_junk(rng: np.random.Generator, values: np.ndarray, share: float, junk: tuple[str, ...]) -> np.ndarray:
    if share <= 0:
        return values
    hit = np.flatnonzero(rng.random(len(values)) < share)
    values[hit] = choose(rng, junk, len(hit))
    return values


def format_phone(country_code: int, number: str, fmt: int) -> str:
    if country_code == 44:
        return UK_PHONE_FORMATS[fmt % 3].format(p4=number[:4], p6=number[4:], n=number)
    return US_PHONE_FORMATS[fmt].format(a=number[:3], e=number[3:6], l=number[6:])


def pick_phones(
    people: People, rng: np.random.Generator, persons: np.ndarray, p: list[float], junk: float = 0.0
) -> np.ndarray:
    """Raw phone text per record, in one of the 8 US formats drawn with probabilities `p` (UK: +44 / 0044)."""
    fmt = rng.choice(len(US_PHONE_FORMATS), p=np.asarray(p) / sum(p), size=len(persons)).tolist()
    cc = people.country_code[persons].tolist()
    nsn = people.national_number[persons].tolist()
    out = np.asarray([format_phone(c, s, f) for c, s, f in zip(cc, nsn, fmt, strict=True)], dtype=object)
    return _with_junk(rng, out, junk, vocab.JUNK_PHONES)


def pick_first_names(
    people: People, rng: np.random.Generator, persons: np.ndarray, nick: float, typo_: float, case: float
) -> np.ndarray:
    """First name per record: true, nickname, typo'd, or upper/lower-cased."""
    u = rng.random(len(persons))
    out = people.first[persons].copy()
    nickname = people.nickname[persons]
    use_nick = (u < nick) & (nickname != "")
    out[use_nick] = nickname[use_nick]
    use_typo = (u >= nick) & (u < nick + typo_)
    out[use_typo] = people.first_typo[persons[use_typo]]
    return _recase(rng, out, (u >= nick + typo_) & (u < nick + typo_ + case))


def pick_last_names(
    people: People, rng: np.random.Generator, persons: np.ndarray, typo_: float, case: float, plain: float = 0.05
) -> np.ndarray:
    """Last name per record: true, typo'd, re-cased or stripped of accents."""
    u = rng.random(len(persons))
    out = people.last[persons].copy()
    use_typo = u < typo_
    out[use_typo] = people.last_typo[persons[use_typo]]
    use_plain = np.flatnonzero((u >= typo_ + case) & (u < typo_ + case + plain))
    out[use_plain] = [strip_accents(s) for s in out[use_plain].tolist()]
    return _recase(rng, out, (u >= typo_) & (u < typo_ + case))


def _recase(rng: np.random.Generator, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(mask)
    upper = rng.random(len(idx)) < 0.6
    values[idx] = [s.upper() if up else s.lower() for s, up in zip(values[idx].tolist(), upper.tolist(), strict=True)]
    return values


def draw_persons(rng: np.random.Generator, people: People, size: int, eligible: np.ndarray | None = None) -> np.ndarray:
    """`size` person numbers drawn in proportion to activity (some people do much more than others)."""
    weights = people.activity if eligible is None else people.activity * eligible
    return rng.choice(people.n, p=weights / weights.sum(), size=size)
