with

base as (
    select * from {{ ref('base_email_events__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        event_id as email_event_id,
        campaign_id,
        -- strings
        email,
        event_type,
        url,
        -- timestamps
        occurred_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
