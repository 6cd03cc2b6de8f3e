{#- One row per SKU: the current ERP version of the product with its margin, and the stock it can sell now
    (the latest snapshot of every location), on order, and the fastest fulfilment from a location holding
    stock. Input of cross-sell (active, in stock, positive margin). -#}

with

products as (
    select * from {{ ref('stg_erp_products__products') }}
    where is_current
),

inventory as (
    select * from {{ ref('stg_erp_inventory__snapshots') }}
),

latest_snapshots as (
    select
        *,
        row_number() over (partition by sku, location_id order by snapshot_at desc) as snapshot_recency
    from inventory
),

stock as (
    select
        sku,
        sum(greatest(coalesce(on_hand, 0), 0)) as sellable_units,
        sum(greatest(coalesce(on_order, 0), 0)) as units_on_order,
        count(*) filter (where on_hand > 0) as locations_in_stock,
        min(fulfillment_days) filter (where on_hand > 0) as fastest_fulfillment_days,
        max(snapshot_at) as stock_counted_at
    from latest_snapshots
    where snapshot_recency = 1
    group by sku
),

final as (
    select
        -- ids
        products.sku,
        -- strings
        products.product_name,
        products.category,
        -- numerics
        products.unit_cost,
        products.list_price,
        products.unit_margin,
        case when products.list_price > 0 then products.unit_margin / products.list_price end as margin_rate,
        coalesce(stock.sellable_units, 0) as sellable_units,
        coalesce(stock.units_on_order, 0) as units_on_order,
        coalesce(stock.locations_in_stock, 0) as locations_in_stock,
        stock.fastest_fulfillment_days,
        -- booleans
        coalesce(products.is_active, false) as is_active,
        coalesce(stock.sellable_units, 0) > 0 as is_in_stock,
        coalesce(products.unit_margin > 0, false) as has_positive_margin,
        coalesce(products.is_active, false)
        and coalesce(stock.sellable_units, 0) > 0
        and coalesce(products.unit_margin > 0, false) as is_recommendable,
        -- timestamps
        stock.stock_counted_at
    from products
    left join stock on products.sku = stock.sku
)

select * from final
