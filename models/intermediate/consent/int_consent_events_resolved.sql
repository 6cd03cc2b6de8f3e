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

-- Two equi-joins, not one join with an `or`: an `or` (and a `like`) in the join condition turns it into a nested
-- loop over every identifier for every event (25 s for 10^5 events at 10^6 landed events, growing with their
-- product). A CRM contact id is identity's `<system>:<id>`; a consent event may carry the bare id.
candidates as (
    select
        subjects.consent_event_id,
        identifiers.customer_id,
        identifiers.identifier_value
    from subjects
    inner join identifiers
        on
            subjects.identifier_type = identifiers.identifier_type
            and subjects.identifier_value = identifiers.identifier_value
    union
    select
        subjects.consent_event_id,
        identifiers.customer_id,
        identifiers.identifier_value
    from subjects
    inner join identifiers
        on
            identifiers.identifier_type = 'crm_contact_id'
            and subjects.identifier_type = 'crm_contact_id'
            and subjects.normalized_subject_id
            = substr(identifiers.identifier_value, strpos(identifiers.identifier_value, ':') + 1)
),

resolved as (
    select
        subjects.*,
        candidates.customer_id,
        count(candidates.customer_id) over (partition by subjects.consent_event_id) as candidate_customers,
        row_number() over (
            partition by subjects.consent_event_id
            order by candidates.customer_id
        ) as candidate_number
    from subjects
    left join candidates on subjects.consent_event_id = candidates.consent_event_id
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
