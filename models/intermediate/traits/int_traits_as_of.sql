{#- One row: the reference time of every trait relative to "now". The dbt var cdp__as_of when set (a date or
    timestamp, UTC), else the latest behavioural event time landed, ignoring event times more than a day
    after their landing (clock faults such as a batch stamped 2050). Never the wall clock: two runs on the
    same data give the same warehouse. -#}
{%- set as_of_var = var('cdp__as_of', '') %}

with

parts as (
    select * from {{ ref('int_event_activity_aggregated') }}
),

orders as (
    select * from {{ ref('stg_orders__orders') }}
),

landed as (
    select
        last_occurred_at as occurred_at,
        ingested_at
    from parts
    union all
    select
        ordered_at as occurred_at,
        _ingested_at as ingested_at
    from orders
),

latest as (
    select
        coalesce(
            max(occurred_at) filter (where occurred_at <= ingested_at + interval 1 day),
            cast('1970-01-01' as timestamp)
        ) as latest_event_at
    from landed
),

final as (
    select
        coalesce(cast(nullif('{{ as_of_var }}', '') as timestamp), latest_event_at) as as_of_at,
        case when '{{ as_of_var }}' = '' then 'latest_event' else 'var' end as as_of_origin
    from latest
)

select * from final
