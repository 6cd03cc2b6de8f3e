with

base as (
    select * from {{ ref('base_privacy_requests__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        request_id as privacy_request_id,
        -- strings
        subject_type,
        subject_id,
        case subject_type
            when 'email' then {{ normalize_email('subject_id') }}
            when 'phone' then {{ normalize_phone('subject_id') }}
            else subject_id
        end as normalized_subject_id,
        request_type,
        -- timestamps
        received_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
