"""Times `cdp.generate.generate` into a temporary folder.

    .venv/bin/python bench/generate_speed.py --customers 50000

Prints customers, events (web + mobile + email rows), rows (all sources), seconds and events per second.
The bar: >= 1,000,000 events (50,000 customers) in under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cdp.generate import generate

EVENT_SOURCES = ("web_events", "mobile_events", "email_events")


def measure(customers: int, seed: int, as_of: date, events_per_customer: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cdp-generate-") as tmp:
        started = time.perf_counter()
        rows = generate(Path(tmp) / "landing", customers, seed=seed, as_of=as_of,
                        events_per_customer=events_per_customer, progress=False)
        seconds = time.perf_counter() - started
    events = sum(rows[s] for s in EVENT_SOURCES)
    return {"customers": customers, "events": events, "rows": sum(rows.values()), "seconds": seconds,
            "events_per_s": events / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[50_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 2))
    parser.add_argument("--events-per-customer", type=float, default=20.0)
    args = parser.parse_args(argv)
    print(f"{'customers':>10} {'events':>10} {'rows':>10} {'seconds':>8} {'events/s':>10}")
    for customers in args.customers:
        m = measure(customers, args.seed, args.as_of, args.events_per_customer)
        print(f"{m['customers']:>10,} {m['events']:>10,} {m['rows']:>10,} {m['seconds']:>8.1f} "
              f"{m['events_per_s']:>10,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
