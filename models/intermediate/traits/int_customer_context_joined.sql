{#- Per customer, the context that is not behaviour: service (tickets open and closed, the last CSAT), the last
    NPS and the stated (zero-party) preferences of surveys, the loyalty tier and points, and the current B2B
    relationship (employer, role, work email, whether the person decides purchases). -#}

with

resolved as (
    select distinct
        source,
        record_key,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where customer_id is not null
),

tickets as (
    select * from {{ ref('stg_support_tickets__tickets') }}
    where is_current
),

surveys as (
    select * from {{ ref('stg_survey_responses__responses') }}
),

loyalty_members as (
    select * from {{ ref('stg_loyalty_members__members') }}
    where is_current
),

source_records as (
    select * from {{ ref('customer_source_records') }}
    where source = 'loyalty_members' and customer_id is not null
),

memberships as (
    select * from {{ ref('int_customer_memberships_joined') }}
    where is_current_relationship
),

service as (
    select
        resolved.customer_id,
        count(*) filter (where tickets.is_open) as tickets_open,
        count(*) filter (where not tickets.is_open) as tickets_closed,
        arg_max(tickets.csat, coalesce(tickets.closed_at, tickets.opened_at)) filter (
            where tickets.csat is not null
        ) as last_csat,
        max(coalesce(tickets.closed_at, tickets.opened_at)) filter (where tickets.csat is not null) as last_csat_at
    from tickets
    inner join resolved
        on resolved.source = 'support_tickets' and tickets.ticket_id = resolved.record_key
    group by resolved.customer_id
),

stated as (
    select
        resolved.customer_id,
        arg_max(surveys.nps, surveys.submitted_at) filter (where surveys.nps is not null) as nps,
        max(surveys.submitted_at) filter (where surveys.nps is not null) as nps_at,
        arg_max(surveys.preferred_channel, surveys.submitted_at) filter (
            where surveys.preferred_channel is not null
        ) as stated_preferred_channel,
        arg_max(surveys.interests, surveys.submitted_at) filter (
            where len(surveys.interests) > 0
        ) as stated_interests,
        arg_max(surveys.contact_frequency, surveys.submitted_at) filter (
            where surveys.contact_frequency is not null
        ) as stated_contact_frequency,
        max(surveys.submitted_at) as stated_at
    from surveys
    inner join resolved
        on resolved.source = 'survey_responses' and surveys.response_id = resolved.record_key
    group by resolved.customer_id
),

loyalty as (
    select
        source_records.customer_id,
        arg_max(loyalty_members.tier, loyalty_members.points_balance) as loyalty_tier,
        max(loyalty_members.points_balance) as loyalty_points
    from loyalty_members
    inner join source_records
        on loyalty_members.loyalty_id = source_records.source_record_id
    group by source_records.customer_id
),

customers as (
    select customer_id from service
    union
    select customer_id from stated
    union
    select customer_id from loyalty
    union
    select customer_id from memberships
),

final as (
    select
        customers.customer_id,
        memberships.account_id as current_account_id,
        memberships.account_name as current_account_name,
        memberships.account_industry as current_account_industry,
        memberships.role as current_account_role,
        memberships.work_email,
        memberships.job_title as current_job_title,
        loyalty.loyalty_tier,
        stated.stated_preferred_channel,
        stated.stated_interests,
        stated.stated_contact_frequency,
        memberships.account_employee_count as current_account_employee_count,
        coalesce(service.tickets_open, 0) as tickets_open,
        coalesce(service.tickets_closed, 0) as tickets_closed,
        service.last_csat,
        stated.nps,
        loyalty.loyalty_points,
        memberships.is_decision_maker,
        service.last_csat_at,
        stated.nps_at,
        stated.stated_at
    from customers
    left join service
        on customers.customer_id = service.customer_id
    left join stated
        on customers.customer_id = stated.customer_id
    left join loyalty
        on customers.customer_id = loyalty.customer_id
    left join memberships
        on customers.customer_id = memberships.customer_id
)

select * from final
