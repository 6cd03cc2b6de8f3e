{#- B2B history: every membership of a person at an organisation (role, work email, start and end), with the
    customer it resolved to. A person who changes company keeps one customer_id and their personal history;
    the new employer is a new row, and customer_360 shows the current one (is_current_relationship). -#}

with

memberships as (
    select * from {{ ref('int_customer_memberships_joined') }}
),

final as (
    select
        membership_id,
        customer_id,
        account_id,
        account_name,
        account_industry,
        role,
        work_email,
        job_title,
        account_employee_count,
        is_active,
        is_decision_maker,
        is_current_relationship,
        started_at,
        ended_at
    from memberships
)

select * from final
