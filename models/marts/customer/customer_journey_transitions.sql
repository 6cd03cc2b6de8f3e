{#- Every change of journey stage of every customer, replayed day by day from their active days (web or app
    visit, order, till purchase, email open or click) up to the reference time: new (first seen within 30
    days), active (last activity within 30 days), at_risk (31-90 days), lapsed (91-180), churned (over 180).
    Thresholds: dbt vars cdp__journey_at_risk_days, cdp__journey_lapsed_days, cdp__journey_churned_days. -#}
{%- set at_risk = var('cdp__journey_at_risk_days', 30) %}
{%- set lapsed = var('cdp__journey_lapsed_days', 90) %}
{%- set churned = var('cdp__journey_churned_days', 180) %}

with

daily as (
    select * from {{ ref('int_customer_activity_daily') }}
),

as_of as (
    select * from {{ ref('int_traits_as_of') }}
),

active_days as (
    select
        daily.customer_id,
        daily.activity_date,
        min(daily.activity_date) over (partition by daily.customer_id) as first_active_date,
        coalesce(
            lead(daily.activity_date) over (partition by daily.customer_id order by daily.activity_date),
            cast(as_of.as_of_at as date) + 1
        ) as next_active_date
    from daily
    cross join as_of
    where daily.first_active_at is not null and daily.activity_date <= cast(as_of.as_of_at as date)
),

-- the days on which a stage may change: an active day, the day each recency threshold is passed without
-- activity, and the day a new customer stops being new
{%- set offsets = [
    ('activity_date', 0), ('activity_date', at_risk + 1), ('activity_date', lapsed + 1),
    ('activity_date', churned + 1), ('first_active_date', at_risk + 1),
] %}
candidate_days as (
    {%- for base, offset in offsets %}
    select
        customer_id,
        activity_date as last_active_date,
        first_active_date,
        {{ base }} + {{ offset }} as stage_date
    from active_days
    where
        {{ base }} + {{ offset }} >= activity_date
        and {{ base }} + {{ offset }} < next_active_date
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

staged as (
    select distinct
        customer_id,
        stage_date,
        case
            when stage_date - last_active_date > {{ churned }} then 'churned'
            when stage_date - last_active_date > {{ lapsed }} then 'lapsed'
            when stage_date - last_active_date > {{ at_risk }} then 'at_risk'
            when stage_date - first_active_date <= {{ at_risk }} then 'new'
            else 'active'
        end as journey_stage
    from candidate_days
),

changes as (
    select
        customer_id,
        stage_date,
        journey_stage as to_stage,
        lag(journey_stage) over (partition by customer_id order by stage_date) as from_stage
    from staged
),

final as (
    select
        customer_id || '|' || cast(stage_date as varchar) as journey_transition_id,
        customer_id,
        from_stage,
        to_stage,
        cast(stage_date as timestamp) as entered_at,
        row_number() over (partition by customer_id order by stage_date desc) = 1 as is_current_stage
    from changes
    where from_stage is distinct from to_stage
)

select * from final
