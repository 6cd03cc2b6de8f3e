with

base as (
    select * from {{ ref('base_web_events__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        message_id,
        anonymous_id,
        user_id,
        -- strings
        type as event_type,
        event as event_name,
        {{ normalize_email(cdp_json_text('traits', 'email')) }} as trait_email,
        {{ normalize_phone(cdp_json_text('traits', 'phone')) }} as trait_phone,
        {{ cdp_json_text('traits', 'first_name') }} as trait_first_name,
        {{ cdp_json_text('traits', 'last_name') }} as trait_last_name,
        {{ cdp_json_text('context', 'ip') }} as context_ip,
        {{ cdp_json_text('context', 'user_agent') }} as context_user_agent,
        {{ cdp_json_text('context', 'locale') }} as context_locale,
        {{ cdp_json_text('context', 'page.url') }} as page_url,
        {{ cdp_json_text('context', 'page.path') }} as page_path,
        {{ cdp_json_text('context', 'page.referrer') }} as page_referrer,
        {{ cdp_json_text('context', 'page.title') }} as page_title,
        {{ cdp_json_text('context', 'campaign.source') }} as campaign_source,
        {{ cdp_json_text('context', 'campaign.medium') }} as campaign_medium,
        {{ cdp_json_text('context', 'campaign.name') }} as campaign_name,
        -- timestamps
        timestamp as occurred_at,
        -- semi-structured
        context,
        properties,
        traits,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
