{#- Every staged consent event with the identifier it was captured on, in identity's form, the customer that
    identifier resolves to now (null while unresolved), and what its purpose applies to. -#}

with

consent_events as (
    select * from {{ ref('stg_consent_events__consent_events') }}
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

purposes as (
    select * from {{ ref('consent_purposes') }}
),

subjects as (
    select
        *,
        {{ consent_identifier_type('subject_type') }} as identifier_type,
        {{ consent_identifier_value('subject_type', 'normalized_subject_id') }} as identifier_value
    from consent_events
),

resolved as (
    select
        subjects.*,
        identifiers.customer_id,
        count(identifiers.customer_id) over (partition by subjects.consent_event_id) as candidate_customers,
        row_number() over (
            partition by subjects.consent_event_id
            order by identifiers.customer_id
        ) as candidate_number
    from subjects
    left join identifiers
        on
            subjects.identifier_type = identifiers.identifier_type
            and (
                subjects.identifier_value = identifiers.identifier_value
                or (
                    subjects.identifier_type = 'crm_contact_id'
                    and identifiers.identifier_value like '%:' || subjects.normalized_subject_id
                )
            )
),

final as (
    select
        -- ids
        resolved.consent_event_id,
        resolved.customer_id,
        resolved.proof_ref,
        -- strings
        resolved.subject_type,
        resolved.subject_id,
        resolved.identifier_type,
        resolved.identifier_value,
        resolved.purpose,
        purposes.applies_to as purpose_applies_to,
        purposes.channel as purpose_channel,
        resolved.consent_status,
        resolved.consent_context,
        resolved.legal_basis,
        resolved.source_system,
        -- numerics
        case resolved.consent_status
            when 'granted' then 1
            when 'denied' then 2
            when 'withdrawn' then 3
        end as status_precedence,
        resolved.candidate_customers,
        -- timestamps
        resolved.captured_at,
        -- landing metadata
        resolved._file,
        resolved._line,
        resolved._ingested_at
    from resolved
    left join purposes on resolved.purpose = purposes.purpose
    where resolved.candidate_number = 1
)

select * from final
