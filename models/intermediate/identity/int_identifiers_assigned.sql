{#- Stable customer ids: the customer_id of every identifier, carried over from the previous run.
    Incremental on identifier_key: each run reads the previous assignment ({{ this }}) and writes only the
    identifiers that are new or whose customer changed, so a rerun on the same data changes nothing.

    Survivor rule, per connected component of this run:
      1. every previous customer_id survives in at most one component: the one holding most of its identifiers
         (ties: the smallest component_key);
      2. a component keeps, among the previous ids surviving in it, the one that held most of its identifiers,
         then the oldest (customer_first_assigned_at), then the smallest id; the other ids are merged into it;
      3. a component with no surviving previous id gets a new id, 'cus_' + 16 hex of md5(component_key)
         (a full refresh on the same data gives the same ids). -#}
{{ config(
    materialized='incremental',
    unique_key='identifier_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

clustered as (
    select * from {{ ref('int_identifiers_clustered') }}
),

previous as (
    {%- if is_incremental() %}
    select
        identifier_key,
        customer_id,
        customer_first_assigned_at
    from {{ this }}
    {%- else %}
    select
        cast(null as varchar) as identifier_key,
        cast(null as varchar) as customer_id,
        cast(null as timestamp) as customer_first_assigned_at
    where false
    {%- endif %}
),

candidates as (
    select
        clustered.component_key,
        previous.customer_id,
        count(*) as shared_identifiers,
        min(previous.customer_first_assigned_at) as customer_first_assigned_at
    from clustered
    inner join previous
        on clustered.identifier_key = previous.identifier_key
    group by
        clustered.component_key,
        previous.customer_id
),

homes as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by shared_identifiers desc, component_key asc
        ) as home_rank
    from candidates
),

survivors as (
    select
        component_key,
        customer_id,
        customer_first_assigned_at,
        row_number() over (
            partition by component_key
            order by shared_identifiers desc, customer_first_assigned_at asc, customer_id asc
        ) as survivor_rank
    from homes
    where home_rank = 1
),

components as (
    select distinct component_key
    from clustered
),

component_customers as (
    select
        components.component_key,
        case
            when survivors.customer_id is not null then survivors.customer_id
            -- a new id never reuses one issued before
            when 'cus_' || left(md5(components.component_key), 16) in (select previous.customer_id from previous)
                then 'cus_' || left(md5(components.component_key || '|{{ invocation_id }}'), 16)
            else 'cus_' || left(md5(components.component_key), 16)
        end as customer_id,
        coalesce(
            survivors.customer_first_assigned_at,
            cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
        ) as customer_first_assigned_at
    from components
    left join survivors
        on
            components.component_key = survivors.component_key
            and survivors.survivor_rank = 1
),

final as (
    select
        clustered.identifier_key,
        clustered.identifier_type,
        clustered.identifier_value,
        component_customers.customer_id,
        previous.customer_id as previous_customer_id,
        clustered.component_key,
        '{{ invocation_id }}' as assigned_in_invocation_id,
        component_customers.customer_first_assigned_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as assigned_at
    from clustered
    inner join component_customers
        on clustered.component_key = component_customers.component_key
    left join previous
        on clustered.identifier_key = previous.identifier_key
    where previous.customer_id is distinct from component_customers.customer_id
)

select * from final
