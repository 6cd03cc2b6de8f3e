{#- What was done for each data-subject request, step by step, with the legal deadline (GDPR: one month from
    receipt; CCPA: 45 days) and whether the request was completed on time. Requests received but not processed
    yet appear with step `received`, so an overdue request is visible before anything was done. -#}

with

steps as (
    select * from {{ ref('stg_privacy__request_log') }}
),

requests as (
    select * from {{ ref('stg_privacy_requests__requests') }}
),

processed as (
    select distinct privacy_request_id from steps
),

waiting as (
    select
        md5(requests.privacy_request_id || '|received') as request_step_id,
        requests.privacy_request_id,
        requests.request_type,
        {{ privacy_regime('requests.request_type') }} as regime,
        'received' as step,
        cast(null as varchar) as destination,
        'pending' as step_status,
        'waiting for the next privacy run' as detail,
        requests.received_at,
        {{ privacy_due_at('requests.request_type', 'requests.received_at') }} as due_at,
        requests.received_at as logged_at
    from requests
    left join processed on requests.privacy_request_id = processed.privacy_request_id
    where processed.privacy_request_id is null
),

unioned as (
    select * from steps
    union all
    select * from waiting
),

final as (
    select
        -- ids
        request_step_id,
        privacy_request_id,
        -- strings
        request_type,
        regime,
        step,
        destination,
        step_status,
        detail,
        -- booleans
        max(case when step = 'completed' then logged_at end) over (partition by privacy_request_id) is not null
            as is_request_completed,
        coalesce(
            max(case when step = 'completed' then logged_at end) over (partition by privacy_request_id),
            cast(current_timestamp as timestamp)
        ) > due_at as is_overdue,
        -- timestamps
        received_at,
        due_at,
        logged_at
    from unioned
)

select * from final
