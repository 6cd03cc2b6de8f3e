{#- One row per behavioural event resolved to a customer, for audience conditions ("Product Added in the last
    3 days and no Order Completed since"): web and app events, orders as Order Completed, email events, till
    purchases, service tickets and survey answers. A view: it reads the staged events and identity's
    resolution of each row, and costs nothing to build. -#}
{{ config(materialized='view') }}

with

resolved as (
    select distinct
        source,
        record_key,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where customer_id is not null
),

web_events as (
    select * from {{ ref('stg_web_events__events') }}
),

mobile_events as (
    select * from {{ ref('stg_mobile_events__events') }}
),

email_events as (
    select * from {{ ref('stg_email_events__events') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos_transactions__transactions') }}
),

orders as (
    select * from {{ ref('stg_orders__orders') }}
    where is_current
),

tickets as (
    select * from {{ ref('stg_support_tickets__tickets') }}
    where is_current
),

surveys as (
    select * from {{ ref('stg_survey_responses__responses') }}
),

{%- set sources = {} %}
{%- for s in traits_event_sources() %}{% do sources.update({s.source: s}) %}{% endfor %}

events as (
    {%- for name in ['web_events', 'mobile_events'] %}
    select
        '{{ name }}' as source,  -- noqa: RF04
        message_id as source_event_id,
        {{ sources[name].event_name }} as event_name,
        json_extract_string(properties, '$.sku') as sku,
        {{ sources[name].amount }} as amount,
        occurred_at
    from {{ name }}
    union all
    {%- endfor %}
    select
        'email_events' as source,  -- noqa: RF04
        email_event_id as source_event_id,
        {{ sources['email_events'].event_name }} as event_name,
        cast(null as varchar) as sku,
        cast(null as decimal(18, 2)) as amount,
        occurred_at
    from email_events
    union all
    select
        'pos_transactions' as source,  -- noqa: RF04
        transaction_id as source_event_id,
        {{ sources['pos_transactions'].event_name }} as event_name,
        sku,
        amount,
        transacted_at as occurred_at
    from pos_transactions
    union all
    select
        'orders' as source,  -- noqa: RF04
        order_id as source_event_id,
        case order_status when 'cancelled' then 'Order Cancelled' else 'Order Completed' end as event_name,
        cast(null as varchar) as sku,
        order_total as amount,
        ordered_at as occurred_at
    from orders
    union all
    select
        'support_tickets' as source,  -- noqa: RF04
        ticket_id as source_event_id,
        'Ticket Opened' as event_name,
        cast(null as varchar) as sku,
        cast(null as decimal(18, 2)) as amount,
        opened_at as occurred_at
    from tickets
    union all
    select
        'survey_responses' as source,  -- noqa: RF04
        response_id as source_event_id,
        'Survey Answered' as event_name,
        cast(null as varchar) as sku,
        cast(null as decimal(18, 2)) as amount,
        submitted_at as occurred_at
    from surveys
),

final as (
    select
        events.source || '|' || events.source_event_id as customer_event_id,
        resolved.customer_id,
        events.source_event_id,
        events.event_name,
        events.source,
        events.sku,
        cast(events.amount as decimal(18, 2)) as amount,
        events.occurred_at
    from events
    inner join resolved
        on
            events.source = resolved.source
            and events.source_event_id = resolved.record_key
)

select * from final
