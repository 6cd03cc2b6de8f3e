{#- One row per landing source: rows landed, staged and quarantined. landed = staged + quarantined must hold
    for every source (tested); a source with no file yet shows zeros. -#}

with

{% for source_name, staging_model in cdp_landing_staging_models().items() %}
{{ source_name }} as (
    select
        '{{ source_name }}' as source_name,
        (select count(*) from {{ ref('base_' ~ source_name ~ '__rows') }}) as rows_landed,
        (select count(*) from {{ ref(staging_model) }}) as rows_staged,
        (
            select count(*) from {{ ref('fct_quarantined_rows') }}
            where source_name = '{{ source_name }}'
        ) as rows_quarantined,
        (select count(distinct _file) from {{ ref('base_' ~ source_name ~ '__rows') }}) as files_landed,
        (select max(_ingested_at) from {{ ref('base_' ~ source_name ~ '__rows') }}) as last_ingested_at
),

{% endfor %}
unioned as (
{%- for source_name in cdp_landing_staging_models() %}
    select * from {{ source_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

final as (
    select
        -- strings
        source_name,
        -- numerics
        rows_landed,
        rows_staged,
        rows_quarantined,
        files_landed,
        -- booleans
        rows_landed = rows_staged + rows_quarantined as is_balanced,
        rows_landed > 0 as has_data,
        -- timestamps
        last_ingested_at
    from unioned
)

select * from final
