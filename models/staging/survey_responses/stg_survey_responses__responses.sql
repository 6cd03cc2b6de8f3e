with

base as (
    select * from {{ ref('base_survey_responses__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        response_id,
        -- strings
        email,
        {{ cdp_json_text('answers', 'preferred_channel') }} as preferred_channel,
        {{ cdp_json_text('answers', 'contact_frequency') }} as contact_frequency,
        comment,
        -- numerics
        case when nps between 0 and 10 then nps end as nps,
        -- timestamps
        submitted_at,
        -- semi-structured
        answers,
        try_cast({{ cdp_json_text('answers', 'interests') }} as varchar[]) as interests,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
