with

base as (
    select * from {{ ref('base_order_items__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as order_item_version_id,
        order_id || ':' || cast(line_number as varchar) as order_item_key,
        order_id,
        sku,
        -- numerics
        line_number,
        quantity,
        unit_price,
        discount,
        -- booleans
        _is_current as is_current,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
