with

base as (
    select * from {{ ref('base_shop_customers__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as shop_customer_version_id,
        shop_customer_id,
        -- strings
        first_name,
        last_name,
        email,
        phone,
        -- booleans
        accepts_marketing as has_marketing_opt_in,
        _is_current as is_current,
        -- timestamps
        created_at,
        updated_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
