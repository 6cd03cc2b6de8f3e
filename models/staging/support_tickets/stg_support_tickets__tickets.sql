with

base as (
    select * from {{ ref('base_support_tickets__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as ticket_version_id,
        ticket_id,
        order_id,
        -- strings
        lower(channel) as channel,
        email,
        phone,
        topic,
        transcript,
        -- numerics
        case when csat between 1 and 5 then csat end as csat,
        -- booleans
        closed_at is null as is_open,
        _is_current as is_current,
        -- timestamps
        opened_at,
        closed_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
