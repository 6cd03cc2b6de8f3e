{#- Behavioural events (web, app, email, till) aggregated per identity set (the event's identifiers, as an
    md5), day, event name and category, incrementally: each run aggregates only the rows landed since the last
    run (by _ingested_at) and appends them as new parts, so a batch costs work in proportion to the batch.
    Nothing here depends on customer_id: an identity merge re-derives traits by joining these parts to the
    current identity (int_identity_sets_resolved) without reading an event again. Consumers sum the parts. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
{%- set sources = traits_event_sources() %}

with

{% for s in sources %}
{{ s.source }} as (
    {{ traits_rows_landed_since_last_run(s.source) }}
),

{% endfor -%}

products as (
    select * from {{ ref('stg_erp_products__products') }}
    where is_current
),

events as (
    {%- for s in sources %}
    select
        '{{ s.source }}' as source,  -- noqa: RF04
        {{ traits_identity_set_id(traits_identifier_keys(traits_identity_declaration(s.source))) }}
            as identity_set_id,
        {{ traits_primary_identifier_key(traits_identity_declaration(s.source)) }} as primary_identifier_key,
        {{ s.event_name }} as event_name,
        {{ s.category }} as category,
        {{ 'sku' if s.source == 'pos_transactions' else 'cast(null as varchar)' }} as sku,
        {{ s.amount }} as amount,
        {{ s.occurred_at }} as occurred_at,
        _ingested_at as ingested_at
    from {{ s.source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

aggregated as (
    select
        events.source,
        events.identity_set_id,
        split_part(events.primary_identifier_key, ':', 1) as identifier_type,
        substr(events.primary_identifier_key, strpos(events.primary_identifier_key, ':') + 1) as identifier_value,
        cast(events.occurred_at as date) as activity_date,
        events.event_name,
        coalesce(events.category, products.category) as category,
        events.ingested_at,
        count(*) as event_count,
        sum(events.amount) as amount_total,
        min(events.occurred_at) as first_occurred_at,
        max(events.occurred_at) as last_occurred_at
    from events
    left join products
        on events.sku = products.sku
    where events.occurred_at is not null and events.primary_identifier_key is not null
    group by all
),

final as (
    select
        md5(
            source || '|' || identity_set_id || '|' || cast(activity_date as varchar) || '|'
            || coalesce(event_name, '') || '|' || coalesce(category, '') || '|' || cast(ingested_at as varchar)
        ) as activity_part_id,
        source,
        identity_set_id,
        identifier_type,
        identifier_value,
        event_name,
        category,
        event_count,
        amount_total,
        activity_date,
        first_occurred_at,
        last_occurred_at,
        ingested_at
    from aggregated
)

select * from final
