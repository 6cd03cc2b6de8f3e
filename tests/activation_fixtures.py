"""Helpers for the activation tests: a tiny hand-made warehouse, a real HTTP webhook receiver, a real PostgreSQL
server started for the session, and a sync run in a child process that can be killed halfway (a crash)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb

from cdp.activation.compiler import compile_sql
from cdp.activation.config import ActivationConfig, load_config

CUSTOMER_360_DDL = """
create or replace table main.customer_360 (
    customer_id varchar, first_name varchar, last_name varchar, email varchar, phone varchar, work_email varchar,
    engagement_score double, orders_count integer, last_cart_add_at timestamp, churn_risk double
)"""
CONSENT_DDL = """
create or replace table main.consent_current (
    customer_id varchar, purpose varchar, consent_context varchar, consent_status varchar, is_granted boolean,
    granted_addresses varchar[]
)"""
SUPPRESSIONS_DDL = """
create or replace table main.suppressions (
    customer_id varchar, suppression_scope varchar, identifier_type varchar, identifier_value varchar,
    reason varchar, is_active boolean
)"""
QUALITY_DDL = """
create schema if not exists quality;
create or replace table quality.check_results (
    run_id varchar, checked_at timestamp, suite varchar, check_name varchar, subject varchar,
    is_blocking boolean, status varchar, observed double, metric double, message varchar
)"""

AUDIENCES = {
    "engaged.yml": """
audience: engaged
description: Engaged customers, for the email tool, the service desk.
purpose: email_marketing
traits:
  - [engagement_score, '>=', 50]
destinations:
  - destination: hook
    fields: {email: email, first_name: first_name, score: engagement_score}
  - destination: desk
    fields: {first_name: first_name, email: email}
""",
    "ads.yml": """
audience: ads
description: Everyone who ordered, for advertising.
purpose: advertising
traits:
  - [orders_count, '>=', 1]
destinations:
  - destination: google
    fields: {email: email, phone: phone}
""",
}
DESTINATIONS = {
    "hook.yml": """
destination: hook
type: webhook
url_env: TEST_WEBHOOK_URL
auth_header_env: TEST_WEBHOOK_AUTH
batch_size: 2
max_attempts: 6
backoff_seconds: 0.01
""",
    "desk.yml": """
destination: desk
type: postgres
dsn_env: TEST_DESK_DSN
table: follow_ups
batch_size: 3
max_attempts: 2
backoff_seconds: 0.01
""",
    "google.yml": """
destination: google
type: customer_match_file
layout: google
purpose: advertising
batch_size: 100
""",
}


def write_config(root: Path, audiences: dict[str, str] | None = None,
                 destinations: dict[str, str] | None = None) -> ActivationConfig:
    (root / "audiences").mkdir(parents=True, exist_ok=True)
    (root / "destinations").mkdir(parents=True, exist_ok=True)
    for name, text in (audiences or AUDIENCES).items():
        (root / "audiences" / name).write_text(text)
    for name, text in (destinations or DESTINATIONS).items():
        (root / "destinations" / name).write_text(text)
    return load_config(root / "audiences", root / "destinations")


def person(n: int, **overrides: Any) -> dict[str, Any]:
    base = {"customer_id": f"cus_{n:04d}", "first_name": f"First{n}", "last_name": f"Last{n}",
            "email": f"person.{n}@gmail.com", "phone": f"+1415555{n:04d}", "work_email": None,
            "engagement_score": 60.0 + n, "orders_count": 1, "last_cart_add_at": None, "churn_risk": None}
    return {**base, **overrides}


def grant(customer: dict[str, Any], purpose: str, context: str = "personal") -> dict[str, Any]:
    address = customer["email"].lower() if purpose == "email_marketing" else None
    return {"customer_id": customer["customer_id"], "purpose": purpose, "consent_context": context,
            "consent_status": "granted", "is_granted": True, "granted_addresses": [address] if address else None}


class Warehouse:
    """A warehouse with just what activation reads: customer_360, consent_current, suppressions, check results,
    and audience_membership compiled from the test's audiences."""

    def __init__(self, path: Path, config: ActivationConfig) -> None:
        self.path = path
        self.config = config
        with self.connect() as con:
            for ddl in (CUSTOMER_360_DDL, CONSENT_DDL, SUPPRESSIONS_DDL, QUALITY_DDL):
                con.execute(ddl)
            con.execute("insert into quality.check_results values ('r1', now()::timestamp, 'value', "
                        "'audience_sizes', null, true, 'passed', null, null, 'ok')")

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def load(self, customers: list[dict], consents: list[dict], suppressions: list[dict] | None = None) -> None:
        with self.connect() as con:
            con.execute("delete from main.customer_360")
            con.execute("delete from main.consent_current")
            con.execute("delete from main.suppressions")
            for c in customers:
                con.execute(f"insert into main.customer_360 ({', '.join(c)}) values ({', '.join('?' for _ in c)})",
                            list(c.values()))
            for g in consents:
                con.execute("insert into main.consent_current by name select ? as customer_id, ? as purpose, "
                            "? as consent_context, ? as consent_status, ? as is_granted, "
                            "?::varchar[] as granted_addresses",
                            [g["customer_id"], g["purpose"], g["consent_context"], g["consent_status"],
                             g["is_granted"], g["granted_addresses"]])
            for s in suppressions or []:
                con.execute("insert into main.suppressions by name select ? as customer_id, ? as suppression_scope, "
                            "? as identifier_type, ? as identifier_value, ? as reason, true as is_active",
                            [s.get("customer_id"), s["suppression_scope"], s.get("identifier_type"),
                             s.get("identifier_value"), s.get("reason", "unsubscribe")])
            sql = compile_sql(self.config.audiences, {"customers": "main.customer_360"}, header=False)
            con.execute(f"create or replace table main.audience_membership as {sql}")

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@dataclass
class Receiver:
    """What the webhook receiver saw and did: every request, and each record applied once per idempotency key."""

    requests: list[dict] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)  # idempotency key -> times applied (must stay 1)
    members: dict[str, dict] = field(default_factory=dict)  # (audience/customer_id) -> fields, the receiver's list
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # answers to give first
    reject: dict[str, str] = field(default_factory=dict)  # customer_id -> reason to reject with
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r.get("body")]

    def records(self, status: int | None = 200) -> list[dict]:
        return [rec for r in self.requests if status is None or r["status"] == status
                for rec in r["body"]["records"]]


