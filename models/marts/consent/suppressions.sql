{#- Who must not be contacted, for what, since when and why. One row per suppression:
      email scope: an address that unsubscribed, complained or hard-bounced, from any system, for every email
        destination; an unsubscribe or complaint is lifted only by an explicit email_marketing grant for that
        address captured after it; a hard bounce is never lifted;
      advertising and data_sale scopes: a person who asked not to have their data sold or shared;
      all: a person who asked for erasure.
    A suppression whose subject is not resolved to a customer yet is kept on its identifier. -#}

with

email_events as (
    select * from {{ ref('stg_email_events__events') }}
    where event_type in ('unsubscribe', 'complaint', 'bounce_hard')
),

privacy_requests as (
    select * from {{ ref('stg_privacy_requests__requests') }}
    where request_type in ('do_not_sell', 'erasure')
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

address_history as (
    select * from {{ ref('fct_consent_history') }}
    where scope_type = 'address' and purpose = 'email_marketing' and consent_status = 'granted'
),

email_suppressions as (
    select
        email_events.email_event_id as source_record_id,
        'email_events' as source_name,
        'email' as suppression_scope,
        'email' as address_type,
        {{ consent_identifier_value("'email'", 'email_events.email') }} as address,
        email_events.event_type as reason,
        email_events.occurred_at as suppressed_since
    from email_events
),

email_suppressions_lifted as (
    select
        email_suppressions.*,
        email_suppressions.reason <> 'bounce_hard' and exists (
            select 1
            from address_history
            where
                address_history.scope_id = email_suppressions.address
                and address_history.valid_from > email_suppressions.suppressed_since
        ) as is_lifted
    from email_suppressions
),

scopes_by_request_type as (
    select
        'do_not_sell' as request_type,
        unnest(['advertising', 'data_sale']) as suppression_scope
    union all
    select
        'erasure' as request_type,
        'all' as suppression_scope
),

request_scopes as (
    select
        privacy_requests.privacy_request_id as source_record_id,
        'privacy_requests' as source_name,
        scopes_by_request_type.suppression_scope,
        {{ consent_identifier_type('privacy_requests.subject_type') }} as identifier_type,
        {{ consent_identifier_value('privacy_requests.subject_type', 'privacy_requests.normalized_subject_id') }}
            as identifier_value,
        privacy_requests.request_type as reason,
        privacy_requests.received_at as suppressed_since
    from privacy_requests
    inner join scopes_by_request_type on privacy_requests.request_type = scopes_by_request_type.request_type
),

request_owners as (
    select
        request_scopes.*,
        identifiers.customer_id,
        row_number() over (
            partition by request_scopes.source_record_id, request_scopes.suppression_scope
            order by identifiers.customer_id
        ) as owner_number
    from request_scopes
    left join identifiers
        on
            request_scopes.identifier_type = identifiers.identifier_type
            and request_scopes.identifier_value = identifiers.identifier_value
),

email_owners as (
    select
        email_suppressions_lifted.*,
        identifiers.customer_id,
        row_number() over (
            partition by email_suppressions_lifted.source_record_id
            order by identifiers.customer_id
        ) as owner_number
    from email_suppressions_lifted
    left join identifiers
        on
            identifiers.identifier_type = 'email'
            and email_suppressions_lifted.address = identifiers.identifier_value
),

unioned as (
    select
        source_record_id,
        source_name,
        suppression_scope,
        customer_id,
        address_type as identifier_type,
        address as identifier_value,
        reason,
        not is_lifted as is_active,
        suppressed_since
    from email_owners
    where owner_number = 1
    union all
    select
        source_record_id,
        source_name,
        suppression_scope,
        customer_id,
        identifier_type,
        identifier_value,
        reason,
        true as is_active,
        suppressed_since
    from request_owners
    where owner_number = 1
),

final as (
    select
        -- ids
        md5(source_name || '|' || source_record_id || '|' || suppression_scope) as suppression_id,
        customer_id,
        source_record_id,
        -- strings
        source_name,
        suppression_scope,
        identifier_type,
        identifier_value,
        reason,
        -- booleans
        is_active,
        -- timestamps
        suppressed_since
    from unioned
)

select * from final
