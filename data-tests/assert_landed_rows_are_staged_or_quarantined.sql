-- Fails with one row per source where the rows in the landing table differ from the rows staged plus the
-- rows quarantined: the contract's "landed = staged + quarantined", counted from the landing tables
-- themselves rather than from the base models.
with

landed as (
    {%- for source_name in cdp_landing_staging_models() %}
    select
        '{{ source_name }}' as source_name,
        count(*) as rows_landed
    from {{ source('landing', source_name) }}
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

counts as (
    select
        landed.source_name,
        landed.rows_landed,
        staged.rows_staged,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined
    from landed
    inner join staged on landed.source_name = staged.source_name
    left join quarantined on landed.source_name = quarantined.source_name
)

select * from counts
where rows_landed <> rows_staged + rows_quarantined
