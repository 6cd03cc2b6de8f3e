{#- Each customer's interest per product category: purchases weigh 5 (order lines and till lines), cart adds 2,
    product views 1. Rank 1 is the favourite category. -#}

with

parts as (
    select * from {{ ref('int_event_activity_aggregated') }}
),

sets as (
    select * from {{ ref('int_identity_sets_resolved') }}
),

order_items as (
    select * from {{ ref('stg_order_items__order_items') }}
    where is_current
),

orders as (
    select * from {{ ref('stg_orders__orders') }}
    where is_current and order_status <> 'cancelled'
),

order_customers as (
    select distinct
        record_key as order_id,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where source = 'orders' and customer_id is not null
),

products as (
    select * from {{ ref('dim_products') }}
),

signals as (
    select
        sets.customer_id,
        parts.category,
        sum(
            parts.event_count * case parts.event_name
                when 'Store Purchase' then 5 when 'Product Added' then 2 else 1
            end
        ) as interest_score
    from parts
    inner join sets
        on parts.identity_set_id = sets.identity_set_id
    where parts.category is not null
        and parts.event_name in ('Product Viewed', 'Product Added', 'Store Purchase')
    group by all
    union all
    select
        order_customers.customer_id,
        products.category,
        5 * count(*) as interest_score
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join order_customers
        on order_items.order_id = order_customers.order_id
    inner join products
        on order_items.sku = products.sku
    where products.category is not null
    group by all
),

final as (
    select
        customer_id || '|' || category as customer_category_id,
        customer_id,
        category,
        sum(interest_score) as interest_score,
        row_number() over (
            partition by customer_id order by sum(interest_score) desc, category
        ) as category_rank
    from signals
    group by
        customer_id,
        category
)

select * from final
