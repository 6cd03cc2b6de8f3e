"""cdp ingest: every landed row copied once, with its file and line, whatever its format or its faults."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cdp import landing
from cdp.landing import ingest, landing_sources

from .conftest import run_dbt


def rows(warehouse: Path, source: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select _file, _line, _record::varchar, _raw, _parse_error from landing.{source} order by _file, _line"
        ).fetchall()


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode())
    return path


def test_jsonl_lines_keep_their_physical_line_numbers_with_blank_lines_and_crlf(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "web_events" / "a.jsonl", '{"message_id":"m1"}\r\n\r\n{"message_id":"m3"}\r\n')
    write(land / "web_events" / "b.jsonl", '{"message_id":"m1"}\n\n\n{"message_id":"m4"}')
    ingest(land, wh, progress=False)
    got = [(f, line, rec) for f, line, rec, _, _ in rows(wh, "web_events")]
    assert got == [
        ("web_events/a.jsonl", 1, '{"message_id":"m1"}'),
        ("web_events/a.jsonl", 3, '{"message_id":"m3"}'),
        ("web_events/b.jsonl", 1, '{"message_id":"m1"}'),
        ("web_events/b.jsonl", 4, '{"message_id":"m4"}'),
    ]


def test_broken_json_line_keeps_its_text_and_reason_and_costs_only_itself(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "email_events" / "a.jsonl", '{"event_id":"e1"}\n{"event_id": "e2", \n[1, 2]\n{"event_id":"e4"}\n')
    ingest(land, wh, progress=False)
    got = rows(wh, "email_events")
    assert [g[1] for g in got] == [1, 2, 3, 4]
    assert got[1][2] is None and got[1][3] == '{"event_id": "e2", ' and "malformed JSON" in got[1][4]
    assert got[2][4] == "malformed JSON: the line is a JSON array, not an object"
    assert got[0][4] is None and got[3][4] is None


def test_csv_rows_are_numbered_by_their_first_line_and_wrong_field_counts_are_kept(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(
        land / "crm_contacts" / "a.csv",
        '\ufeffcontact_id,first_name,city\n'
        'c1,"Smith, Jo",Leeds\n'
        'c2,"multi\nline",York\n'
        '\n'
        'c3,Ann\n'
        'c4,Bob,Bath,extra\n'
        'c5,"He said ""hi""",Ely\n',
    )
    ingest(land, wh, progress=False)
    got = rows(wh, "crm_contacts")
    assert [g[1] for g in got] == [2, 3, 6, 7, 8]
    assert got[0][2] == '{"contact_id":"c1","first_name":"Smith, Jo","city":"Leeds"}'
    assert got[1][2] == '{"contact_id":"c2","first_name":"multi\\nline","city":"York"}'
    assert got[2][2] is None and got[2][3] == "c3,Ann"
    assert got[2][4] == "wrong number of fields: expected 3 (header), found 2"
    assert got[3][4] == "wrong number of fields: expected 3 (header), found 4"
    assert got[4][2] == '{"contact_id":"c5","first_name":"He said \\"hi\\"","city":"Ely"}'


def test_gzipped_csv_and_jsonl_are_read(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "orders" / "a.csv.gz", gzip.compress(b"order_id,ordered_at\no1,2026-01-01\n"))
    write(land / "orders" / "b.jsonl.gz", gzip.compress(b'{"order_id":"o2"}\n'))
    ingest(land, wh, progress=False)
    assert [(g[0], g[1], g[4]) for g in rows(wh, "orders")] == [
        ("orders/a.csv.gz", 2, None),
        ("orders/b.jsonl.gz", 1, None),
    ]


