{#- The consent in force per customer, purpose and context, with the event that set it. No row means not
    granted (deny by default). Person purposes come from the person's latest event; an address purpose
    (email_marketing, sms_marketing, phone_marketing) is granted for the customer when at least one of
    their addresses is granted now (`granted_addresses` lists them; activation sends only to those), and
    its setting event is the latest grant, or the latest event when none is granted. Work-context consent
    never implies personal-context consent: context is part of the key. -#}

with

person_history as (
    select * from {{ ref('fct_consent_history') }}
    where scope_type = 'person' and is_in_force and customer_id is not null
),

address_consent as (
    select * from {{ ref('fct_address_consent') }}
    where customer_id is not null
),

person_consent as (
    select
        customer_id,
        purpose,
        consent_context,
        consent_status,
        consent_event_id,
        legal_basis,
        source_system,
        is_granted,
        'person' as applies_to,
        cast([] as varchar[]) as granted_addresses,
        valid_from as captured_at
    from person_history
),

address_rollup as (
    select
        customer_id,
        purpose,
        consent_context,
        bool_or(is_granted) as is_granted,
        coalesce(list(address order by address) filter (where is_granted), []) as granted_addresses,
        arg_max(consent_event_id, captured_at) filter (where is_granted) as latest_grant_event_id,
        arg_max(consent_event_id, captured_at) as latest_event_id
    from address_consent
    group by customer_id, purpose, consent_context
),

address_settings as (
    select
        address_rollup.customer_id,
        address_rollup.purpose,
        address_rollup.consent_context,
        setting.consent_status,
        setting.consent_event_id,
        setting.legal_basis,
        setting.source_system,
        address_rollup.is_granted,
        'address' as applies_to,
        address_rollup.granted_addresses,
        setting.captured_at,
        row_number() over (
            partition by address_rollup.customer_id, address_rollup.purpose, address_rollup.consent_context
            order by setting.address
        ) as setting_number
    from address_rollup
    inner join address_consent as setting
        on
            address_rollup.customer_id = setting.customer_id
            and address_rollup.purpose = setting.purpose
            and address_rollup.consent_context = setting.consent_context
            and coalesce(address_rollup.latest_grant_event_id, address_rollup.latest_event_id)
            = setting.consent_event_id
),

address_customer_consent as (
    select * exclude (setting_number)
    from address_settings
    where setting_number = 1
),

unioned as (
    select * from person_consent
    union all
    select * from address_customer_consent
),

final as (
    select
        -- ids
        md5(customer_id || '|' || purpose || '|' || consent_context) as consent_current_id,
        customer_id,
        consent_event_id,
        -- strings
        purpose,
        consent_context,
        consent_status,
        applies_to,
        granted_addresses,
        legal_basis,
        source_system,
        -- booleans
        is_granted,
        -- timestamps
        captured_at
    from unioned
)

select * from final
