"""The landing-zone generator: deterministic, complete, honest about its faults, and messy on purpose.

Files are read back independently of the generator (json, csv, pyarrow) and checked against the ground truth.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cdp.generate import SOURCE_NAMES, generate

AS_OF = date(2026, 11, 2)
CUSTOMERS = 500
DATA_SUFFIXES = {".jsonl", ".csv", ".parquet"}
ARRIVAL = {"sent_at", "received_at"}  # delivery metadata: a redelivery arrives later

CONTRACT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # folder: (required, optional)
    "web_events": (("message_id", "type", "timestamp"),
                   ("event", "anonymous_id", "user_id", "context", "properties", "traits")),
    "mobile_events": (("message_id", "type", "timestamp"),
                      ("event", "anonymous_id", "user_id", "context", "properties", "traits")),
    "crm_contacts": (("contact_id",),
                     ("source_system", "first_name", "last_name", "email", "phone", "date_of_birth", "street_address",
                      "address_line2", "city", "postcode", "region", "country", "account_id", "job_title",
                      "created_at", "updated_at")),
    "shop_customers": (("shop_customer_id",),
                       ("email", "phone", "first_name", "last_name", "created_at", "updated_at", "accepts_marketing")),
    "orders": (("order_id", "ordered_at"),
               ("shop_customer_id", "email", "phone", "loyalty_id", "channel", "store_id", "status", "currency",
                "order_total")),
    "order_items": (("order_id", "line_number", "sku"), ("quantity", "unit_price", "discount")),
    "pos_transactions": (("transaction_id", "transacted_at"),
                         ("store_id", "loyalty_id", "card_fingerprint", "sku", "quantity", "amount")),
    "loyalty_members": (("loyalty_id",),
                        ("email", "phone", "first_name", "last_name", "date_of_birth", "postcode", "tier",
                         "points_balance", "enrolled_at", "updated_at")),
    "email_events": (("event_id", "email", "event_type", "occurred_at"), ("campaign_id", "url")),
    "support_tickets": (("ticket_id", "opened_at"),
                        ("channel", "email", "phone", "order_id", "closed_at", "topic", "csat", "transcript")),
    "survey_responses": (("response_id", "submitted_at"), ("email", "nps", "answers", "comment")),
    "erp_products": (("sku",), ("product_name", "category", "unit_cost", "list_price", "is_active")),
    "erp_inventory": (("sku", "location_id", "snapshot_at"), ("on_hand", "on_order", "fulfillment_days")),
    "b2b_accounts": (("account_id",), ("account_name", "domain", "industry", "employee_count")),
    "b2b_memberships": (("account_id",), ("contact_id", "email", "role", "started_at", "ended_at")),
    "consent_events": (("consent_event_id", "subject_type", "subject_id", "purpose", "status", "captured_at"),
                       ("context", "legal_basis", "source_system", "proof_ref")),
    "privacy_requests": (("request_id", "subject_type", "subject_id", "request_type", "received_at"), ()),
}
TIMESTAMP_FIELDS = {"timestamp", "occurred_at", "ordered_at", "opened_at", "closed_at", "submitted_at",
                    "captured_at", "received_at", "created_at", "updated_at", "enrolled_at", "transacted_at"}
DATE_FIELDS = {"date_of_birth", "started_at", "ended_at"}
NUMBER_FIELDS = {"order_total", "quantity", "unit_price", "discount", "nps", "csat", "points_balance",
                 "employee_count", "unit_cost", "list_price", "line_number", "amount"}
PHONE_FORMATS = (
    r"\(\d{3}\) \d{3}-\d{4}", r"\d{3}-\d{3}-\d{4}", r"\d{3}\.\d{3}\.\d{4}", r"\d{10}", r"\+1 \d{3} \d{3} \d{4}",
    r"\+1\d{10}", r"001 \d{3} \d{3} \d{4}", r"1-\d{3}-\d{3}-\d{4}", r"\+44 \d{4} \d{6}", r"0044 \d{4} \d{6}",
    r"\+44\d{10}",
)


# --- reading the landing zone back, without the generator's help -------------------------------------------


def read_rows(path: Path) -> tuple[list[str] | None, list[tuple[int, Any]]]:
    """(csv header or None, [(line, row)]): row is a dict (jsonl: None when the line does not parse; parquet)
    or a list of cells (csv). Lines are numbered as the contract says."""
    if path.suffix == ".jsonl":
        rows = []
        for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            if raw.strip():
                try:
                    rows.append((number, json.loads(raw)))
                except ValueError:
                    rows.append((number, None))
        return None, rows
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            return header, [(reader.line_num, row) for row in reader]
    table = pq.read_table(path)
    return None, [(i, row) for i, row in enumerate(table.to_pylist(), start=1)]


def as_dicts(header: list[str] | None, rows: list[tuple[int, Any]]) -> list[tuple[int, dict]]:
    """Rows as dicts (csv rows of the right width only; unparseable JSON lines left out)."""
    if header is None:
        return [(n, r) for n, r in rows if r is not None]
    return [(n, dict(zip(header, r, strict=True))) for n, r in rows if len(r) == len(header)]


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("zone") / "landing"
    counts = generate(out, CUSTOMERS, seed=7, as_of=AS_OF, progress=False)
    truth = out.parent / "truth"
    files = {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*")) if p.is_file()}
    faults = pq.read_table(truth / "injected_faults.parquet").to_pylist()
    whole_file = {f["file"] for f in faults if f["line"] == 0}
    read = {rel: read_rows(p) for rel, p in files.items() if rel not in whole_file}
    return {
        "out": out,
        "counts": counts,
        "files": files,
        "read": read,
        "records": pq.read_table(truth / "source_records.parquet").to_pylist(),
        "faults": faults,
        "persons": pq.read_table(truth / "persons.parquet").to_pylist(),
    }


def rows_of(zone: dict[str, Any], source: str) -> list[tuple[str, int, dict]]:
    """(file, line, row as dict) of every readable row of a source, in file order."""
    out = []
    for rel, (header, rows) in zone["read"].items():
        if rel.startswith(source + "/"):
            out.extend((rel, n, r) for n, r in as_dicts(header, rows))
    return out


def person_of(zone: dict[str, Any]) -> dict[tuple[str, int], str | None]:
    return {(r["file"], r["line"]): r["person_id"] for r in zone["records"]}


def parse_ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def try_ts(value: Any) -> datetime | None:
    """The instant of a timestamp value, None when it does not parse (an injected fault)."""
    if isinstance(value, datetime):
        return value
    try:
        return parse_ts(value)
    except (TypeError, ValueError):
        return None


def mailbox(raw: str) -> str:
    local, _, domain = raw.strip().lower().partition("@")
    return local.split("+", 1)[0] + "@" + domain


def nested(row: dict, path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if isinstance(value, str) and part != path:
            value = json.loads(value)  # parquet batches hold nested objects as JSON text
        if not isinstance(value, dict) or part not in value:
            return KeyError
        value = value[part]
    return value


# --- determinism -----------------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name / "landing", 200, seed=seed, as_of=AS_OF, progress=False)
    first, again, other = (_snapshot(tmp_path / name) for name in "abc")
    assert first == again
    assert len(first) > 3 * len(SOURCE_NAMES)
    assert set(first) == set(other)
    changed = [name for name in first if first[name] != other[name]]
    assert len(changed) >= len(first) - 2  # only the static notes file may match


def test_progress_prints_one_line_per_source_to_stderr_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(tmp_path / "quiet" / "landing", 150, seed=1, as_of=AS_OF, progress=False)
    quiet = capsys.readouterr()
    generate(tmp_path / "loud" / "landing", 150, seed=1, as_of=AS_OF, progress=True)
    loud = capsys.readouterr()
    assert quiet.out == quiet.err == loud.out == ""
    lines = loud.err.strip().splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(SOURCE_NAMES)
    assert all(line.rstrip().endswith("s") and "rows" in line for line in lines)


def test_a_new_run_replaces_earlier_batch_files_and_keeps_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    generate(out, 150, seed=1, as_of=date(2026, 6, 1), progress=False)
    foreign = out / "orders" / "my_own_upload.csv"
    foreign.write_text("order_id,ordered_at\n", encoding="utf-8")
    generate(out, 150, seed=1, as_of=AS_OF, progress=False)
    names = {p.name for p in out.rglob("*") if p.is_file()}
    assert foreign.exists()
    assert not any("_202605" in n for n in names)  # the batches of the first run are gone
    recorded = set(pq.read_table(tmp_path / "truth" / "source_records.parquet").column("file").to_pylist())
    assert {p.relative_to(out).as_posix() for p in out.rglob("*.jsonl")} <= recorded


def test_too_few_customers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(tmp_path / "landing", 10, progress=False)


# --- shape: folders, files, columns ---------------------------------------------------------------------


def test_every_contract_folder_has_at_least_two_batch_files_named_once(zone: dict[str, Any]) -> None:
    assert set(SOURCE_NAMES) == set(CONTRACT)
    pattern = re.compile(r"^(?P<source>[a-z_0-9]+?)_(?P<seq>\d{4})_(?P<day>\d{8})\.(jsonl|csv|parquet)$")
    for source in CONTRACT:
        batches = [p for rel, p in zone["files"].items() if rel.startswith(source + "/") and p.suffix in DATA_SUFFIXES]
        assert len(batches) >= 2, source
        seqs = []
        for path in batches:
            match = pattern.match(path.name)
            assert match and match["source"] == source, path.name
            seqs.append(match["seq"])
            assert date(2025, 9, 1) <= datetime.strptime(match["day"], "%Y%m%d").date() < AS_OF
        assert len(seqs) == len(set(seqs)), source


def test_csv_files_are_utf8_with_a_header_and_one_physical_line_per_row(zone: dict[str, Any]) -> None:
    quoted = 0
    for rel, (header, rows) in zone["read"].items():
        if header is None:
            continue
        data = zone["files"][rel].read_bytes()
        data.decode("utf-8")
        assert data.count(b"\n") == len(rows) + 1 and b"\r" not in data, rel
        assert [n for n, _ in rows] == list(range(2, len(rows) + 2)), rel
        quoted += data.count(b'""') + data.count(b',"')
    assert quoted > 0  # commas and quotes inside values are quoted, RFC 4180 style


def test_each_format_is_used_where_the_layout_says(zone: dict[str, Any]) -> None:
    suffixes: dict[str, set[str]] = defaultdict(set)
    for rel, path in zone["files"].items():
        suffixes[rel.split("/")[0]].add(path.suffix)
    expected = {
        "web_events": {".jsonl"}, "mobile_events": {".jsonl", ".parquet"}, "shop_customers": {".jsonl"},
        "email_events": {".jsonl"}, "support_tickets": {".jsonl"}, "survey_responses": {".jsonl"},
        "consent_events": {".jsonl", ".csv"}, "crm_contacts": {".csv", ".txt"}, "orders": {".csv", ".parquet"},
        "order_items": {".csv"}, "loyalty_members": {".csv"}, "erp_products": {".csv"}, "b2b_accounts": {".csv"},
        "b2b_memberships": {".csv"}, "privacy_requests": {".csv"}, "pos_transactions": {".parquet"},
        "erp_inventory": {".parquet"},
    }
    assert dict(suffixes) == expected


def test_every_folder_carries_the_contract_columns(zone: dict[str, Any]) -> None:
    for source, (required, optional) in CONTRACT.items():
        seen: set[str] = set()
        for rel, (header, rows) in zone["read"].items():
            if not rel.startswith(source + "/") or not rel.endswith(tuple(DATA_SUFFIXES)):
                continue
            if header is not None:
                assert set(required) <= set(header), rel
                seen |= set(header)
            else:
                for _, row in rows:
                    if row is not None:
                        seen |= set(row)
        assert set(required) | set(optional) <= seen, (source, set(required) | set(optional) - seen)


def test_event_objects_have_the_segment_shape(zone: dict[str, Any]) -> None:
    web = [r for _, _, r in rows_of(zone, "web_events")]
    assert {r["type"] for r in web} == {"page", "track", "identify"}
    for path in ("context.ip", "context.user_agent", "context.locale", "context.page.url", "context.page.path",
                 "context.page.referrer", "context.page.title", "context.campaign.source",
                 "context.campaign.medium", "context.campaign.name", "traits.email", "traits.phone",
                 "traits.first_name", "traits.last_name"):
        assert any(nested(r, path) is not KeyError for r in web), path
    mobile = [r for _, _, r in rows_of(zone, "mobile_events")]
    assert {r["type"] for r in mobile if r.get("type")} >= {"screen", "track", "identify"}
    for path in ("context.device.id", "context.device.advertising_id", "context.device.type", "context.app.name",
                 "context.app.version"):
        assert any(nested(r, path) is not KeyError for r in mobile), path
    extras = {k for r in web + mobile for k in r} - set(CONTRACT["web_events"][0]) - set(CONTRACT["web_events"][1])
    assert {"sent_at", "received_at"} <= extras


def test_some_batches_carry_extra_columns_to_keep(zone: dict[str, Any]) -> None:
    headers = [h for rel, (h, _) in zone["read"].items() if rel.startswith("crm_contacts/") and h]
    assert any("lead_source" in h for h in headers) and any("lead_source" not in h for h in headers)


def test_timestamps_come_with_z_with_an_offset_and_without_offset(zone: dict[str, Any]) -> None:
    stamps = [r["timestamp"] for _, _, r in rows_of(zone, "web_events") if isinstance(r.get("timestamp"), str)]
    assert sum(s.endswith("Z") for s in stamps) > 0.8 * len(stamps)
    assert any(re.search(r"[+-]\d\d:\d\d$", s) for s in stamps)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", s) for s in stamps)


def test_all_activity_lies_in_the_400_days_before_as_of(zone: dict[str, Any]) -> None:
    start = datetime(2026, 11, 2, tzinfo=UTC) - timedelta(days=400)
    end = datetime(2026, 11, 2, tzinfo=UTC)
    checked = 0
    for source, field in (("web_events", "timestamp"), ("email_events", "occurred_at"), ("orders", "ordered_at"),
                          ("consent_events", "captured_at"), ("crm_contacts", "updated_at")):
        for _, _, row in rows_of(zone, source):
            when = try_ts(row.get(field))
            if when is not None:
                assert start <= when < end, (source, row.get(field))
                checked += 1
    assert checked > 5_000
    newest = max(filter(None, (try_ts(r.get("timestamp")) for _, _, r in rows_of(zone, "web_events"))))
    assert newest >= end - timedelta(days=1)


def test_volumes_follow_the_per_customer_averages(zone: dict[str, Any]) -> None:
    counts = zone["counts"]
    events = counts["web_events"] + counts["mobile_events"] + counts["email_events"]
    assert 19 * CUSTOMERS <= events <= 23 * CUSTOMERS
    assert 1.3 * CUSTOMERS <= counts["orders"] <= 1.7 * CUSTOMERS
    assert 1.9 <= counts["order_items"] / counts["orders"] <= 2.5
    assert counts["erp_products"] >= min(3000, CUSTOMERS // 20) + 50
    assert counts["erp_inventory"] >= 3 * 5 * (CUSTOMERS // 20)
    assert counts["b2b_accounts"] >= max(5, CUSTOMERS // 50)
    assert counts["privacy_requests"] >= 2


# --- truth: every row accounted for, every fault real ---------------------------------------------------


def test_every_data_row_is_in_source_records_or_injected_faults(zone: dict[str, Any]) -> None:
    known: dict[str, set[int]] = defaultdict(set)
    for r in zone["records"]:
        known[r["file"]].add(r["line"])
    for f in zone["faults"]:
        known[f["file"]].add(f["line"])
    for rel, (_, rows) in zone["read"].items():
        lines = {n for n, _ in rows}
        assert lines == known[rel] - {0}, rel
    per_source: dict[str, int] = defaultdict(int)
    for r in zone["records"]:
        per_source[r["source"]] += 1
    assert per_source == zone["counts"]
    people = {p["person_id"] for p in zone["persons"]}
    assert {r["person_id"] for r in zone["records"]} - {None} <= people
    assert len(people) == CUSTOMERS


def test_rows_about_people_name_a_person_and_reference_rows_do_not(zone: dict[str, Any]) -> None:
    unowned = {r["source"] for r in zone["records"] if r["person_id"] is None}
    assert unowned == {"erp_products", "erp_inventory", "b2b_accounts"}


def test_record_keys_match_the_natural_key_in_the_file(zone: dict[str, Any]) -> None:
    keys = {(r["file"], r["line"]): r["record_key"] for r in zone["records"]}
    broken = {(f["file"], f["line"]) for f in zone["faults"] if f["fault"] != "duplicate_delivery"}
    key_field = {"web_events": "message_id", "email_events": "event_id", "orders": "order_id",
                 "crm_contacts": "contact_id", "pos_transactions": "transaction_id", "consent_events":
                 "consent_event_id", "loyalty_members": "loyalty_id", "shop_customers": "shop_customer_id"}
    checked = 0
    for source, field in key_field.items():
        for rel, line, row in rows_of(zone, source):
            if (rel, line) not in broken:
                assert str(row[field]) == keys[(rel, line)]
                checked += 1
    assert checked > 10_000


def _is_parseable(field: str, value: Any) -> bool:
    if value is None or value == "":
        return False
    if field in TIMESTAMP_FIELDS:
        if isinstance(value, datetime):
            return True
        try:
            datetime.fromisoformat(value)
            return True
        except ValueError:
            return False
    if field in DATE_FIELDS:
        try:
            date.fromisoformat(value)
            return True
        except ValueError:
            return False
    if field in NUMBER_FIELDS:
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return True
        return re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
    if field.endswith("phone"):
        return re.fullmatch(r"[+\d][\d ().-]*", value) is not None
    if field == "accepts_marketing":
        return isinstance(value, bool)
    return True


def test_injected_faults_really_are_faulty_at_their_file_and_line(zone: dict[str, Any]) -> None:
    by_line = {rel: dict(rows) for rel, (_, rows) in zone["read"].items()}
    headers = {rel: header for rel, (header, _) in zone["read"].items()}
    kinds = defaultdict(int)
    for f in zone["faults"]:
        kinds[f["fault"]] += 1
        path = zone["files"][f["file"]]
        if f["fault"] == "unreadable_file":
            with pytest.raises(Exception):  # noqa: B017 - any reader error will do
                pq.read_table(path)
            continue
        if f["fault"] == "unsupported_file":
            assert path.suffix not in DATA_SUFFIXES
            continue
        if f["fault"] == "duplicate_delivery":
            continue
        row = by_line[f["file"]][f["line"]]
        header = headers[f["file"]]
        if f["fault"] == "broken_json":
            assert row is None
            raw = path.read_bytes().split(b"\n")[f["line"] - 1]
            with pytest.raises(ValueError):
                json.loads(raw)
            continue
        if f["fault"] == "wrong_column_count":
            assert len(row) != len(header)
            continue
        value = row[header.index(f["field"])] if header else nested(row, f["field"])
        if f["fault"] == "missing_required":
            assert value in (KeyError, None, ""), f
        else:
            assert value not in (KeyError, None, ""), f
            assert not _is_parseable(f["field"].split(".")[-1], value), f
    assert set(kinds) == {"broken_json", "missing_required", "invalid_required", "invalid_optional",
                          "wrong_column_count", "duplicate_delivery", "unreadable_file", "unsupported_file"}


def test_each_source_has_at_least_two_malformed_rows(zone: dict[str, Any]) -> None:
    malformed = defaultdict(int)
    for f in zone["faults"]:
        if f["line"] > 0 and f["fault"] != "duplicate_delivery":
            malformed[f["source"]] += 1
    assert all(malformed[s] >= 2 for s in SOURCE_NAMES), dict(malformed)
    rows = sum(zone["counts"].values())
    assert sum(malformed.values()) < 0.01 * rows


def test_duplicate_deliveries_repeat_an_id_of_an_earlier_file(zone: dict[str, Any]) -> None:
    records = zone["records"]
    first_file: dict[tuple[str, str], str] = {}
    for r in sorted(records, key=lambda r: (r["file"], r["line"])):
        first_file.setdefault((r["source"], r["record_key"]), r["file"])
    key_at = {(r["file"], r["line"]): (r["source"], r["record_key"]) for r in records}
    dups = [f for f in zone["faults"] if f["fault"] == "duplicate_delivery"]
    assert {f["source"] for f in dups} == {"web_events", "mobile_events", "email_events"}
    for f in dups:
        key = key_at[(f["file"], f["line"])]
        assert first_file[key] < f["file"], f
    web = {(rel, line): row for rel, line, row in rows_of(zone, "web_events")}
    for f in dups:
        if f["source"] == "web_events":
            source, key = key_at[(f["file"], f["line"])]
            original = next(r for r in records if r["file"] == first_file[(source, key)] and r["record_key"] == key)
            copy, first = web[(f["file"], f["line"])], web[(original["file"], original["line"])]
            assert {k: v for k, v in copy.items() if k not in ARRIVAL} == {
                k: v for k, v in first.items() if k not in ARRIVAL}
            if "received_at" in copy and "received_at" in first:
                assert copy["received_at"] > first["received_at"]


# --- the mess the platform must untangle ----------------------------------------------------------------


def _raw_emails(zone: dict[str, Any]) -> dict[str, set[str]]:
    owner = person_of(zone)
    out: dict[str, set[str]] = defaultdict(set)
    for source in ("crm_contacts", "shop_customers", "loyalty_members", "orders", "email_events", "support_tickets"):
        for rel, line, row in rows_of(zone, source):
            value = row.get("email")
            if isinstance(value, str) and "@" in value and owner[(rel, line)]:
                out[owner[(rel, line)]].add(value)
    return out


def test_some_person_has_several_spellings_of_one_mailbox(zone: dict[str, Any]) -> None:
    several = 0
    for spellings in _raw_emails(zone).values():
        by_box = defaultdict(set)
        for raw in spellings:
            by_box[mailbox(raw)].add(raw)
        several += any(len(v) >= 2 for v in by_box.values())
    assert several >= 10
    all_raw = {raw for spellings in _raw_emails(zone).values() for raw in spellings}
    assert any(raw != raw.strip() for raw in all_raw)
    assert any("+" in raw.split("@")[0] for raw in all_raw)
    assert any(raw != raw.lower() for raw in all_raw)
    assert any(raw.endswith(("gmial.com", "yaho.com", "hotmial.com", "outlok.com")) for raw in all_raw)


def test_some_person_appears_under_a_nickname_or_a_typo(zone: dict[str, Any]) -> None:
    persons = {p["person_id"]: p for p in zone["persons"]}
    owner = person_of(zone)
    nick = typo = 0
    for source in ("crm_contacts", "shop_customers", "loyalty_members"):
        for rel, line, row in rows_of(zone, source):
            person = persons.get(owner[(rel, line)])
            first = row.get("first_name")
            if not person or not first:
                continue
            nick += person["nickname"] is not None and first == person["nickname"]
            typo += first.lower() != person["first_name"].lower() and first != person["nickname"]
    assert nick >= 5 and typo >= 5


def test_some_device_id_is_used_by_several_persons(zone: dict[str, Any]) -> None:
    owner = person_of(zone)
    users: dict[str, set[str]] = defaultdict(set)
    for rel, line, row in rows_of(zone, "mobile_events"):
        device = nested(row, "context.device.id")
        if device is not KeyError:
            users[device].add(owner[(rel, line)])
    assert sum(len(people) >= 2 for people in users.values()) >= 2


def test_some_anonymous_id_is_later_identified_with_a_user_id(zone: dict[str, Any]) -> None:
    seen: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
    for _, _, row in rows_of(zone, "web_events"):
        when = try_ts(row.get("timestamp"))
        if when is None:
            continue
        seen[row["anonymous_id"]].append((when, row.get("user_id") is not None))
    later_known = 0
    for events in seen.values():
        events.sort()
        flags = [known for _, known in events]
        later_known += (False in flags) and (True in flags[flags.index(False):])
    assert later_known >= 10
    identify = [r for _, _, r in rows_of(zone, "web_events") if r["type"] == "identify"]
    assert any(r["user_id"] is None and "email" in r["traits"] for r in identify)  # a newsletter form


def test_some_shared_store_card_is_used_by_several_persons(zone: dict[str, Any]) -> None:
    owner = person_of(zone)
    cards: dict[str, set[str]] = defaultdict(set)
    for rel, line, row in rows_of(zone, "pos_transactions"):
        for field in ("loyalty_id", "card_fingerprint"):
            if row.get(field):
                cards[f"{field}:{row[field]}"].add(owner[(rel, line)])
    assert sum(len(people) >= 2 for people in cards.values()) >= 2


def test_some_person_has_duplicate_crm_contacts_within_and_between_systems(zone: dict[str, Any]) -> None:
    owner = person_of(zone)
    systems: dict[str, list[str]] = defaultdict(list)
    ids: dict[str, set[str]] = defaultdict(set)
    for rel, line, row in rows_of(zone, "crm_contacts"):
        person = owner[(rel, line)]
        if row["contact_id"] not in ids[person]:
            ids[person].add(row["contact_id"])
            systems[person].append(row["source_system"])
    both = sum({"salesforce", "hubspot"} <= set(s) for s in systems.values())
    within = sum(len(s) > len(set(s)) for s in systems.values())
    assert both >= 0.05 * CUSTOMERS and within >= 2


def test_some_person_changed_employer(zone: dict[str, Any]) -> None:
    owner = person_of(zone)
    spans: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for rel, line, row in rows_of(zone, "b2b_memberships"):
        spans[owner[(rel, line)]].add((row["email"].lower().split("@")[-1], "ended" if row["ended_at"] else "current"))
    movers = [s for s in spans.values() if {k for _, k in s} == {"ended", "current"} and len({d for d, _ in s}) >= 2]
    assert movers


def test_consent_is_withdrawn_after_a_grant_and_an_old_grant_lands_late(zone: dict[str, Any]) -> None:
    events: dict[tuple[str, str, str], list[tuple[datetime, str, str]]] = defaultdict(list)
    for rel, _, row in rows_of(zone, "consent_events"):
        when = try_ts(row["captured_at"])
        if when is None:
            continue
        subject = row["subject_id"].strip().lower() if row["subject_type"] == "email" else row["subject_id"]
        events[(row["subject_type"], subject, row["purpose"])].append((when, row["status"], rel))
    withdrawn_after_grant = late_old_grant = 0
    for history in events.values():
        for when, status, rel in history:
            if status != "withdrawn":
                continue
            grants = [(w, r) for w, s, r in history if s == "granted" and w < when]
            withdrawn_after_grant += bool(grants)
            late_old_grant += any(r > rel for _, r in grants)
    assert withdrawn_after_grant >= 5
    assert late_old_grant >= 1


def test_email_events_include_unsubscribes_complaints_and_hard_bounces(zone: dict[str, Any]) -> None:
    kinds = {row["event_type"] for _, _, row in rows_of(zone, "email_events") if "event_type" in row}
    assert {"sent", "delivered", "open", "click", "bounce_hard", "unsubscribe", "complaint"} <= kinds


def test_phones_appear_in_at_least_four_formats(zone: dict[str, Any]) -> None:
    formats: set[int] = set()
    for source in ("crm_contacts", "shop_customers", "loyalty_members", "orders", "support_tickets"):
        for _, _, row in rows_of(zone, source):
            value = row.get("phone")
            for i, pattern in enumerate(PHONE_FORMATS):
                if isinstance(value, str) and re.fullmatch(pattern, value):
                    formats.add(i)
    assert len(formats) >= 8
    assert formats & {8, 9, 10}  # UK numbers, always international


def test_junk_identifiers_appear_on_a_few_records(zone: dict[str, Any]) -> None:
    values = {row.get(k) for source in ("crm_contacts", "shop_customers", "loyalty_members", "orders")
              for _, _, row in rows_of(zone, source) for k in ("email", "phone")}
    assert values & {"test@test.com", "0000000000", "unknown", "noemail@example.com", "1234567890"}


def test_late_events_land_in_a_file_after_their_time(zone: dict[str, Any]) -> None:
    by_file: dict[str, list[datetime]] = defaultdict(list)
    for rel, _, row in rows_of(zone, "mobile_events"):
        when = try_ts(row.get("timestamp"))
        if when is not None:
            by_file[rel].append(when)
    files = sorted(by_file)
    late = 0
    for previous, current in itertools.pairwise(files):
        newest_before = max(by_file[previous])
        late += sum(when < newest_before - timedelta(days=2) for when in by_file[current])
    assert late >= 3
    out_of_order = sum(a > b for a, b in itertools.pairwise(by_file[files[-1]]))
    assert out_of_order >= 1


def test_privacy_requests_name_an_identifier_of_the_person(zone: dict[str, Any]) -> None:
    owner = person_of(zone)
    identifiers: dict[str, set[str]] = defaultdict(set)
    for source in SOURCE_NAMES:
        for rel, line, row in rows_of(zone, source):
            for value in row.values():
                if isinstance(value, str):
                    identifiers[owner.get((rel, line))].add(value.strip().lower())
    persons = {p["person_id"]: p for p in zone["persons"]}
    requests = rows_of(zone, "privacy_requests")
    matched = 0
    for rel, line, row in requests:
        person = owner[(rel, line)]
        value = row["subject_id"].strip().lower()
        digits = re.sub(r"\D", "", value)
        matched += value in identifiers[person] or (digits and persons[person]["phone_e164"].endswith(digits[-10:]))
    assert matched >= len(requests) - 2  # two may carry an injected fault
    assert {row["request_type"] for _, _, row in requests} <= {"erasure", "access", "do_not_sell"}