def test_parquet_rows_are_numbered_from_one_and_nested_values_become_json(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    (land / "pos_transactions").mkdir(parents=True)
    table = pa.table({"transaction_id": ["t1", "t2"], "quantity": [1, 2], "tags": [["a"], []]})
    pq.write_table(table, land / "pos_transactions" / "a.parquet")
    ingest(land, wh, progress=False)
    got = rows(wh, "pos_transactions")
    assert [(g[1], g[2]) for g in got] == [
        (1, '{"transaction_id":"t1","quantity":1,"tags":["a"]}'),
        (2, '{"transaction_id":"t2","quantity":2,"tags":[]}'),
    ]


def test_unreadable_and_unsupported_files_become_one_row_each_with_the_reason(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "erp_inventory" / "broken.parquet", b"not a parquet file" * 10)
    write(land / "erp_inventory" / "notes.txt", "hello")
    write(land / "erp_inventory" / "latin1.csv", "sku,location_id\nA\xe9,L1\n".encode("latin-1"))
    write(land / "erp_inventory" / ".hidden.csv", "sku\nx\n")
    write(land / "erp_inventory" / "_in_progress.csv", "sku\nx\n")
    ingest(land, wh, progress=False)
    got = {g[0]: g for g in rows(wh, "erp_inventory")}
    assert set(got) == {"erp_inventory/broken.parquet", "erp_inventory/notes.txt", "erp_inventory/latin1.csv"}
    assert got["erp_inventory/broken.parquet"][1] == 0
    assert got["erp_inventory/broken.parquet"][4].startswith("unreadable parquet file:")
    assert got["erp_inventory/notes.txt"][4].startswith("unsupported file type 'notes.txt'")
    assert got["erp_inventory/latin1.csv"][4].startswith("unreadable csv file:")
    with duckdb.connect(str(wh), read_only=True) as con:
        statuses = dict(con.execute("select file, status from landing._files").fetchall())
    assert statuses == {
        "erp_inventory/broken.parquet": "unreadable",
        "erp_inventory/notes.txt": "unsupported",
        "erp_inventory/latin1.csv": "unreadable",
    }


def test_a_file_is_copied_once_and_a_new_file_is_copied_on_the_next_ingest(tmp_path: Path) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "orders" / "a.csv", "order_id,ordered_at\no1,2026-01-01\n")
    first = {s.source: s for s in ingest(land, wh, progress=False)}
    again = {s.source: s for s in ingest(land, wh, progress=False)}
    write(land / "orders" / "b.csv", "order_id,ordered_at\no2,2026-01-02\n")
    third = {s.source: s for s in ingest(land, wh, progress=False)}
    assert (first["orders"].files, again["orders"].files, third["orders"].files) == (1, 0, 1)
    assert [g[0] for g in rows(wh, "orders")] == ["orders/a.csv", "orders/b.csv"]


def test_a_file_that_fails_halfway_leaves_no_rows_and_is_retried(tmp_path: Path, monkeypatch) -> None:
    land, wh = tmp_path / "landing", tmp_path / "w.duckdb"
    write(land / "orders" / "a.csv", "order_id,ordered_at\no1,2026-01-01\n")
    original = landing.ingest_file

    def crash_after_rows(con, source, path, rel, ingested_at):
        con.execute("begin transaction")
        landing._insert_csv(con, source, path, rel, {"ingested_at": ingested_at, "modified_at": ingested_at})
        raise KeyboardInterrupt("killed between the rows and the manifest")

    monkeypatch.setattr(landing, "ingest_file", crash_after_rows)
    with pytest.raises(KeyboardInterrupt):
        ingest(land, wh, progress=False)
    monkeypatch.setattr(landing, "ingest_file", original)
    assert rows(wh, "orders") == []
    ingest(land, wh, progress=False)
    assert [g[1] for g in rows(wh, "orders")] == [2]


def test_dbt_creates_the_same_landing_tables_as_cdp_ingest(tmp_path: Path) -> None:
    by_ingest, by_dbt = tmp_path / "ingest.duckdb", tmp_path / "dbt.duckdb"
    ingest(tmp_path / "no-landing", by_ingest, progress=False)
    run_dbt(["run-operation", "create_landing_tables"], by_dbt, tmp_path / "no-landing", tmp_path / "target")

    def shape(warehouse: Path) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                """
                select table_name, column_name, data_type, ordinal_position
                from information_schema.columns
                where table_schema = 'landing' and table_name <> '_files'
                order by all
                """
            ).fetchall()

    def ddl(warehouse: Path) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                "select table_name, sql from duckdb_tables() where schema_name = 'landing' and table_name <> '_files' order by all"
            ).fetchall()

    assert shape(by_dbt) == shape(by_ingest)
    assert {t for t, *_ in shape(by_dbt)} == set(landing_sources())
    # the same storage too: the landed text ZSTD-compressed (half the CPU of the default when copying)
    assert ddl(by_dbt) == ddl(by_ingest)
    assert all("_record JSON USING COMPRESSION ZSTD" in sql for _, sql in ddl(by_ingest))
