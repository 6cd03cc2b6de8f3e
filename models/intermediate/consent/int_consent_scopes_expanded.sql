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
    {%- for scoped in ['person_scoped', 'address_scoped_directly', 'address_scoped_through_person'] %}
    select
        consent_event_id,
        customer_id,
        proof_ref,
        subject_type,
        identifier_type,
        purpose,
        purpose_applies_to,
        consent_status,
        consent_context,
        legal_basis,
        source_system,
        status_precedence,
        captured_at,
        _file,
        _line,
        _ingested_at,
        scope_type,
        scope_id,
        address_type
    from {{ scoped }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        md5(consent_event_id || '|' || scope_type || '|' || scope_id) as consent_scope_id,
        *
    from unioned
)

select * from final
