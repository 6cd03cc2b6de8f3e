"""The read-only copy of the warehouse for BI readers (`<warehouse stem>_published.duckdb`, cdp.publish).

It depends on every asset that writes the warehouse, so it is the last writer step of any run that builds
something, and it runs only when they all succeeded: a failing blocking check or model stops the run before it,
and readers keep the last good copy. The swap is an atomic rename, so a reader holding the old copy open keeps
reading it, the next reader opens the new one, and no reader ever holds a lock a build needs.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from cdp.publish import publish
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.lib.figures import markdown_table, quote

PUBLISHED_KEY = dg.AssetKey("published_warehouse")
PUBLISH_GROUP = "publish"


def published_figures(path: Path) -> dict[str, Any]:
    """What a BI reader finds in the copy: relations per schema, and the rows of each table of schema main."""
    with duckdb.connect(str(path), read_only=True) as con:
        per_schema = con.execute(
            """
            select schema_name, count(*) filter (where kind = 'table'), count(*) filter (where kind = 'view')
            from (
                select schema_name, 'table' as kind from duckdb_tables() where database_name = current_database()
                union all
                select schema_name, 'view' from duckdb_views()
                where database_name = current_database() and not internal
            )
            group by schema_name order by schema_name
            """
        ).fetchall()
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name = 'main' order by table_name"
            ).fetchall()
        ]
        mart_rows = [(name, con.execute(f"select count(*) from {quote('main.' + name)}").fetchone()[0])
                     for name in marts]
    return {
        "path": dg.MetadataValue.path(str(path)),
        "size_mb": round(path.stat().st_size / 1e6, 2),
        "published_at": dg.MetadataValue.timestamp(datetime.now(UTC)),
        "relations_per_schema": dg.MetadataValue.md(
            markdown_table(["schema", "tables", "views"], per_schema)
        ),
        "mart_rows": dg.MetadataValue.md(markdown_table(["table (schema main)", "rows"], mart_rows)),
        "how_to_read": (
            f"Point BI tools at {path} (read-only; `cdp sql \"...\"` reads it too). Never point a reader at "
            "the warehouse itself: a reader there would block builds."
        ),
    }


def build_publish_asset(upstream: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        group_name=PUBLISH_GROUP,
        deps=list(upstream),
        pool=WRITER_POOL,
        kinds={"duckdb"},
        tags={"cdp/layer": "publish"},
        description=__doc__,
    )
    def published_warehouse(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.writer(context) as settings:
            if not settings.warehouse.exists():
                raise dg.Failure(
                    description=(
                        f"There is no warehouse at {settings.warehouse} to publish yet. Materialize all assets "
                        "(job full_build) first, or check CDP_WAREHOUSE."
                    )
                )
            path = publish(settings.warehouse)
        context.log.info(f"Published the read-only copy for BI readers: {path}")
        return dg.MaterializeResult(metadata=published_figures(path))

    return published_warehouse
