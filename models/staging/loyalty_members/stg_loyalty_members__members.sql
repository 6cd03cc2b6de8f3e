with

base as (
    select * from {{ ref('base_loyalty_members__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as loyalty_member_version_id,
        loyalty_id,
        -- strings
        first_name,
        last_name,
        email,
        phone,
        postcode,
        lower(tier) as tier,
        -- numerics
        points_balance,
        -- booleans
        _is_current as is_current,
        -- dates and timestamps
        date_of_birth as birth_date,
        enrolled_at,
        updated_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
