{{ config(meta={'dagster': {'ref': {'name': 'fct_landing_reconciliation'}}}) }}

-- Fails with one row per source where the rows in the landing table differ from the rows staged plus the
-- rows quarantined (as counted by fct_landing_reconciliation from the staging models and
-- fct_quarantined_rows): the contract's "landed = staged + quarantined", with "landed" counted from the
-- landing tables themselves rather than from the base models.
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

reconciliation as (
    select * from {{ ref('fct_landing_reconciliation') }}
),

final as (
    select
        landed.source_name,
        landed.rows_landed,
        reconciliation.rows_staged,
        reconciliation.rows_quarantined
    from landed
    left join reconciliation on landed.source_name = reconciliation.source_name
)

select * from final
where
    rows_staged is null
    or rows_landed <> rows_staged + rows_quarantined
