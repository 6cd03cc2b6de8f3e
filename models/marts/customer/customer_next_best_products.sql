{#- The cross-sell input: per customer, up to cdp__next_best_products_count (default 5) products that are
    active, in stock and sold at a positive margin (dim_products.is_recommendable), that the customer has not
    bought in the last cdp__next_best_products_exclude_days (default 90), ranked by the customer's interest in
    the product's category (purchases, cart adds, views), then by unit margin. Candidates are the products of
    the customer's three favourite categories and the ten best sellers of the last 90 days, so the work grows
    with customers, not with customers times catalogue. Of a favourite category only the first
    (count + products the customer bought there lately) products by margin can make the list (the rest have
    at least `count` unbought products of the same interest and a higher margin ahead of them), so only those
    are candidates: 1.7 million candidate rows instead of 33 million at 10^6 events (same result). -#}
{%- set top_n = var('cdp__next_best_products_count', 5) %}
{%- set exclude_days = var('cdp__next_best_products_exclude_days', 90) %}

with

products as (
    select * from {{ ref('dim_products') }}
),

categories as (
    select * from {{ ref('int_customer_categories_ranked') }}
),

events as (
    select * from {{ ref('fct_customer_events') }}
),

order_items as (
    select * from {{ ref('stg_order_items__order_items') }}
    where is_current
),

as_of as (
    select * from {{ ref('int_traits_as_of') }}
),

recent_purchases as (
    select distinct
        events.customer_id,
        coalesce(order_items.sku, events.sku) as sku
    from events
    cross join as_of
    left join order_items
        on events.source = 'orders' and events.source_event_id = order_items.order_id
    where
        events.event_name in ('Order Completed', 'Store Purchase')
        and events.occurred_at > as_of.as_of_at - interval {{ exclude_days }} day
        and coalesce(order_items.sku, events.sku) is not null
),

best_sellers as (
    select
        recent_purchases.sku,
        count(*) as buyers
    from recent_purchases
    inner join products
        on recent_purchases.sku = products.sku
    where products.is_recommendable
    group by recent_purchases.sku
    order by buyers desc, recent_purchases.sku asc
    limit 10
),

customers as (
    select distinct customer_id from categories
),

products_ranked as (
    select
        sku,
        category,
        row_number() over (
            partition by category
            order by unit_margin desc, sku asc
        ) as category_margin_rank
    from products
    where is_recommendable
),

purchases_per_category as (
    select
        recent_purchases.customer_id,
        products.category,
        count(*) as products_bought
    from recent_purchases
    inner join products
        on recent_purchases.sku = products.sku
    group by
        recent_purchases.customer_id,
        products.category
),

candidates as (
    select
        categories.customer_id,
        products_ranked.sku,
        categories.interest_score
    from categories
    inner join products_ranked
        on categories.category = products_ranked.category
    left join purchases_per_category
        on
            categories.customer_id = purchases_per_category.customer_id
            and categories.category = purchases_per_category.category
    where
        categories.category_rank <= 3
        and products_ranked.category_margin_rank
        <= {{ top_n }} + coalesce(purchases_per_category.products_bought, 0)
    union all
    select
        customers.customer_id,
        best_sellers.sku,
        0 as interest_score
    from customers
    cross join best_sellers
),

candidates_not_bought as (
    select candidates.*
    from candidates
    left join recent_purchases
        on
            candidates.customer_id = recent_purchases.customer_id
            and candidates.sku = recent_purchases.sku
    where recent_purchases.sku is null
),

ranked as (
    select
        candidates_not_bought.customer_id,
        candidates_not_bought.sku,
        row_number() over (
            partition by candidates_not_bought.customer_id
            order by
                max(candidates_not_bought.interest_score) desc,
                any_value(products.unit_margin) desc,
                candidates_not_bought.sku asc
        ) as product_rank,
        max(candidates_not_bought.interest_score) as category_interest_score
    from candidates_not_bought
    inner join products
        on candidates_not_bought.sku = products.sku
    group by
        candidates_not_bought.customer_id,
        candidates_not_bought.sku
),

final as (
    select
        ranked.customer_id || '|' || cast(ranked.product_rank as varchar) as next_best_product_id,
        ranked.customer_id,
        ranked.sku,
        products.product_name,
        products.category,
        ranked.product_rank,
        ranked.category_interest_score,
        products.unit_margin,
        products.list_price,
        cast(products.sellable_units as bigint) as sellable_units,
        products.fastest_fulfillment_days
    from ranked
    inner join products
        on ranked.sku = products.sku
    where ranked.product_rank <= {{ top_n }}
)

select * from final
