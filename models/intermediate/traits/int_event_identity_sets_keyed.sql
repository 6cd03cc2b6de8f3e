{#- The identifiers of every identity set of int_event_activity_aggregated: one row per (set, identifier),
    appended incrementally for the sets seen in the rows landed since the last run (a set seen again in a later
    batch is appended again: readers take distinct sets; the batch's cost stays in proportion to the batch). The only table of
    the incremental traits path that holds identifiers: erasure purges it (identifier_type, identifier_value),
    after which the erased person's parts resolve to no one. -#}
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

sets as (
    {%- for s in sources %}
    select distinct
        '{{ s.source }}' as source,  -- noqa: RF04
        {{ traits_identifier_keys(traits_identity_declaration(s.source)) }} as identifier_keys,
        _ingested_at as ingested_at
    from {{ s.source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

new_sets as (
    select distinct
        source,
        identifier_keys,
        {{ traits_identity_set_id('identifier_keys') }} as identity_set_id,
        ingested_at
    from sets
    where len(identifier_keys) > 0
),

unnested as (
    select
        source,
        identity_set_id,
        ingested_at,
        unnest(identifier_keys) as identifier_key
    from new_sets
),

final as (
    select
        md5(
            source || '|' || identity_set_id || '|' || identifier_key || '|' || cast(ingested_at as varchar)
        ) as identity_set_key_id,
        identity_set_id,
        source,
        split_part(identifier_key, ':', 1) as identifier_type,
        substr(identifier_key, strpos(identifier_key, ':') + 1) as identifier_value,
        identifier_key,
        ingested_at
    from unnested
)

select * from final