def start_webhook() -> tuple[ThreadingHTTPServer, Receiver, str]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with receiver.lock:
                status, headers = receiver.script.pop(0) if receiver.script else (200, {})
                receiver.requests.append({"status": status, "body": body, "auth": self.headers.get("Authorization"),
                                          "batch_key": self.headers.get("Idempotency-Key")})
                answer: dict[str, Any] = {}
                if status == 200:
                    rejected = []
                    for rec in body["records"]:
                        if rec["customer_id"] in receiver.reject:
                            rejected.append({"idempotency_key": rec["idempotency_key"],
                                             "reason": receiver.reject[rec["customer_id"]]})
                            continue
                        key = rec["idempotency_key"]
                        if key in receiver.applied:  # a repeat after a crash: acknowledged, not applied again
                            continue
                        receiver.applied[key] = 1
                        member = f"{body['audience']}/{rec['customer_id']}"
                        if rec["op"] == "remove":
                            receiver.members.pop(member, None)
                        else:
                            receiver.members[member] = rec["fields"]
                    answer = {"rejected": rejected}
            data = json.dumps(answer).encode()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, receiver, f"http://127.0.0.1:{server.server_address[1]}/cdp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                    if p.parent.parent.name.isdigit() else 0)
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH): "
                       "install them (`apt-get install -y postgresql`; .ci/run does) to run the PostgreSQL tests")


@dataclass
class Postgres:
    dsn: str
    directory: Path
    process: subprocess.Popen


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start_postgres() -> Postgres:
    """initdb in a fresh temporary directory, then a server on a free local port (trust auth), as the
    `postgres` user when running as root (the server refuses to run as root)."""
    bin_dir = postgres_bin()
    directory = Path(tempfile.mkdtemp(prefix="cdp-activation-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "cdp", "--auth=trust",
                                 "-E", "UTF8"]), check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        _as_postgres([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(directory),
                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    dsn = f"postgresql://cdp@127.0.0.1:{port}/postgres"
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(dsn).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"PostgreSQL did not start on port {port}") from None
            time.sleep(0.2)
    return Postgres(dsn, directory, process)


def stop_postgres(pg: Postgres) -> None:
    pg.process.terminate()
    try:
        pg.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pg.process.kill()
    shutil.rmtree(pg.directory, ignore_errors=True)


def postgres_session() -> Iterator[Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        stop_postgres(pg)


def crashing_sync(warehouse: str, outbox: str, config_root: str, env: dict[str, str], crash_at: tuple[str, int],
                  only: list[str]) -> None:
    """Runs a sync in this (child) process and kills the process, with no cleanup, at `crash_at`: ("sent", n)
    is after batch n was delivered and before its commit, ("committed", n) after its commit."""
    from cdp.activation.sync import activate

    def hook(point: str, batch: int) -> None:
        if (point, batch) == crash_at:
            os._exit(17)

    config = load_config(Path(config_root) / "audiences", Path(config_root) / "destinations")
    activate(Path(warehouse), Path(outbox), env, config=config, only=only, sleep=lambda s: None, hook=hook)
    os._exit(0)
