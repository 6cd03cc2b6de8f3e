with

base as (
    select * from {{ ref('base_consent_events__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        consent_event_id,
        proof_ref,
        -- strings
        subject_type,
        subject_id,
        case subject_type
            when 'email' then {{ normalize_email('subject_id') }}
            when 'phone' then {{ normalize_phone('subject_id') }}
            else subject_id
        end as normalized_subject_id,
        purpose,
        status as consent_status,
        context as consent_context,
        legal_basis,
        source_system,
        -- timestamps
        captured_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
