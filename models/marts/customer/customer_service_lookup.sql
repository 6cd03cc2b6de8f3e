{#- The call centre's lookup: one row per email and phone identifier of every customer, so that
    `where lookup_type = 'email' and lookup_value = ?` (emails lower-case without +tag, phones E.164) returns
    the person's name, open orders with their numbers, last order, open tickets and consent summary.
    `cdp lookup --email/--phone` runs that query on the published copy. -#}

with

identifiers as (
    select * from {{ ref('customer_identifiers') }}
    where identifier_type in ('email', 'phone')
),

profiles as (
    select * from {{ ref('customer_360') }}
),

orders as (
    select * from {{ ref('stg_orders__orders') }}
    where is_current
),

tickets as (
    select * from {{ ref('stg_support_tickets__tickets') }}
    where is_current
),

resolved as (
    select distinct
        source,
        record_key,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where customer_id is not null and source in ('orders', 'support_tickets')
),

customer_orders as (
    select
        resolved.customer_id,
        list(orders.order_id order by orders.ordered_at desc, orders.order_id asc) filter (
            where orders.order_status in ('placed', 'shipped')
        ) as open_order_ids,
        count(*) filter (where orders.order_status in ('placed', 'shipped')) as open_orders_count,
        arg_max(orders.order_id, (orders.ordered_at, orders.order_id)) as last_order_id,
        arg_max(orders.order_status, (orders.ordered_at, orders.order_id)) as last_order_status,
        arg_max(orders.order_total, (orders.ordered_at, orders.order_id)) as last_order_total,
        max(orders.ordered_at) as last_order_at
    from orders
    inner join resolved
        on resolved.source = 'orders' and orders.order_id = resolved.record_key
    group by resolved.customer_id
),

customer_tickets as (
    select
        resolved.customer_id,
        list(tickets.ticket_id order by tickets.opened_at desc, tickets.ticket_id asc) as open_ticket_ids,
        count(*) as open_tickets_count
    from tickets
    inner join resolved
        on resolved.source = 'support_tickets' and tickets.ticket_id = resolved.record_key
    where tickets.is_open
    group by resolved.customer_id
),

final as (
    select
        identifiers.identifier_key as lookup_id,
        identifiers.customer_id,
        identifiers.identifier_type as lookup_type,
        identifiers.identifier_value as lookup_value,
        profiles.first_name,
        profiles.last_name,
        customer_orders.last_order_id,
        customer_orders.last_order_status,
        case
            when profiles.is_email_suppressed then 'email suppressed'
            when profiles.is_email_marketing_granted then 'email marketing granted'
            else 'no email marketing consent'
        end || '; ' || case
            when profiles.is_sms_marketing_granted then 'sms marketing granted' else 'no sms marketing consent'
        end || '; ' || case
            when profiles.is_advertising_granted then 'advertising granted' else 'no advertising consent'
        end as consent_summary,
        coalesce(customer_orders.open_order_ids, []) as open_order_ids,
        coalesce(customer_tickets.open_ticket_ids, []) as open_ticket_ids,
        coalesce(customer_orders.open_orders_count, 0) as open_orders_count,
        customer_orders.last_order_total,
        coalesce(customer_tickets.open_tickets_count, 0) as open_tickets_count,
        profiles.is_email_marketing_granted,
        profiles.is_sms_marketing_granted,
        profiles.is_advertising_granted,
        profiles.is_email_suppressed,
        customer_orders.last_order_at
    from identifiers
    inner join profiles
        on identifiers.customer_id = profiles.customer_id
    left join customer_orders
        on identifiers.customer_id = customer_orders.customer_id
    left join customer_tickets
        on identifiers.customer_id = customer_tickets.customer_id
)

select * from final
