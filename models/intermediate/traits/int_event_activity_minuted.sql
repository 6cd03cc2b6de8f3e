{#- The minutes in which each identity set was active on the web or in an app, appended incrementally (rows
    landed since the last run): the input of sessionization across devices, which needs only the distinct
    active minutes of a customer, never the events themselves. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
{%- set sources = traits_event_sources() | selectattr('is_session') | list %}

with

{% for s in sources %}
{{ s.source }} as (
    {{ traits_rows_landed_since_last_run(s.source) }}
),

{% endfor -%}

minutes as (
    {%- for s in sources %}
    select distinct
        '{{ s.source }}' as source,  -- noqa: RF04
        {{ traits_identity_set_id(traits_identifier_keys(traits_identity_declaration(s.source))) }}
            as identity_set_id,
        {{ traits_primary_identifier_key(traits_identity_declaration(s.source)) }} as primary_identifier_key,
        date_trunc('minute', {{ s.occurred_at }}) as active_minute_at,
        _ingested_at as ingested_at
    from {{ s.source }}
    where {{ s.occurred_at }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        md5(
            source || '|' || identity_set_id || '|' || cast(active_minute_at as varchar) || '|'
            || cast(ingested_at as varchar)
        ) as active_minute_id,
        source,
        identity_set_id,
        split_part(primary_identifier_key, ':', 1) as identifier_type,
        substr(primary_identifier_key, strpos(primary_identifier_key, ':') + 1) as identifier_value,
        active_minute_at,
        ingested_at
    from minutes
    where primary_identifier_key is not null
)

select * from final
