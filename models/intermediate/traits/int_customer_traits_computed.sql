{#- The computed activity traits of each customer with any activity: lifetime counts and money, recency, the
    30-day engagement score and its change, and RFM scores and segment. Read from the customer-day table, so
    its cost follows customers and active days, not events. -#}

with

daily as (
    select * from {{ ref('int_customer_activity_daily') }}
),

sessions as (
    select * from {{ ref('int_customer_sessions_counted') }}
),

categories as (
    select * from {{ ref('int_customer_categories_ranked') }}
    where category_rank = 1
),

as_of as (
    select * from {{ ref('int_traits_as_of') }}
),

windowed as (
    select
        daily.*,
        daily.activity_date > cast(as_of.as_of_at as date) - 30 as is_last_30d,
        daily.activity_date <= cast(as_of.as_of_at as date) - 30
        and daily.activity_date > cast(as_of.as_of_at as date) - 60 as is_previous_30d
    from daily
    cross join as_of
    where daily.activity_date <= cast(as_of.as_of_at as date)
),

totals as (
    select
        customer_id,
        cast(sum(page_views) as bigint) as page_views,
        cast(sum(product_views) as bigint) as product_views,
        cast(sum(cart_adds) as bigint) as cart_adds,
        cast(sum(orders_count) as bigint) as orders_count,
        cast(sum(returns_count + store_return_lines) as bigint) as returns_count,
        cast(sum(returns_count) as bigint) as order_returns_count,
        cast(sum(order_revenue) as decimal(18, 2)) as order_revenue,
        cast(sum(order_revenue + store_purchase_amount) as decimal(18, 2)) as revenue_total,
        cast(sum(store_order_revenue + store_purchase_amount) as decimal(18, 2)) as store_revenue,
        cast(sum(store_purchase_lines) as bigint) as store_purchase_lines,
        cast(sum(email_sends) as bigint) as email_sends,
        cast(sum(email_opens) as bigint) as email_opens,
        cast(sum(email_clicks) as bigint) as email_clicks,
        {%- for window in ['last_30d', 'previous_30d'] %}
        sum(
            page_views + 2 * product_views + 5 * cart_adds + 10 * orders_count + 5 * store_purchase_lines
            + 2 * email_opens + 4 * email_clicks
        ) filter (where is_{{ window }}) as engagement_points_{{ window }},
        {%- endfor %}
        min(first_active_at) as first_seen_at,
        max(last_active_at) as last_seen_at,
        min(first_order_at) as first_order_at,
        max(last_order_at) as last_order_at,
        max(last_cart_add_at) as last_cart_add_at,
        max(last_email_open_at) as last_email_open_at,
        max(activity_date) filter (
            where orders_count > 0 or store_purchase_lines > 0
        ) as last_purchase_date,
        count(*) filter (where orders_count > 0 or store_purchase_lines > 0) as purchase_days
    from windowed
    group by customer_id
),

scored as (
    select
        totals.*,
        -- 0..100: saturating in the points of the window (50 points, e.g. 5 orders or 25 email opens, ~ 63)
        cast(round(100 * (1 - exp(-coalesce(totals.engagement_points_last_30d, 0) / 50.0))) as integer)
            as engagement_score,
        cast(round(100 * (1 - exp(-coalesce(totals.engagement_points_previous_30d, 0) / 50.0))) as integer)
            as engagement_score_previous_30d
    from totals
),

rfm as (
    select
        customer_id,
        ntile(5) over (order by last_purchase_date asc, customer_id asc) as rfm_recency,
        ntile(5) over (order by purchase_days asc, customer_id asc) as rfm_frequency,
        ntile(5) over (order by revenue_total asc, customer_id asc) as rfm_monetary
    from scored
    where purchase_days > 0
),

final as (
    select
        scored.customer_id,
        categories.category as favourite_category,
        case
            when rfm.customer_id is null then 'prospect'
            when rfm.rfm_recency >= 4 and rfm.rfm_frequency >= 4 and rfm.rfm_monetary >= 4 then 'champions'
            when rfm.rfm_recency >= 3 and rfm.rfm_frequency >= 4 then 'loyal'
            when rfm.rfm_recency >= 4 and rfm.rfm_frequency <= 1 then 'new_customers'
            when rfm.rfm_recency >= 4 then 'potential_loyalists'
            when rfm.rfm_recency = 3 then 'needs_attention'
            when rfm.rfm_frequency >= 4 then 'cannot_lose_them'
            when rfm.rfm_frequency >= 2 then 'at_risk'
            else 'hibernating'
        end as rfm_segment,
        coalesce(sessions.sessions_count, 0) as sessions_count,
        scored.page_views,
        scored.product_views,
        scored.cart_adds,
        scored.orders_count,
        scored.returns_count,
        cast(scored.revenue_total as decimal(18, 2)) as revenue_total,
        cast(scored.order_revenue / nullif(scored.orders_count - scored.order_returns_count, 0) as decimal(18, 2))
            as average_order_value,
        cast(scored.store_revenue / nullif(scored.revenue_total, 0) as double) as store_revenue_share,
        scored.email_sends,
        scored.email_opens,
        scored.email_clicks,
        scored.engagement_score,
        scored.engagement_score - scored.engagement_score_previous_30d as engagement_score_change_30d,
        rfm.rfm_recency,
        rfm.rfm_frequency,
        rfm.rfm_monetary,
        scored.first_seen_at,
        scored.last_seen_at,
        scored.first_order_at,
        scored.last_order_at,
        scored.last_cart_add_at,
        scored.last_email_open_at
    from scored
    left join sessions
        on scored.customer_id = sessions.customer_id
    left join categories
        on scored.customer_id = categories.customer_id
    left join rfm
        on scored.customer_id = rfm.customer_id
)

select * from final
