{#- customer_360 for analysts who must not see PII: no names, no street or city, no work email; birth date as
    a ten-year age band, postcode as its district (US ZIP3, else the outward part of the postcode), email and
    phone as SHA-256 of their normalized form (emails lower-case without +tag, phones E.164), so analysts can
    count and join without reading them. Every trait column is kept as in customer_360. -#}

with

profiles as (
    select * from {{ ref('customer_360') }}
),

final as (
    select
        -- ids
        customer_id,
        current_account_id,
        -- generalized identity
        case when email is not null then sha256({{ identity_normalize_identifier('email', 'lower(email)') }}) end
            as email_sha256,
        case when phone is not null then sha256(phone) end as phone_sha256,
        case
            when date_of_birth is null then null
            when date_diff('year', date_of_birth, cast(traits_as_of as date)) < 18 then 'under 18'
            when date_diff('year', date_of_birth, cast(traits_as_of as date)) >= 80 then '80+'
            else cast(10 * (date_diff('year', date_of_birth, cast(traits_as_of as date)) // 10) as varchar)
                || '-' || cast(10 * (date_diff('year', date_of_birth, cast(traits_as_of as date)) // 10) + 9 as varchar)
        end as age_band,
        case
            when postcode is null then null
            when regexp_matches(postcode, '^[0-9]{5}') then left(postcode, 3)
            else upper(split_part(trim(postcode), ' ', 1))
        end as postcode_district,
        country,
        -- activity
        first_seen_at,
        last_seen_at,
        sessions_count,
        page_views,
        product_views,
        cart_adds,
        last_cart_add_at,
        orders_count,
        first_order_at,
        last_order_at,
        revenue_total,
        average_order_value,
        returns_count,
        store_revenue_share,
        favourite_category,
        email_sends,
        email_opens,
        email_clicks,
        last_email_open_at,
        engagement_score,
        engagement_score_change_30d,
        tickets_open,
        tickets_closed,
        last_csat,
        last_csat_at,
        nps,
        loyalty_tier,
        loyalty_points,
        rfm_recency,
        rfm_frequency,
        rfm_monetary,
        rfm_segment,
        journey_stage,
        journey_stage_entered_at,
        churn_risk,
        purchase_propensity_90d,
        predicted_ltv,
        email_open_probability,
        stated_preferred_channel,
        stated_interests,
        stated_contact_frequency,
        current_account_name,
        current_account_industry,
        current_account_employee_count,
        "current_role",
        is_decision_maker,
        is_email_marketing_granted,
        is_sms_marketing_granted,
        is_advertising_granted,
        is_email_suppressed,
        is_anonymous,
        traits_as_of
    from profiles
)

select * from final
