"""A held-out check of identity matching: real-world-like person records, FEBRL-style corruption, own truth.

    .venv/bin/python bench/heldout_contacts.py [--people 4000] [--seed 11] [--out DIR] [--json]
        [--threshold W]

Writes `crm_contacts` landing files (the landing contract: CSV, header row, `contact_id`, `source_system`,
names, `email`, `phone`, `date_of_birth` as YYYY-MM-DD, address columns) for two CRM systems, and the truth
(`truth/source_records.parquet`: source, file, line, person_id, as the quality command reads it); then runs the
pipeline on them exactly as it runs on real data (`cdp ingest`, then `dbt run` of the identity models and what
they read, in a warehouse of its own) and scores the resolution: pairwise precision, recall and F1 of the
contract's resolution (`cdp.identity.quality.score`), and of the probabilistic links alone.

It shares no code and no word lists with the demo generator (`cdp/generate/`), so that it does not reproduce
that generator's noise. What it does, after the FEBRL generator (Christen, "Probabilistic data generation for
deduplication and data linkage") and what real CRM exports look like:

- people: first names with their nicknames, surnames with a long-tailed (Zipf) frequency, so that common
  names have namesakes (the same first and last name, another person) as real data does; birth dates; one or
  two email addresses (private, work); a mobile phone; an address (house number, street, street type, unit,
  city, ZIP code, state). Households (two to four people at one address, mostly one surname, sharing the
  landline and sometimes one family email address); deliberate namesakes in other towns; people who moved
  (an old address on their older records); women with a maiden name on older records.
- records: one to five a person (geometric), split over two CRM systems; duplicates within a system too.
- corruption of each record, field by field: keyboard typos (insertion, deletion, substitution of a neighbour
  key, transposition), OCR confusions (0/o, 1/l, 5/s, rn/m, cl/d), phonetic variants (ph/f, ck/k, ie/y,
  ou/ow, ...), nicknames and initials, first and last name swapped, name case and spacing, missing fields,
  address abbreviations (Street/St, Avenue/Ave, ...) and unit numbers (Apt 4B in line 2 or in the street),
  ZIP code and house number typos, birth dates with a digit typo or day and month swapped (still YYYY-MM-DD,
  as the contract requires), phone numbers in other formats and with a digit typo, email addresses upper-case
  or with a typo, and whole fields missing at realistic rates.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# ---------------------------------------------------------------- word lists (this file's own)

FIRST = {  # name: nicknames
    "alexander": ["alex", "xander"], "alice": ["ally"], "amanda": ["mandy"], "andrea": [], "angela": ["angie"],
    "anthony": ["tony"], "arthur": ["art"], "barbara": ["barb", "babs"], "benjamin": ["ben", "benny"],
    "beverly": ["bev"], "bradley": ["brad"], "brenda": [], "bruce": [], "carl": [], "caroline": ["carrie"],
    "catherine": ["cathy", "kate"], "charles": ["charlie", "chuck"], "cheryl": [], "christina": ["tina"],
    "christopher": ["chris", "topher"], "cynthia": ["cindy"], "daniel": ["dan", "danny"], "deborah": ["debbie"],
    "dennis": [], "diane": [], "donald": ["don", "donnie"], "donna": [], "dorothy": ["dot", "dottie"],
    "douglas": ["doug"], "edward": ["ed", "eddie", "ted"], "eleanor": ["ellie", "nora"], "emily": ["em"],
    "eric": [], "evelyn": ["evie"], "frances": ["fran"], "francis": ["frank"], "frederick": ["fred"],
    "gary": [], "george": [], "gerald": ["gerry"], "gloria": [], "gregory": ["greg"], "harold": ["harry"],
    "heather": [], "helen": [], "henry": ["hank"], "irene": [], "jacob": ["jake"], "james": ["jim", "jimmy"],
    "janet": ["jan"], "jeffrey": ["jeff"], "jennifer": ["jen", "jenny"], "jeremy": [], "joan": [],
    "jonathan": ["jon"], "joseph": ["joe", "joey"], "joshua": ["josh"], "joyce": [], "judith": ["judy"],
    "julia": ["julie"], "karen": [], "katherine": ["kathy", "katie"], "keith": [], "kenneth": ["ken", "kenny"],
    "laura": [], "lawrence": ["larry"], "leonard": ["leo", "len"], "linda": [], "louise": ["lou"],
    "margaret": ["maggie", "peggy", "meg"], "marilyn": [], "martha": ["marty"], "matthew": ["matt"],
    "megan": [], "melanie": ["mel"], "michael": ["mike", "mick"], "michelle": ["shelly"], "nancy": [],
    "natalie": ["nat"], "nicholas": ["nick"], "olivia": ["liv"], "pamela": ["pam"], "patrick": ["pat"],
    "paul": [], "philip": ["phil"], "rachel": [], "raymond": ["ray"], "rebecca": ["becky"],
    "richard": ["rick", "dick", "richie"], "robert": ["rob", "bob", "bobby"], "ronald": ["ron"],
    "rose": ["rosie"], "russell": ["russ"], "samuel": ["sam"], "sandra": ["sandy"], "sharon": [],
    "stephen": ["steve"], "steven": ["steve"], "susan": ["sue", "susie"], "teresa": ["terry"],
    "theodore": ["ted", "teddy"], "thomas": ["tom", "tommy"], "timothy": ["tim"], "victoria": ["vicky"],
    "vincent": ["vince"], "virginia": ["ginny"], "walter": ["walt"], "wayne": [], "william": ["bill", "will"],
    "zachary": ["zach"],
}
# surnames, most common first: drawn with a Zipf-like weight, so the first few are shared by many people
SURNAME_TEXT = """
miller anderson walker wright hughes bennett murphy cooper richardson howard ward torres peterson gray
ramirez james watson brooks kelly sanders price barnes ross henderson coleman jenkins perry powell long
patterson flores washington butler simmons foster gonzales bryant alexander russell griffin diaz hayes
myers ford hamilton graham sullivan wallace woods cole west jordan owens reynolds fisher ellis harrison
gibson mcdonald cruz marshall ortiz gomez murray freeman wells webb simpson stevens tucker porter hunter
hicks crawford henry boyd mason morales kennedy warren dixon ramos reyes burns gordon shaw holmes rice
robertson hunt black daniels palmer mills nichols grant knight ferguson rose stone hawkins dunn perkins
hudson spencer gardner stephens payne pierce berry matthews arnold wagner willis ray watkins olson carroll
duncan snyder hart cunningham bradley lane andrews ruiz harper fox riley armstrong carpenter weaver greene
lawrence elliott chavez sims austin peters kelley franklin lawson fields ryan schmidt carr vasquez castillo
wheeler chapman oliver montgomery richards williamson johnston banks meyer bishop mccoy howell alvarez
morrison hansen fernandez garza harvey little burton stanley nguyen george jacobs reid fuller lynch dean
gilbert romero welch larson frazier burke hanson day mendoza moreno bowman medina fowler brewer hoffman
carlson silva pearson holland douglas fleming jensen vargas byrd davidson hopkins may terry herrera wade
soto walters curtis neal caldwell lowe jennings barnett graves jimenez horton shelton barrett obrien castro
sutton gregory mckinney lucas miles craig rodriquez chambers holt lambert fletcher watts bates hale rhodes
pena beck newman haynes mcdaniel mendez bush vaughn parks dawson santiago norris hardy love steele curry
powers schultz barker guzman page munoz ball keller chandler weber leonard walsh lyons ramsey wolfe
schneider mullins benson sharp bowen daniel barber cummings hines baldwin griffith valdez hubbard salazar
reeves warner stevenson burgess santos tate cross garner mann mack moss thornton dennis mcgee farmer
delgado aguilar vega glover manning cohen harmon rodgers robbins newton todd blair higgins ingram reese
cannon strickland townsend potter goodwin walton rowe hampton ortega patton swanson joseph francis goodman
"""
SURNAMES = SURNAME_TEXT.split()
STREET_TEXT = """
oak maple cedar pine elm willow birch walnut chestnut spruce hickory laurel magnolia sycamore poplar
washington lincoln jefferson madison franklin jackson adams monroe church mill market water spring
park lake river hill valley meadow forest sunset highland ridge orchard prospect union center liberty
"""
STREETS = STREET_TEXT.split()
STREET_TYPES = [("street", "st"), ("avenue", "ave"), ("road", "rd"), ("drive", "dr"), ("lane", "ln"),
                ("court", "ct"), ("boulevard", "blvd"), ("place", "pl"), ("terrace", "ter"), ("way", "way")]
TOWNS = [  # town, state, first ZIP of its range, ZIPs in the range, area codes
    ("Springfield", "IL", 62701, 12, ["217"]), ("Columbus", "OH", 43201, 30, ["614", "380"]),
    ("Madison", "WI", 53703, 15, ["608"]), ("Salem", "OR", 97301, 8, ["503", "971"]),
    ("Fairview", "TN", 37062, 2, ["615"]), ("Greenville", "SC", 29601, 15, ["864"]),
    ("Bristol", "CT", 6010, 3, ["860"]), ("Franklin", "MA", 2038, 2, ["508", "774"]),
    ("Clinton", "IA", 52732, 3, ["563"]), ("Riverside", "CA", 92501, 20, ["951"]),
    ("Arlington", "TX", 76001, 20, ["817", "682"]), ("Georgetown", "KY", 40324, 2, ["502"]),
    ("Burlington", "VT", 5401, 4, ["802"]), ("Dayton", "OH", 45402, 20, ["937"]),
    ("Lexington", "KY", 40502, 15, ["859"]), ("Milford", "CT", 6460, 2, ["203", "475"]),
    ("Portland", "ME", 4101, 6, ["207"]), ("Aurora", "CO", 80010, 20, ["303", "720"]),
    ("Newport", "RI", 2840, 2, ["401"]), ("Jackson", "MS", 39201, 15, ["601", "769"]),
]
PROVIDERS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com", "comcast.net",
             "att.net", "proton.me", "msn.com"]
EMPLOYERS = ["acme.com", "globex.com", "initech.com", "umbrella.co", "hooli.com", "stark.io", "wayne.org",
             "cyberdyne.net", "tyrell.com", "soylent.com", "vandelay.com", "wonka.com"]
KEYBOARD = {  # neighbouring keys (QWERTY) for substitutions
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm", "o": "iklp",
    "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase",
    "x": "zsdc", "y": "tghu", "z": "asx",
}
OCR = [("o", "0"), ("l", "1"), ("s", "5"), ("m", "rn"), ("d", "cl"), ("b", "6"), ("g", "9"), ("e", "c")]
PHONETIC = [("ph", "f"), ("ck", "k"), ("ie", "y"), ("ou", "ow"), ("ai", "ay"), ("ei", "ie"), ("c", "k"),
            ("th", "t"), ("ee", "ea"), ("z", "s"), ("v", "w"), ("ll", "l"), ("nn", "n"), ("rr", "r")]


# ---------------------------------------------------------------- people

@dataclass
class Address:
    number: int
    street: str
    street_type: int
    unit: str | None
    town: int
    zip_code: str


@dataclass
class Person:
    person_id: str
    first: str
    last: str
    birth: date
    emails: list[str]
    mobile: str
    landline: str | None
    address: Address
    old_address: Address | None = None
    maiden: str | None = None
    records: list[dict] = field(default_factory=list)


def _zipf_choice(rng: random.Random, items: list[str], s: float = 0.9) -> str:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def _address(rng: random.Random, town: int | None = None) -> Address:
    t = rng.randrange(len(TOWNS)) if town is None else town
    _, _, first_zip, span, _ = TOWNS[t]
    unit = rng.choice([None] * 4 + [f"{rng.randint(1, 30)}{rng.choice('ABCD')}", str(rng.randint(100, 420))])
    return Address(rng.randint(1, 9999), rng.choice(STREETS), rng.randrange(len(STREET_TYPES)), unit, t,
                   f"{first_zip + rng.randrange(span):05d}")


def _phone(rng: random.Random, town: int) -> str:
    return rng.choice(TOWNS[town][4]) + f"{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def _email(rng: random.Random, first: str, last: str, birth: date, domain: str) -> str:
    style = rng.randrange(7)
    local = [f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}", f"{first}_{last}",
             f"{first}.{last}{birth.year % 100:02d}", f"{last}.{first}", f"{first}{rng.randint(1, 999)}"][style]
    return f"{local}@{domain}"


def make_people(n: int, rng: random.Random) -> list[Person]:
    firsts = list(FIRST)
    people: list[Person] = []
    while len(people) < n:
        pid = f"H{len(people):06d}"
        last = _zipf_choice(rng, SURNAMES)
        address = _address(rng)
        size = rng.choices([1, 2, 3, 4], weights=[60, 22, 12, 6])[0]
        landline = _phone(rng, address.town) if size > 1 and rng.random() < 0.5 else None
        family_email = f"the{last}s@{rng.choice(PROVIDERS)}" if size > 1 and rng.random() < 0.25 else None
        base_year = rng.randint(1940, 2002)
        for k in range(min(size, n - len(people))):
            pid = f"H{len(people):06d}"
            first = rng.choice(firsts)
            # one surname a household, mostly; born within a generation of one another
            member_last = last if k == 0 or rng.random() < 0.85 else _zipf_choice(rng, SURNAMES)
            birth = date(min(2005, base_year + rng.choice([0, 0, 2, -3, 25, 28, 30])), 1, 1) \
                + timedelta(days=rng.randrange(365))
            emails = [_email(rng, first, member_last, birth, rng.choice(PROVIDERS))]
            if rng.random() < 0.35:
                emails.append(_email(rng, first, member_last, birth, rng.choice(EMPLOYERS)))
            if family_email and rng.random() < 0.6:
                emails.append(family_email)
            person = Person(pid, first, member_last, birth, emails, _phone(rng, address.town), landline, address)
            if rng.random() < 0.08:
                person.old_address = _address(rng, address.town if rng.random() < 0.6 else None)
            if rng.random() < 0.04:
                person.maiden = _zipf_choice(rng, SURNAMES)
            people.append(person)
        if rng.random() < 0.04 and len(people) < n:  # a namesake: the same name, another person elsewhere
            twin = people[-1]
            other = _address(rng)
            birth = date(rng.randint(1940, 2002), 1, 1) + timedelta(days=rng.randrange(365))
            people.append(Person(f"H{len(people):06d}", twin.first, twin.last, birth,
                                 [_email(rng, twin.first, twin.last, birth, rng.choice(PROVIDERS))],
                                 _phone(rng, other.town), None, other))
    return people


# ---------------------------------------------------------------- corruption

def typo(rng: random.Random, s: str) -> str:
    if len(s) < 2:
        return s
    i = rng.randrange(len(s))
    kind = rng.randrange(4)
    if kind == 0:
        return s[:i] + rng.choice(KEYBOARD.get(s[i].lower(), "e")) + s[i + 1:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    if kind == 2:
        return s[:i] + rng.choice(KEYBOARD.get(s[i].lower(), "e")) + s[i:]
    j = min(i, len(s) - 2)
    return s[:j] + s[j + 1] + s[j] + s[j + 2:]


def ocr(rng: random.Random, s: str) -> str:
    options = [(a, b) for a, b in OCR if a in s]
    if not options:
        return typo(rng, s)
    a, b = rng.choice(options)
    return s.replace(a, b, 1)


def phonetic(rng: random.Random, s: str) -> str:
    options = [(a, b) for a, b in PHONETIC if a in s] + [(b, a) for a, b in PHONETIC if b in s and len(b) > 1]
    if not options:
        return typo(rng, s)
    a, b = rng.choice(options)
    return s.replace(a, b, 1)


def _case(rng: random.Random, s: str) -> str:
    return rng.choice([s.title(), s.title(), s.title(), s.upper(), s.lower(), " " + s.title() + " "])


def _noisy_name(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.05:
        return typo(rng, s)
    if r < 0.07:
        return ocr(rng, s)
    if r < 0.10:
        return phonetic(rng, s)
    return s


def _date(rng: random.Random, d: date) -> str | None:
    r = rng.random()
    if r < 0.03:  # a digit typo: kept if it is still a date (else the contract's check flags it)
        text = d.isoformat()
        i = rng.choice([2, 3, 5, 6, 8, 9])
        return text[:i] + str(rng.randrange(10)) + text[i + 1:]
    if r < 0.05 and d.day <= 12:  # day and month swapped
        return date(d.year, d.day, d.month).isoformat()
    return d.isoformat()


def _phone_text(rng: random.Random, digits: str) -> str:
    if rng.random() < 0.03:
        i = rng.randrange(3, 10)
        digits = digits[:i] + str(rng.randrange(10)) + digits[i + 1:]
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1{digits}", f"1 {a} {b} {c}",
                       digits, f"+1 ({a}) {b}-{c}"])


def _street_text(rng: random.Random, a: Address) -> tuple[str, str]:
    name = a.street.title()
    full, short = STREET_TYPES[a.street_type]
    kind = rng.choice([full.title(), short.title(), short.title() + ".", short.upper(), full.title()])
    number = str(a.number)
    if rng.random() < 0.02:
        number = typo(rng, number) or number
    street = f"{number} {name if rng.random() > 0.04 else typo(rng, name)} {kind}"
    line2 = ""
    if a.unit:
        unit = rng.choice([f"Apt {a.unit}", f"Apt. {a.unit}", f"Unit {a.unit}", f"#{a.unit}", f"Suite {a.unit}"])
        if rng.random() < 0.5:
            line2 = unit
        elif rng.random() < 0.8:
            street = f"{street} {unit}" if rng.random() < 0.7 else f"{street}, {unit}"
    return street, line2


def make_record(rng: random.Random, p: Person, older: bool) -> dict[str, str]:
    first, last = p.first, (p.maiden if older and p.maiden else p.last)
    r = rng.random()
    if r < 0.12 and FIRST[first]:
        first = rng.choice(FIRST[first])
    elif r < 0.14:
        first = first[0]
    first, last = _noisy_name(rng, first), _noisy_name(rng, last)
    if rng.random() < 0.02:
        first, last = last, first
    if rng.random() < 0.01:
        first = ""
    address = p.old_address if older and p.old_address else p.address
    street, line2 = _street_text(rng, address)
    town, state, *_ = TOWNS[address.town]
    zip_code = address.zip_code if rng.random() > 0.02 else typo(rng, address.zip_code)
    has_address = rng.random() < 0.7
    email = ""
    if rng.random() < 0.65:
        email = rng.choice(p.emails)
        email = typo(rng, email) if rng.random() < 0.02 else email
        email = email.upper() if rng.random() < 0.03 else email
    phones = [p.mobile] + ([p.landline] if p.landline else [])
    phone = _phone_text(rng, rng.choice(phones)) if rng.random() < 0.6 else ""
    return {
        "first_name": _case(rng, first) if first else "",
        "last_name": _case(rng, last),
        "email": email,
        "phone": phone,
        "date_of_birth": (_date(rng, p.birth) or "") if rng.random() < 0.55 else "",
        "street_address": street if has_address else "",
        "address_line2": line2 if has_address else "",
        "city": (town if rng.random() > 0.03 else typo(rng, town)) if has_address else "",
        "postcode": zip_code if has_address or rng.random() < 0.2 else "",
        "region": state if has_address else "",
        "country": "US" if has_address else "",
    }


COLUMNS = ["contact_id", "source_system", "first_name", "last_name", "email", "phone", "date_of_birth",
           "street_address", "address_line2", "city", "postcode", "region", "country", "account_id",
           "job_title", "created_at", "updated_at"]


def write_landing(people: list[Person], rng: random.Random, landing: Path, truth_dir: Path) -> dict:
    """Two CRM systems, one file each a batch; returns counts. Truth: (source, file, line, person_id)."""
    folder = landing / "crm_contacts"
    folder.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list] = {"alpha": [], "beta": []}
    for p in people:
        count = 1 + min(4, int(rng.expovariate(1.1)))
        for k in range(count):
            system = "alpha" if rng.random() < 0.55 else "beta"
            rec = make_record(rng, p, older=k == 0 and count > 1)
            rows[system].append((p.person_id, rec))
    truth = {"source": [], "file": [], "line": [], "person_id": []}
    started = date(2025, 1, 1)
    for system, items in rows.items():
        rng.shuffle(items)
        name = f"crm_contacts/crm_contacts_{system}_0001_20261101.csv"
        with open(landing / name, "w", newline="", encoding="utf-8") as fh:
            out = csv.DictWriter(fh, fieldnames=COLUMNS)
            out.writeheader()
            for i, (pid, rec) in enumerate(items):
                seen = (started + timedelta(days=i % 600)).isoformat() + "T10:00:00Z"
                out.writerow({"contact_id": f"{system[0].upper()}{i + 1:07d}", "source_system": system,
                              "account_id": "", "job_title": "", "created_at": seen, "updated_at": seen, **rec})
                truth["source"].append("crm_contacts")
                truth["file"].append(name)
                truth["line"].append(i + 2)  # line 1 is the header
                truth["person_id"].append(pid)
    pq.write_table(pa.table(truth), truth_dir / "source_records.parquet")
    return {"people": len(people), "records": len(truth["line"])}


# ---------------------------------------------------------------- pipeline and score

def run_pipeline(landing: Path, warehouse: Path, work: Path, threshold: float | None) -> float:
    env = {**os.environ, "CDP_LANDING_DIR": str(landing), "CDP_WAREHOUSE": str(warehouse),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    started = time.perf_counter()
    dbt = [str(BIN / "dbt"), "--quiet"]
    where = ["--profiles-dir", str(ROOT), "--project-dir", str(ROOT)]
    steps = [[str(BIN / "cdp"), "ingest"], [*dbt, "seed", *where],
             [*dbt, "run", *where, "-s", "+int_source_records_resolved"]
             + (["--vars", json.dumps({"cdp__identity_match_weight_threshold": threshold})] if threshold else [])]
    for cmd in steps:
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{cmd[1]} failed:\n{(out.stdout + out.stderr)[-3000:]}")
    return time.perf_counter() - started


def score_links(con: duckdb.DuckDBPyConnection) -> dict:
    """The probabilistic links alone, against the truth: pairs linked, of them true; true pairs found."""
    row = con.execute("""
        with records as (
            select distinct t.person_id, p.record_id
            from truth as t
            inner join identity.int_source_records_resolved as r
                on r.source = t.source and r.source_file = t.file and r.source_line = t.line
            inner join identity.int_profile_records_prepared as p
                on p.source = r.source and p.source_record_id = r.record_key
        ),
        links as (
            select a.person_id = b.person_id as correct
            from identity.int_profile_records_matched as m
            inner join records as a on a.record_id = m.left_record_id
            inner join records as b on b.record_id = m.right_record_id
        )
        select count(*), count(*) filter (where correct),
            (select sum(n * (n - 1) / 2) from (select count(*) as n from records group by person_id))
        from links
    """).fetchall()[0]
    links, correct, true_pairs = int(row[0]), int(row[1]), int(row[2] or 0)
    p = correct / links if links else 1.0
    r = correct / true_pairs if true_pairs else 1.0
    return {"links": links, "correct_links": correct, "true_pairs": true_pairs, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from cdp.identity.quality import missed_profile_pairs, score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path("/tmp/heldout_contacts"))
    parser.add_argument("--threshold", type=float, default=None,
                        help="cdp__identity_match_weight_threshold for this run (default: the project's)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    if args.out.exists():
        subprocess.run(["rm", "-rf", str(args.out)], check=True)
    landing, truth_dir, warehouse = args.out / "landing", args.out / "truth", args.out / "warehouse" / "cdp.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    counts = write_landing(make_people(args.people, rng), rng, landing, truth_dir)
    seconds = run_pipeline(landing, warehouse, args.out, args.threshold)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(f"create temp view truth as select * from read_parquet('{truth_dir / 'source_records.parquet'}')")
    resolution = score(con, "t.source = 'crm_contacts'")
    result = {**counts, "seed": args.seed, "pipeline_seconds": round(seconds, 1), "resolution": resolution,
              "links": score_links(con), "missed_pairs_by_shared_evidence": missed_profile_pairs(con)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        r, lk = result["resolution"], result["links"]
        print(f"held-out contacts: {counts['people']} people, {counts['records']} crm_contacts records "
              f"(seed {args.seed}), pipeline {seconds:.0f} s")
        print(f"resolution (pairwise): precision {r['precision']:.4f}  recall {r['recall']:.4f}  "
              f"F1 {r['f1']:.4f}  over-merged {r['over_merged_customers']}  "
              f"under-merged {r['under_merged_persons']}  largest {r['largest_customer_records']}")
        print(f"probabilistic links alone: {lk['links']} links, precision {lk['precision']:.4f}  "
              f"recall {lk['recall']:.4f}  F1 {lk['f1']:.4f}")
        print("true pairs left apart, by what the two records share:")
        for evidence, n in result["missed_pairs_by_shared_evidence"].items():
            print(f"  {n:>6}  {evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
