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

owned as (
    select
        history.*,
        identifiers.customer_id as owner_customer_id,
        row_number() over (
            partition by history.address_type, history.scope_id, history.purpose, history.consent_context
            order by identifiers.customer_id
        ) as owner_number
    from history
    left join identifiers
        on
            history.address_type = identifiers.identifier_type
            and history.scope_id = identifiers.identifier_value
),

final as (
    select
        -- ids
        md5(address_type || '|' || scope_id || '|' || purpose || '|' || consent_context) as address_consent_id,
        owner_customer_id as customer_id,
        consent_event_id,
        -- strings
        address_type,
        scope_id as address,
        purpose,
        consent_context,
        consent_status,
        legal_basis,
        source_system,
        -- booleans
        is_granted,
        -- timestamps
        valid_from as captured_at
    from owned
    where owner_number = 1
)

select * from final
