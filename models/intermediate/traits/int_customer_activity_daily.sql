{#- One row per customer and day with activity: the incremental event parts summed and joined to the current
    identity, plus the day's orders (orders are entities whose status changes, one row per order, so they are
    read whole). The input of every activity trait, the journey stages and the prediction features. -#}

with

parts as (
    select * from {{ ref('int_event_activity_aggregated') }}
),

sets as (
    select * from {{ ref('int_identity_sets_resolved') }}
),

orders as (
    select * from {{ ref('stg_orders__orders') }}
    where is_current
),

order_customers as (
    select distinct
        record_key as order_id,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where source = 'orders' and customer_id is not null
),

event_days as (
    select
        sets.customer_id,
        parts.activity_date,
        sum(parts.event_count) filter (where parts.source in ('web_events', 'mobile_events')) as web_app_events,
        sum(parts.event_count) filter (where parts.event_name in ('Page Viewed', 'Screen Viewed')) as page_views,
        sum(parts.event_count) filter (where parts.event_name = 'Product Viewed') as product_views,
        sum(parts.event_count) filter (where parts.event_name = 'Product Added') as cart_adds,
        sum(parts.event_count) filter (where parts.event_name = 'Email Sent') as email_sends,
        sum(parts.event_count) filter (where parts.event_name = 'Email Opened') as email_opens,
        sum(parts.event_count) filter (where parts.event_name = 'Email Link Clicked') as email_clicks,
        sum(parts.event_count) filter (where parts.event_name = 'Store Purchase') as store_purchase_lines,
        sum(parts.amount_total) filter (where parts.event_name = 'Store Purchase') as store_purchase_amount,
        sum(parts.event_count) filter (where parts.event_name = 'Store Return') as store_return_lines,
        min(parts.first_occurred_at) filter (
            where parts.source <> 'email_events' or parts.event_name in ('Email Opened', 'Email Link Clicked')
        ) as first_active_at,
        max(parts.last_occurred_at) filter (
            where parts.source <> 'email_events' or parts.event_name in ('Email Opened', 'Email Link Clicked')
        ) as last_active_at,
        max(parts.last_occurred_at) filter (where parts.event_name = 'Product Added') as last_cart_add_at,
        max(parts.last_occurred_at) filter (where parts.event_name = 'Email Opened') as last_email_open_at
    from parts
    inner join sets
        on parts.identity_set_id = sets.identity_set_id
    group by all
),

order_days as (
    select
        order_customers.customer_id,
        cast(orders.ordered_at as date) as activity_date,
        count(*) filter (where orders.order_status <> 'cancelled') as orders_count,
        count(*) filter (where orders.order_status = 'returned') as returns_count,
        sum(orders.order_total) filter (where orders.order_status not in ('cancelled', 'returned')) as order_revenue,
        sum(orders.order_total) filter (
            where orders.order_status not in ('cancelled', 'returned') and orders.channel = 'store'
        ) as store_order_revenue,
        min(orders.ordered_at) filter (where orders.order_status <> 'cancelled') as first_order_at,
        max(orders.ordered_at) filter (where orders.order_status <> 'cancelled') as last_order_at
    from orders
    inner join order_customers
        on orders.order_id = order_customers.order_id
    where orders.ordered_at is not null
    group by all
),

final as (
    select
        coalesce(event_days.customer_id, order_days.customer_id) || '|'
        || cast(coalesce(event_days.activity_date, order_days.activity_date) as varchar) as customer_day_id,
        coalesce(event_days.customer_id, order_days.customer_id) as customer_id,
        cast(coalesce(event_days.web_app_events, 0) as bigint) as web_app_events,
        cast(coalesce(event_days.page_views, 0) as bigint) as page_views,
        cast(coalesce(event_days.product_views, 0) as bigint) as product_views,
        cast(coalesce(event_days.cart_adds, 0) as bigint) as cart_adds,
        cast(coalesce(event_days.email_sends, 0) as bigint) as email_sends,
        cast(coalesce(event_days.email_opens, 0) as bigint) as email_opens,
        cast(coalesce(event_days.email_clicks, 0) as bigint) as email_clicks,
        cast(coalesce(event_days.store_purchase_lines, 0) as bigint) as store_purchase_lines,
        cast(coalesce(event_days.store_purchase_amount, 0) as decimal(18, 2)) as store_purchase_amount,
        cast(coalesce(event_days.store_return_lines, 0) as bigint) as store_return_lines,
        cast(coalesce(order_days.orders_count, 0) as bigint) as orders_count,
        cast(coalesce(order_days.returns_count, 0) as bigint) as returns_count,
        cast(coalesce(order_days.order_revenue, 0) as decimal(18, 2)) as order_revenue,
        cast(coalesce(order_days.store_order_revenue, 0) as decimal(18, 2)) as store_order_revenue,
        coalesce(event_days.activity_date, order_days.activity_date) as activity_date,
        least(event_days.first_active_at, order_days.first_order_at) as first_active_at,
        greatest(event_days.last_active_at, order_days.last_order_at) as last_active_at,
        event_days.last_cart_add_at,
        event_days.last_email_open_at,
        order_days.first_order_at,
        order_days.last_order_at
    from event_days
    full outer join order_days
        on
            event_days.customer_id = order_days.customer_id
            and event_days.activity_date = order_days.activity_date
)

select * from final
