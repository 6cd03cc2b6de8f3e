{#- One long table of every identifier seen in every staged record, driven by identity_identifier_columns().
    Grain: one row per (source, record, identifier); versions of an entity collapse into their record.

    Incremental (docs/identity.md, "Incremental runs"): a run reads only the staged rows landed after those it
    has processed (its manifest, int_identifiers_extracted__files, macros/identity/identity_incremental.sql)
    and adds them to the rows of their (source, record, identifier): counts add up, first and last seen are the
    min and max of both. Only the rows that got new observations are rewritten. Erasure (staged rows
    gone) or a changed seed empties the model and the run rebuilds it from every staged row. -#}
{{ config(
    materialized='incremental',
    unique_key='extraction_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{{ identity_manifest_record(seeds=['identifier_types', 'identifier_blocklist']) }}",
) }}
{%- set declarations = identity_identifier_columns() -%}
{%- set watermarks = identity_manifest_watermarks(seeds=['identifier_types', 'identifier_blocklist']) -%}
{%- set incremental = is_incremental() %}

with

blocklist as (
    select * from {{ ref('identifier_blocklist') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

blocked_values as (
    select distinct
        identifier_types.identifier_type,
        lower(blocklist.identifier_value) as identifier_value
    from blocklist
    inner join identifier_types
        on blocklist.identifier_type in (identifier_types.identifier_type, 'any')
),

{% for d in declarations %}
{{ d.source }} as (
    select * from {{ ref(d.model) }}
    {%- if d.source in watermarks %}
    where _ingested_at > cast('{{ watermarks[d.source] }}' as timestamp)
    {%- endif %}
),

{% endfor -%}

observed as (
    {%- for d in declarations %}
    {%- set outer_loop = loop %}
    {%- for column, identifier_type in d.columns.items() %}
    select
        '{{ d.source }}' as source,  -- noqa: RF04
        cast({{ d.record_key }} as varchar) as record_key,
        '{{ identifier_type }}' as identifier_type,
        {{ identity_normalize_identifier(identifier_type, column) }} as identifier_value,
        {{ d.seen_at }} as seen_at
    from {{ d.source }}
    where {{ column }} is not null
    {%- if not (outer_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

new_observations as (
    select
        source || '|' || record_key || '|' || identifier_type || '|' || identifier_value as extraction_id,
        source,
        record_key,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        count(*) as observation_count
    from observed
    where identifier_value <> ''
    group by
        source,
        record_key,
        identifier_type,
        identifier_value
),

{%- if incremental %}

-- what earlier runs extracted for the same (source, record, identifier): added to the new rows
previous as (
    select
        extraction_id,
        observation_count,
        first_seen_at,
        last_seen_at
    from {{ this }}
    where extraction_id in (select new_observations.extraction_id from new_observations)
),

{%- endif %}

per_record as (
    select
        new_observations.extraction_id,
        new_observations.source,
        new_observations.record_key,
        new_observations.identifier_type,
        new_observations.identifier_value,
        {%- if incremental %}
        least(
            coalesce(new_observations.first_seen_at, previous.first_seen_at),
            coalesce(previous.first_seen_at, new_observations.first_seen_at)
        ) as first_seen_at,
        greatest(
            coalesce(new_observations.last_seen_at, previous.last_seen_at),
            coalesce(previous.last_seen_at, new_observations.last_seen_at)
        ) as last_seen_at,
        new_observations.observation_count + coalesce(previous.observation_count, 0) as observation_count,
        {%- else %}
        new_observations.first_seen_at,
        new_observations.last_seen_at,
        new_observations.observation_count,
        {%- endif %}
        regexp_replace(lower(new_observations.identifier_value), '[^0-9a-z]', '', 'g') as compact_value
    from new_observations
    {%- if incremental %}
    left join previous
        on new_observations.extraction_id = previous.extraction_id
    {%- endif %}
),

final as (
    select
        per_record.extraction_id,
        per_record.source,
        per_record.record_key,
        per_record.identifier_type,
        per_record.identifier_value,
        per_record.identifier_type || ':' || per_record.identifier_value as identifier_key,
        identifier_types.strength as identifier_strength,
        identifier_types.priority as identifier_priority,
        per_record.observation_count,
        blocked_values.identifier_value is not null
        -- degenerate values: one character repeated (+00000000, 1111-1111, xxxxxx), punctuation aside
        or (
            length(per_record.compact_value) >= 3
            and replace(per_record.compact_value, left(per_record.compact_value, 1), '') = ''
        ) as is_blocked,
        per_record.first_seen_at,
        per_record.last_seen_at
    from per_record
    inner join identifier_types
        on per_record.identifier_type = identifier_types.identifier_type
    left join blocked_values
        on
            per_record.identifier_type = blocked_values.identifier_type
            and lower(per_record.identifier_value) = blocked_values.identifier_value
)

select * from final
