"""A seeded, scalable generator of a realistic landing zone (CONTRACT.md section 3) and its ground truth.

`generate(out, customers, seed)` writes one folder per source under `out`, each holding an initial backfill
and later batch files, and writes the truth beside it in `out.parent / "truth"`:

- `persons.parquet`: one row per true person.
- `source_records.parquet`: one row per data row written: source, file (relative to `out`), line (1-based:
  the physical line for .jsonl; for .csv the header is line 1; the row number for .parquet), record_key
  (the source's natural key as text) and person_id (null for rows about no person: products, inventory,
  accounts).
- `injected_faults.parquet`: source, file, line, fault, field: every malformed row, redelivery, unreadable
  or unsupported file (line 0) put there on purpose.

The same (customers, seed, as_of, events_per_customer) always gives byte-identical files.
"""

from __future__ import annotations

import gc
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cdp.generate.clock import Window
from cdp.generate.landing import Landing
from cdp.generate.people import People, make_people
from cdp.generate.sources import commerce, consent, email, events, profiles, reference, service
from cdp.generate.world import World, make_accounts, make_catalog, make_employment, make_user_ids

MIN_CUSTOMERS = 100

Source = Callable[[World, Landing], int]

# In dependency order: later sources refer to identifiers handed out by earlier ones.
SOURCES: tuple[tuple[str, Source], ...] = (
    ("erp_products", reference.erp_products),
    ("erp_inventory", reference.erp_inventory),
    ("b2b_accounts", reference.b2b_accounts),
    ("crm_contacts", profiles.crm_contacts),
    ("b2b_memberships", reference.b2b_memberships),
    ("shop_customers", profiles.shop_customers),
    ("loyalty_members", profiles.loyalty_members),
    ("web_events", events.web_events),
    ("mobile_events", events.mobile_events),
    ("email_events", email.email_events),
    ("orders", commerce.orders),
    ("order_items", commerce.order_items),
    ("pos_transactions", commerce.pos_transactions),
    ("support_tickets", service.support_tickets),
    ("survey_responses", service.survey_responses),
    ("consent_events", consent.consent_events),
    ("privacy_requests", consent.privacy_requests),
)
SOURCE_NAMES: tuple[str, ...] = tuple(sorted(name for name, _ in SOURCES))
UNSUPPORTED_NOTE = (
    "Export notes from the CRM admin, not data.\n"
    "The HubSpot export of last month includes a lead_source column.\n"
)


def generate(
    out: Path,
    customers: int,
    seed: int = 42,
    as_of: date | None = None,
    events_per_customer: float = 20.0,
    progress: bool = True,
) -> dict[str, int]:
    """Writes the landing zone under `out` (one folder per source) and the ground truth in `out.parent / "truth"`.

    Returns rows written per source (including malformed rows). All generated activity lies in the ~400 days
    before as_of 00:00 UTC, the newest batch ending within the last day. Without as_of, the window ends at the
    current hour (UTC) instead: a demo landing zone is as fresh as a real one, at any time of day, and the
    five-V freshness checks judge it against the wall clock as they would judge real data.
    """
    if customers < MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {MIN_CUSTOMERS}, got {customers}")
    if events_per_customer <= 0:
        raise ValueError("events_per_customer must be positive")
    out = Path(out)
    end_at = None
    if as_of is None:
        end_at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        as_of = end_at.date()
    window = Window(as_of, end_at)
    seed_key = (int(seed), int(customers), as_of.toordinal(), round(events_per_customer * 1000))
    root = np.random.default_rng(np.random.SeedSequence([*seed_key, 0]))
    people = make_people(root, customers, window)
    world = World(window=window, people=people, scale=events_per_customer / 20.0, seed_key=seed_key,
                  user_id=make_user_ids(root, customers))
    world.catalog = make_catalog(root, min(3000, customers // 20) + 50, window)
    world.accounts = make_accounts(root, max(5, customers // 50), window)
    world.employment = make_employment(root, people, world.accounts, window)

    _clear(out)
    landing = Landing(out, window)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived dicts, no cycles: the cyclic collector would only cost time
    try:
        for name, make in SOURCES:
            started = time.perf_counter()
            rows = make(world, landing)
            if progress:
                print(f"{name:<18} {rows:>10,} rows {time.perf_counter() - started:7.2f}s", file=sys.stderr)
    finally:
        if collecting:
            gc.enable()
    landing.add_unsupported("crm_contacts", "notes.txt", UNSUPPORTED_NOTE)
    _write_truth(out.parent / "truth", landing, world)
    return {name: landing.written[name] for name in SOURCE_NAMES}


def _clear(out: Path) -> None:
    """Removes batch files an earlier run left in the source folders (and nothing else)."""
    for name in SOURCE_NAMES:
        folder = out / name
        if not folder.is_dir():
            continue
        pattern = re.compile(rf"^{name}_\d{{4}}_\d{{8}}\.(jsonl|csv|parquet)$|^notes\.txt$")
        for path in folder.iterdir():
            if path.is_file() and pattern.match(path.name):
                path.unlink()


def persons_table(people: People, world: World) -> pa.Table:
    employer = world.current_employer()
    accounts = world.accounts
    assert accounts is not None
    return pa.table(
        {
            "person_id": pa.array(people.person_id, pa.string()),
            "household_id": pa.array(np.strings.add("H", np.strings.zfill((people.household + 1).astype(str), 7)),
                                     pa.string()),
            "first_name": pa.array(people.first, pa.string()),
            "last_name": pa.array(people.last, pa.string()),
            "nickname": pa.array(np.where(people.nickname == "", None, people.nickname), pa.string()),
            "email": pa.array(people.email, pa.string()),
            "phone_e164": pa.array(people.phone_e164, pa.string()),
            "date_of_birth": pa.array(people.date_of_birth, pa.string()),
            "street_address": pa.array(people.street, pa.string()),
            "address_line2": pa.array(np.where(people.line2 == "", None, people.line2), pa.string()),
            "city": pa.array(people.city, pa.string()),
            "postcode": pa.array(people.postcode, pa.string()),
            "region": pa.array(people.region, pa.string()),
            "country": pa.array(people.country, pa.string()),
            "user_id": pa.array(world.user_id, pa.string()),
            "account_id": pa.array(np.where(employer >= 0, accounts.account_id[np.maximum(employer, 0)], None),
                                   pa.string()),
            "work_email": pa.array(world.work_email(), pa.string()),
        }
    )


def _write_truth(folder: Path, landing: Landing, world: World) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    records, faults = landing.truth_tables(world.people.person_id)
    pq.write_table(persons_table(world.people, world), folder / "persons.parquet")
    pq.write_table(records, folder / "source_records.parquet")
    pq.write_table(faults, folder / "injected_faults.parquet")


__all__ = ["SOURCE_NAMES", "generate"]
