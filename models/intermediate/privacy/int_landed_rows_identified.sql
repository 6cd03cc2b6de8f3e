{#- Every identifier of every staged row, with the landed row it came from (file and line): what erasure
    deletes and what an access request exports. Driven by identity's declaration of identifier columns, plus
    the subjects of consent events and privacy requests. -#}
{%- set declarations = identity_identifier_columns() -%}

with

{% for d in declarations %}
{{ d.source }} as (
    select * from {{ ref(d.model) }}
),

{% endfor -%}

consent_events as (
    select * from {{ ref('int_consent_events_resolved') }}
),

privacy_requests as (
    select * from {{ ref('stg_privacy_requests__requests') }}
),

identified as (
    {%- for d in declarations %}
    {%- for column, identifier_type in d.columns.items() %}
    select
        '{{ d.source }}' as source_name,
        _file,
        _line,
        '{{ identifier_type }}' as identifier_type,
        {{ identity_normalize_identifier(identifier_type, column) }} as identifier_value
    from {{ d.source }}
    where {{ column }} is not null
    union all
    {%- endfor %}
    {%- endfor %}
    select
        'consent_events' as source_name,
        _file,
        _line,
        identifier_type,
        identifier_value
    from consent_events
    where identifier_value is not null
    union all
    select
        'privacy_requests' as source_name,
        _file,
        _line,
        {{ consent_identifier_type('subject_type') }} as identifier_type,
        {{ consent_identifier_value('subject_type', 'normalized_subject_id') }} as identifier_value
    from privacy_requests
    where normalized_subject_id is not null
),

final as (
    select distinct
        md5(source_name || '|' || _file || '|' || _line || '|' || identifier_type || '|' || identifier_value)
            as landed_row_identifier_id,
        source_name,
        _file,
        _line,
        identifier_type,
        identifier_value
    from identified
    where identifier_value <> ''
)

select * from final
