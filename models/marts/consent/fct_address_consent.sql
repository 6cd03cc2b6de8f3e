{#- The consent in force for each contact address (email or phone) and address purpose (email_marketing,
    sms_marketing, phone_marketing): what activation checks before it sends to an address. -#}

with

history as (
    select * from {{ ref('fct_consent_history') }}
    where scope_type = 'address' and is_in_force
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

final as (
    select
        -- ids
        md5(history.address_type || '|' || history.scope_id || '|' || history.purpose || '|' || history.consent_context)
            as address_consent_id,
        identifiers.customer_id,
        history.consent_event_id,
        -- strings
        history.address_type,
        history.scope_id as address,
        history.purpose,
        history.consent_context,
        history.consent_status,
        history.legal_basis,
        history.source_system,
        -- booleans
        history.is_granted,
        -- timestamps
        history.valid_from as captured_at
    from history
    left join identifiers
        on
            history.address_type = identifiers.identifier_type
            and history.scope_id = identifiers.identifier_value
    qualify row_number() over (
        partition by history.address_type, history.scope_id, history.purpose, history.consent_context
        order by identifiers.customer_id
    ) = 1
)

select * from final
