{#- Which customer each identity set of the incremental event aggregates belongs to now: the customer of the
    set's most trusted identifier that belongs to a known person, then by identifier_types.priority, then the
    identifier itself (the rule of int_source_records_resolved). Rebuilt every run from the small table of
    sets, so an identity merge or split re-assigns past activity without reading an event again. -#}

with

set_keys as (
    select distinct
        identity_set_id,
        identifier_key,
        identifier_type
    from {{ ref('int_event_identity_sets_keyed') }}
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

ranked as (
    select
        set_keys.identity_set_id,
        identifiers.customer_id,
        set_keys.identifier_key,
        case when identifiers.is_anonymous_customer then '1' else '0' end
        || lpad(cast(identifier_types.priority as varchar), 3, '0') || set_keys.identifier_key as resolution_rank
    from set_keys
    inner join identifiers
        on set_keys.identifier_key = identifiers.identifier_key
    inner join identifier_types
        on set_keys.identifier_type = identifier_types.identifier_type
),

final as (
    select
        identity_set_id,
        arg_min(customer_id, resolution_rank) as customer_id,
        split_part(arg_min(identifier_key, resolution_rank), ':', 1) as resolved_by_identifier_type
    from ranked
    group by identity_set_id
)

select * from final
