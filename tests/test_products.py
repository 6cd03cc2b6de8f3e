"""dim_products: sellable stock from the latest count of each location, margin, and what may be recommended."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cdp.landing import ingest

from .conftest import run_dbt

PRODUCTS_A = """sku,product_name,category,unit_cost,list_price,is_active
A,Tent,camping,50,120,true
B,Stove,camping,30,25,true
C,Lamp,camping,5,15,false
D,Mug,kitchen,2,8,true
"""
PRODUCTS_B = """sku,product_name,category,unit_cost,list_price,is_active
D,Mug,kitchen,2,9,true
"""
INVENTORY = """sku,location_id,snapshot_at,on_hand,on_order,fulfillment_days
A,L1,2026-11-01T00:00:00Z,10,0,2
A,L1,2026-11-10T00:00:00Z,0,5,2
A,L2,2026-11-05T00:00:00Z,3,0,4
B,L1,2026-11-10T00:00:00Z,7,0,1
C,L1,2026-11-10T00:00:00Z,7,0,1
D,L2,2026-11-10T00:00:00Z,-2,0,3
"""


def test_sellable_stock_margin_and_recommendable_products(tmp_path: Path) -> None:
    land = tmp_path / "landing"
    for rel, text in {"erp_products/a.csv": PRODUCTS_A, "erp_products/b.csv": PRODUCTS_B,
                      "erp_inventory/a.csv": INVENTORY}.items():
        (land / rel).parent.mkdir(parents=True, exist_ok=True)
        (land / rel).write_text(text)
    wh = tmp_path / "w.duckdb"
    ingest(land, wh, progress=False)
    run_dbt(["build", "--select", "+dim_products", "--indirect-selection", "cautious"], wh, land, tmp_path / "target")
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("""
            select sku, sellable_units, units_on_order, fastest_fulfillment_days, unit_margin::double,
                is_recommendable
            from dim_products order by sku""").fetchall()
    assert rows == [
        ("A", 3, 5, 4, 70.0, True),    # L1 recounted to 0 (5 on order); L2 holds 3, 4 days away
        ("B", 7, 0, 1, -5.0, False),   # sold at a loss
        ("C", 7, 0, 1, 10.0, False),   # not active
        ("D", 0, 0, None, 7.0, False),  # negative count is no stock; the later file's price wins
    ]
