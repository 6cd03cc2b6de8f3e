"""The shipped audiences and destinations on the demo warehouse (the session `demo` fixture: 600 people, seed 11):
every audience has members, `cdp run` activated, a second activation sends nothing, a dry run sends nothing,
and the Dagster sync asset reports its diff and delivery counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from cdp.activation.config import load_config
from tests.conftest import cdp


@pytest.fixture
def copy(demo: dict, tmp_path: Path) -> dict:
    """A copy of the demo warehouse and outbox (tests here write activation state)."""
    wh = tmp_path / "warehouse" / "cdp.duckdb"
    wh.parent.mkdir()
    shutil.copy(demo["env"]["CDP_WAREHOUSE"], wh)
    outbox = tmp_path / "outbox"
    shutil.copytree(demo["env"]["CDP_OUTBOX_DIR"], outbox)
    env = {**demo["env"], "CDP_WAREHOUSE": str(wh), "CDP_OUTBOX_DIR": str(outbox)}
    return {"env": env, "wh": wh, "outbox": outbox}


def q(path: str | Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_shipped_audience_has_members_on_the_demo(demo: dict) -> None:
    sizes = dict(q(demo["env"]["CDP_WAREHOUSE"],
                   "select audience, count(*) from main.audience_membership group by audience"))
    assert set(sizes) == set(load_config().audiences)
    assert all(n > 0 for n in sizes.values()), sizes


def test_cdp_run_activated_and_a_second_activation_sends_nothing(demo: dict, copy: dict) -> None:
    assert "activation, sync" in demo["result"].stdout
    assert "webhook_demo" in demo["result"].stderr and "CDP_WEBHOOK_URL is not set" in demo["result"].stderr
    logged = q(copy["wh"], "select destination, sync_status, count(*) from main.activation_log group by all")
    files = sorted(p.parent.name for p in copy["outbox"].rglob("*.csv"))
    assert {d for d, _, _ in logged} == set(files)  # customer-match files written, one log row per record
    before = q(copy["wh"], "select count(*) from main.activation_log")
    again = cdp(["activate"], copy["env"])
    assert again.returncode == 0, again.stderr[-2000:]
    assert "+0 ~0 -0" in again.stdout and "+1" not in again.stdout
    assert q(copy["wh"], "select count(*) from main.activation_log") == before


def test_dry_run_shows_the_diff_and_sends_nothing(copy: dict) -> None:
    with duckdb.connect(str(copy["wh"])) as con:
        con.execute("drop table if exists activation.sync_state")
        con.execute("drop table if exists main.activation_log")
    files = sorted(copy["outbox"].rglob("*.csv"))
    result = cdp(["activate", "--dry-run"], copy["env"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dry run (nothing sent)" in result.stdout
    assert "would add" in result.stdout or "+0 ~0 -0" in result.stdout
    assert sorted(copy["outbox"].rglob("*.csv")) == files
    assert q(copy["wh"], "select count(*) from information_schema.tables where table_name = 'activation_log'") == [
        (0,)]


def test_the_dagster_sync_asset_reports_diff_and_delivery_counts(copy: dict) -> None:
    from orchestration.defs.activation import defs, sync_key
    from orchestration.defs.resources import WarehouseResource

    with duckdb.connect(str(copy["wh"])) as con:
        # every member of high_predicted_value grants advertising: the sync has something to send
        con.execute("delete from activation.sync_state where destination = 'google_customer_match'")
        con.execute("""
            insert into main.consent_current by name
            select customer_id, 'advertising' as purpose, 'personal' as consent_context,
                'granted' as consent_status, true as is_granted
            from main.audience_membership
            where audience = 'high_predicted_value' and customer_id not in (
                select customer_id from main.consent_current
                where purpose = 'advertising' and consent_context = 'personal')""")
        con.execute("update main.consent_current set is_granted = true, consent_status = 'granted' "
                    "where purpose = 'advertising' and consent_context = 'personal'")
        (expected,) = con.execute("""
            select count(*) from main.audience_membership as m
            inner join main.customer_360 as c on m.customer_id = c.customer_id
            where m.audience = 'high_predicted_value' and (c.email is not null or c.phone is not null)
                and m.customer_id not in (select customer_id from main.suppressions
                    where is_active and suppression_scope in ('advertising', 'all') and customer_id is not null)
        """).fetchall()[0]
    assert expected > 0
    assets = [a for a in defs.assets if sync_key("google_customer_match") in a.keys]
    result = dg.materialize(assets, resources={"warehouse": WarehouseResource(
        warehouse=str(copy["wh"]), outbox_dir=str(copy["outbox"]), landing_dir=copy["env"]["CDP_LANDING_DIR"])})
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["adds"].value == expected and metadata["delivered"].value == expected
    assert metadata["removes"].value == 0 and metadata["failed"].value == 0
