with

base as (
    select * from {{ ref('base_b2b_memberships__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as membership_version_id,
        account_id,
        contact_id,
        -- strings
        email as work_email,
        role,
        -- booleans
        ended_at is null as is_active_membership,
        _is_current as is_current,
        -- timestamps
        started_at,
        ended_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
