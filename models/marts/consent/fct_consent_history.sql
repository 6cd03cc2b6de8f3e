{#- The consent in force for every scope over time: each event holds from its capture until the next event
    of the same scope (purpose, context, person or address). Precedence: the latest capture wins, whatever
    the order in which events arrived (so an old grant landing late never overrides a later withdrawal); at
    the same capture time withdrawn beats denied beats granted; then landing order. The open interval
    (valid_to null) is the state in force now; `consent_current` and the consent audit read this table. -#}

with

scoped as (
    select * from {{ ref('int_consent_scopes_expanded') }}
),

ordered as (
    select
        *,
        lead(captured_at) over scope_window as next_captured_at,
        row_number() over scope_window as scope_event_number,
        count(*) over (
            partition by scope_type, scope_id, purpose, consent_context
        ) as scope_event_count
    from scoped
    window scope_window as (
        partition by scope_type, scope_id, purpose, consent_context
        order by captured_at, status_precedence, _ingested_at, _file, _line
    )
),

final as (
    select
        -- ids
        md5(consent_event_id || '|' || scope_type || '|' || scope_id) as consent_history_id,
        consent_event_id,
        customer_id,
        proof_ref,
        -- strings
        scope_type,
        scope_id,
        address_type,
        purpose,
        purpose_applies_to,
        consent_context,
        consent_status,
        legal_basis,
        source_system,
        subject_type,
        -- booleans
        consent_status = 'granted' as is_granted,
        scope_event_number = scope_event_count as is_in_force,
        -- timestamps
        captured_at as valid_from,
        case when scope_event_number < scope_event_count then next_captured_at end as valid_to
    from ordered
)

select * from final
