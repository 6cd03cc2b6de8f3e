{#- The consent ledger: every consent event landed, never rewritten (landing tables are append-only; only an
    erasure removes rows), with its provenance and the customer its subject resolves to now. -#}

with

events as (
    select * from {{ ref('int_consent_events_resolved') }}
),

final as (
    select
        -- ids
        consent_event_id,
        customer_id,
        proof_ref,
        -- strings
        subject_type,
        subject_id,
        purpose,
        consent_status,
        consent_context,
        legal_basis,
        source_system,
        -- booleans
        customer_id is not null as is_resolved,
        candidate_customers > 1 as is_subject_ambiguous,
        -- timestamps
        captured_at,
        _ingested_at as landed_at,
        -- landing metadata
        _file as landed_file,
        _line as landed_line
    from events
)

select * from final
