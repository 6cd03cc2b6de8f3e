{#- Every B2B membership (one person's role at an organisation over time; current version), with the customer
    it resolves to, the account and the CRM job title. A person who changes company keeps their customer_id
    and personal history and gets a new membership; the latest started one without an end is current. -#}

with

memberships as (
    select * from {{ ref('stg_b2b_memberships__memberships') }}
    where is_current
),

accounts as (
    select * from {{ ref('stg_b2b_accounts__accounts') }}
    where is_current
),

contacts as (
    select * from {{ ref('stg_crm_contacts__contacts') }}
    where is_current
),

resolved as (
    select distinct
        record_key,
        customer_id
    from {{ ref('int_source_records_resolved') }}
    where source = 'b2b_memberships' and customer_id is not null
),

joined as (
    select
        md5(
            coalesce(memberships.contact_id, '') || '|' || coalesce(memberships.work_email, '') || '|'
            || memberships.account_id || '|' || coalesce(cast(memberships.started_at as varchar), '')
        ) as membership_id,
        resolved.customer_id,
        memberships.account_id,
        memberships.contact_id,
        accounts.account_name,
        accounts.industry as account_industry,
        memberships.role,
        memberships.work_email,
        contacts.job_title,
        accounts.employee_count as account_employee_count,
        memberships.ended_at is null as is_active,
        coalesce(
            memberships.role in ('buyer', 'approver')
            or regexp_matches(
                lower(coalesce(contacts.job_title, '')),
                '(^|[^a-z])(ceo|cfo|coo|cto|chief|head of|director|vp|vice president'
                || '|owner|founder|president|procurement lead)([^a-z]|$)'
            ),
            false
        ) as is_decision_maker,
        memberships.started_at,
        memberships.ended_at
    from memberships
    inner join resolved
        on
            coalesce(memberships.contact_id, '') || '|' || coalesce(memberships.work_email, '') || '|'
            || memberships.account_id = resolved.record_key
    left join accounts
        on memberships.account_id = accounts.account_id
    left join contacts
        on contacts.crm_contact_key = 'salesforce:' || memberships.contact_id
),

final as (
    select
        *,
        is_active and row_number() over (
            partition by customer_id, is_active order by started_at desc nulls last, membership_id asc
        ) = 1 as is_current_relationship
    from joined
)

select * from final
