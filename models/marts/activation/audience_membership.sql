-- GENERATED from audiences/*.yml by `python -m cdp.activation compile`: edit the YAML, not this file.
-- One CTE per audience (in dependency order); the model is one row per (audience, customer_id).
-- docs/activation.md explains the audience format; tests/test_activation_audiences.py keeps this file in step.

with

customers as (
    select * from {{ ref('customer_360') }}
),

customer_events as (
    select * from {{ ref('fct_customer_events') }}
),

next_best_products as (
    select * from {{ ref('customer_next_best_products') }}
),

as_of as (
    select max(customers.traits_as_of) as as_of_at
    from customers
),

b2b_decision_makers as (
    -- audiences/b2b_decision_makers.yml
    select customers.customer_id
    from customers
    where
        customers.is_decision_maker is true
        and customers.work_email is not null
        and customers.current_account_employee_count >= 50
),

cart_abandoners as (
    -- audiences/cart_abandoners.yml
    select customers.customer_id
    from customers
    where
        customers.cart_adds >= 1
        and (
            select count(*)
            from customer_events
            where
                customer_events.customer_id = customers.customer_id
                and customer_events.event_name in ('Product Added')
                and customer_events.occurred_at >= (select as_of.as_of_at from as_of) - interval 14 day
        ) >= 1
        and (
            select count(*)
            from customer_events
            where
                customer_events.customer_id = customers.customer_id
                and customer_events.event_name in ('Order Completed', 'Store Purchase')
                and customer_events.occurred_at >= (select as_of.as_of_at from as_of) - interval 14 day
        ) <= 0
),

churn_risk as (
    -- audiences/churn_risk.yml
    select customers.customer_id
    from customers
    where
        customers.orders_count >= 1
        and (customers.churn_risk >= 0.9 or customers.rfm_recency <= 1)
),

cross_sell_in_stock as (
    -- audiences/cross_sell_in_stock.yml
    select customers.customer_id
    from customers
    where
        customers.orders_count >= 1
        and customers.customer_id in (
            select next_best_products.customer_id
            from next_best_products
            where
                next_best_products.sellable_units > 0
                and next_best_products.unit_margin > 0
                and next_best_products.product_rank <= 3
        )
),

high_predicted_value as (
    -- audiences/high_predicted_value.yml
    select customers.customer_id
    from customers
    where
        (customers.predicted_ltv >= 500 or customers.rfm_monetary >= 5)
),

lapsing_customers as (
    -- audiences/lapsing_customers.yml
    select customers.customer_id
    from customers
    where
        customers.orders_count >= 1
        and customers.engagement_score_change_30d < 0
        and customers.journey_stage in ('active', 'at_risk')
        and customers.customer_id not in (select churn_risk.customer_id from churn_risk)
),

service_follow_up as (
    -- audiences/service_follow_up.yml
    select customers.customer_id
    from customers
    where
        customers.last_csat <= 3
        and customers.last_csat_at >= (select as_of.as_of_at from as_of) - interval 90 day
),

memberships as (
    select
        'b2b_decision_makers' as audience,
        'email_marketing' as consent_purpose,
        'work' as consent_context,
        b2b_decision_makers.customer_id
    from b2b_decision_makers

    union all

    select
        'cart_abandoners' as audience,
        'email_marketing' as consent_purpose,
        'personal' as consent_context,
        cart_abandoners.customer_id
    from cart_abandoners

    union all

    select
        'churn_risk' as audience,
        'advertising' as consent_purpose,
        'personal' as consent_context,
        churn_risk.customer_id
    from churn_risk

    union all

    select
        'cross_sell_in_stock' as audience,
        'email_marketing' as consent_purpose,
        'personal' as consent_context,
        cross_sell_in_stock.customer_id
    from cross_sell_in_stock

    union all

    select
        'high_predicted_value' as audience,
        'advertising' as consent_purpose,
        'personal' as consent_context,
        high_predicted_value.customer_id
    from high_predicted_value

    union all

    select
        'lapsing_customers' as audience,
        'email_marketing' as consent_purpose,
        'personal' as consent_context,
        lapsing_customers.customer_id
    from lapsing_customers

    union all

    select
        'service_follow_up' as audience,
        'personalization' as consent_purpose,
        'personal' as consent_context,
        service_follow_up.customer_id
    from service_follow_up
),

final as (
    select
        md5(audience || '|' || customer_id) as audience_membership_id,
        customer_id,
        audience,
        consent_purpose,
        consent_context
    from memberships
)

select * from final
