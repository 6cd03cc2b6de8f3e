with

source as (
    select * from {{ source('privacy', 'request_log') }}
),

final as (
    select
        -- ids
        md5(request_id || '|' || step || '|' || coalesce(destination, '') || '|' || cast(logged_at as varchar))
            as request_step_id,
        request_id as privacy_request_id,
        -- strings
        request_type,
        regime,
        step,
        destination,
        status as step_status,
        detail,
        -- timestamps
        received_at,
        due_at,
        logged_at
    from source
)

select * from final
