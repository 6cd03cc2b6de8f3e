with

base as (
    select * from {{ ref('base_b2b_accounts__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as account_version_id,
        account_id,
        -- strings
        account_name,
        lower(trim(domain)) as account_domain,
        industry,
        -- numerics
        employee_count,
        -- booleans
        _is_current as is_current,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
