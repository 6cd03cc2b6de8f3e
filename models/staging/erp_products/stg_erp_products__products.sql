with

base as (
    select * from {{ ref('base_erp_products__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as product_version_id,
        sku,
        -- strings
        product_name,
        category,
        -- numerics
        unit_cost,
        list_price,
        list_price - unit_cost as unit_margin,
        -- booleans
        is_active,
        _is_current as is_current,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
