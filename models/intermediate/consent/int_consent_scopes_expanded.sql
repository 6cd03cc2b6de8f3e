{#- One row per consent event and the scope it governs:
      person purposes (personalization, analytics, advertising, data_sale): the customer (or, while the
        subject is unresolved, the subject identifier itself);
      address purposes (email_marketing, sms_marketing, phone_marketing): the address it was captured on when
        the subject is an address of the purpose's channel; otherwise (captured on a user id, loyalty id, ...)
        every address of that channel the customer has now.
    An event whose subject is not a usable identifier (an email that is not an address) governs nothing; it
    stays in the ledger (consent_events). -#}

with

events as (
    select * from {{ ref('int_consent_events_resolved') }}
    where identifier_value is not null
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

person_scoped as (
    select
        *,
        'person' as scope_type,
        coalesce(customer_id, identifier_type || ':' || identifier_value) as scope_id,
        cast(null as varchar) as address_type
    from events
    where purpose_applies_to = 'person'
),

address_scoped_directly as (
    select
        *,
        'address' as scope_type,
        identifier_value as scope_id,
        identifier_type as address_type
    from events
    where
        purpose_applies_to = 'address'
        and identifier_type = {{ consent_channel_address_type('purpose_channel') }}
),

address_scoped_through_person as (
    select
        events.*,
        'address' as scope_type,
        identifiers.identifier_value as scope_id,
        identifiers.identifier_type as address_type
    from events
    inner join identifiers
        on
            events.customer_id = identifiers.customer_id
            and identifiers.identifier_type = {{ consent_channel_address_type('events.purpose_channel') }}
    where
        events.purpose_applies_to = 'address'
        and events.identifier_type <> {{ consent_channel_address_type('events.purpose_channel') }}
),

unioned as (
    select * from person_scoped
    union all
    select * from address_scoped_directly
    union all
    select * from address_scoped_through_person
),

final as (
    select
        md5(consent_event_id || '|' || scope_type || '|' || scope_id) as consent_scope_id,
        *
    from unioned
)

select * from final
