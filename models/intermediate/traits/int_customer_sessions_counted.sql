{#- Web and app sessions per customer: the customer's distinct active minutes (from every cookie, install and
    device resolved to them, so one session can span devices once they are identified), a new session after
    more than cdp__session_timeout_minutes (default 30) without activity. -#}
{%- set timeout_minutes = var('cdp__session_timeout_minutes', 30) %}

with

minutes as (
    select * from {{ ref('int_event_activity_minuted') }}
),

sets as (
    select * from {{ ref('int_identity_sets_resolved') }}
),

customer_minutes as (
    select distinct
        sets.customer_id,
        minutes.active_minute_at
    from minutes
    inner join sets
        on minutes.identity_set_id = sets.identity_set_id
),

gaps as (
    select
        customer_id,
        active_minute_at,
        coalesce(
            active_minute_at - lag(active_minute_at) over (partition by customer_id order by active_minute_at)
            > interval {{ timeout_minutes }} minute,
            true
        ) as is_session_start
    from customer_minutes
),

final as (
    select
        customer_id,
        count(*) filter (where is_session_start) as sessions_count,
        count(*) filter (
            where is_session_start and active_minute_at > {{ traits_as_of() }} - interval 30 day
        ) as sessions_30d,
        max(active_minute_at) filter (where is_session_start) as last_session_started_at
    from gaps
    group by customer_id
)

select * from final
