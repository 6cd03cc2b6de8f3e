with

base as (
    select * from {{ ref('base_orders__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as order_version_id,
        order_id,
        shop_customer_id,
        loyalty_id,
        store_id,
        -- strings
        email,
        phone,
        channel,
        status as order_status,
        upper(currency) as currency,
        -- numerics
        order_total,
        -- booleans
        _is_current as is_current,
        -- timestamps
        ordered_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
