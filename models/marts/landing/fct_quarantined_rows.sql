{#- One row per landed row that could not be used, from every source: where it was (file, line), why, and
    what it said. -#}

with

unioned as (
    {%- for source_name in cdp_landing_staging_models() %}
    select
        _row_id,
        '{{ source_name }}' as source_name,
        _file,
        _line,
        _quarantine_reason,
        coalesce(_raw, cast(_record as varchar)) as raw_record,
        _ingested_at
    from {{ ref('base_' ~ source_name ~ '__rows') }}
    where _quarantine_reason is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        -- ids
        _row_id as quarantined_row_id,
        -- strings
        source_name,
        _file as file_path,
        _quarantine_reason as quarantine_reason,
        case
            when _quarantine_reason like 'unsupported file type%' then 'unsupported_file'
            when _quarantine_reason like 'unreadable %' then 'unreadable_file'
            when _quarantine_reason like 'malformed %' then 'malformed_row'
            when _quarantine_reason like 'wrong number of fields%' then 'malformed_row'
            when _quarantine_reason like 'missing required field%' then 'missing_required'
            when _quarantine_reason like 'invalid required field%' then 'invalid_required'
            when _quarantine_reason like 'duplicate delivery%' then 'duplicate_delivery'
            else 'other'
        end as quarantine_category,
        raw_record,
        -- numerics
        _line as line_number,
        -- timestamps
        _ingested_at as ingested_at
    from unioned
)

select * from final
