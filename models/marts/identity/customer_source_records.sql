{#- Contract mart (CONTRACT.md section 4): which customer each profile-bearing source record was resolved to,
    and how (deterministically through a shared identifier, or with a probabilistic link and its weight). -#}

with

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

links as (
    select * from {{ ref('int_profile_records_matched') }}
),

prepared as (
    select * from {{ ref('int_profile_records_prepared') }}
),

records as (
    select
        source,
        record_key as source_record_id,
        any_value(customer_id) as customer_id,
        any_value(resolved_by_identifier_key) as resolved_by_identifier_key,
        count(*) as version_count
    from resolved
    where source in ('crm_contacts', 'shop_customers', 'loyalty_members')
    group by
        source,
        record_key
),

record_links as (
    select
        left_record_id as record_id,
        match_weight,
        matched_fields
    from links
    union all
    select
        right_record_id as record_id,
        match_weight,
        matched_fields
    from links
),

strongest_links as (
    select
        prepared.source,
        prepared.source_record_id,
        max(record_links.match_weight) as best_match_weight,
        arg_max(record_links.matched_fields, record_links.match_weight) as best_matched_fields
    from record_links
    inner join prepared
        on record_links.record_id = prepared.record_id
    group by
        prepared.source,
        prepared.source_record_id
),

final as (
    select
        -- ids
        records.source || ':' || records.source_record_id as source_record_key,
        records.source,
        records.source_record_id,
        records.customer_id,
        records.resolved_by_identifier_key,
        -- strings
        strongest_links.best_matched_fields,
        -- numerics
        records.version_count,
        strongest_links.best_match_weight,
        -- booleans
        strongest_links.source_record_id is not null as has_probabilistic_link
    from records
    left join strongest_links
        on
            records.source = strongest_links.source
            and records.source_record_id = strongest_links.source_record_id
)

select * from final
