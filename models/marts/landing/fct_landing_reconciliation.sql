{#- One row per landing source: rows landed, staged and quarantined. landed = staged + quarantined must hold
    for every source (tested); a source with no file yet shows zeros. -#}

with

landed as (
    {%- for source_name in cdp_landing_staging_models() %}
    select
        '{{ source_name }}' as source_name,
        count(*) as rows_landed,
        count(distinct _file) as files_landed,
        max(_ingested_at) as last_ingested_at
    from {{ ref('base_' ~ source_name ~ '__rows') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

staged as (
    {%- for source_name, staging_model in cdp_landing_staging_models().items() %}
    select
        '{{ source_name }}' as source_name,
        count(*) as rows_staged
    from {{ ref(staging_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

quarantined as (
    select
        source_name,
        count(*) as rows_quarantined
    from {{ ref('fct_quarantined_rows') }}
    group by source_name
),

final as (
    select
        -- strings
        landed.source_name,
        -- numerics
        landed.rows_landed,
        staged.rows_staged,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
        landed.files_landed,
        -- booleans
        landed.rows_landed = staged.rows_staged + coalesce(quarantined.rows_quarantined, 0) as is_balanced,
        landed.rows_landed > 0 as has_data,
        -- timestamps
        landed.last_ingested_at
    from landed
    inner join staged on landed.source_name = staged.source_name
    left join quarantined on landed.source_name = quarantined.source_name
)

select * from final
