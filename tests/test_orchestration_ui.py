"""The Dagster UI, started as a person starts it, shows the platform: its GraphQL API lists the landing, staging,
mart and publish assets in their groups, and the schedules and sensors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

STARTUP_TIMEOUT_S = 90
ASSETS_QUERY = "{ assetNodes { assetKey { path } groupName } }"
LOAD_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""
AUTOMATION_QUERY = """
{ repositoriesOrError { ... on RepositoryConnection { nodes {
    schedules { name cronSchedule }
    sensors { name }
} } } }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`dagster-webserver -m orchestration.definitions` on a free port, with a temporary DAGSTER_HOME holding
    the project's instance config; stopped (its process group) when the tests are done."""
    tmp = tmp_path_factory.mktemp("dagster-ui")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CDP_LANDING_DIR": str(tmp / "landing"),
        "CDP_WAREHOUSE": str(tmp / "cdp.duckdb"),
        "CDP_OUTBOX_DIR": str(tmp / "outbox"),
    }
    log = (tmp / "webserver.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-webserver")), "-m", "orchestration.definitions",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {(tmp / 'webserver.log').read_text()[-4000:]}")
            try:
                for entry in graphql(port, LOAD_QUERY)["data"]["workspaceOrError"]["locationEntries"]:
                    error = entry.get("locationOrLoadError") or {}
                    if error.get("__typename") == "PythonError":
                        pytest.fail(f"the code location failed to load: {error['message']}")
                nodes = graphql(port, ASSETS_QUERY).get("data", {}).get("assetNodes") or []
                if nodes:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError, KeyError, TypeError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no assets after {STARTUP_TIMEOUT_S}s: {(tmp / 'webserver.log').read_text()[-4000:]}")
            time.sleep(1)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def test_the_ui_shows_the_landing_staging_mart_and_publish_assets_in_their_groups(webserver: int) -> None:
    nodes = graphql(webserver, ASSETS_QUERY)["data"]["assetNodes"]
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    assert groups["landing/orders"] == "landing"
    assert groups["landing/privacy_requests"] == "landing"
    assert groups["stg_orders__orders"] == "staging"
    assert groups["fct_landing_reconciliation"] == "landing_quality"
    assert groups["published_warehouse"] == "publish"
    assert sum(1 for g in groups.values() if g == "landing") == 17


def test_the_ui_shows_the_schedules_and_sensors(webserver: int) -> None:
    (repository,) = graphql(webserver, AUTOMATION_QUERY)["data"]["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: s["cronSchedule"] for s in repository["schedules"]}
    assert schedules == {"daily_full_build": "0 2 * * *", "hourly_incremental_build": "15 * * * *"}
    assert {s["name"] for s in repository["sensors"]} == {"landing_new_files", "privacy_requests_within_a_day"}
