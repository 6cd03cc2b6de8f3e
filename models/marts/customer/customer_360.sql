{#- The unified profile (CONTRACT.md section 4): one row per customer_id of identity resolution, with the
    golden record (each attribute with the source and time it came from, chosen by the seed
    survivorship_rules), computed traits, RFM and journey stage, predicted traits (published models only),
    stated preferences, the current B2B relationship, and a consent summary (deny by default). What BI tools,
    audiences and service agents read. -#}
{{ config(contract={'enforced': true}) }}
{%- set golden = ['first_name', 'last_name', 'email', 'phone', 'date_of_birth'] %}

with

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

attributes as (
    select * from {{ ref('int_golden_attributes_ranked') }}
    where is_survivor
),

traits as (
    select * from {{ ref('int_customer_traits_computed') }}
),

context as (
    select * from {{ ref('int_customer_context_joined') }}
),

journey as (
    select * from {{ ref('customer_journey_transitions') }}
    where is_current_stage
),

scores as (
    select * from {{ ref('int_trait_models_scored') }}
    where kind = 'score'
),

consent as (
    select * from {{ ref('consent_current') }}
    where consent_context = 'personal' and is_granted
),

suppressions as (
    select * from {{ ref('suppressions') }}
    where is_active
),

as_of as (
    select * from {{ ref('int_traits_as_of') }}
),

customers as (
    select
        customer_id,
        list_sort(list(distinct identifier_type)) as identifier_types,
        count(*) as identifier_count,
        bool_and(is_anonymous_customer) as is_anonymous
    from identifiers
    group by customer_id
),

golden as (
    select
        customer_id,
        {%- for attribute in golden %}
        any_value(attribute_value) filter (where attribute = '{{ attribute }}') as {{ attribute }},
        any_value(source) filter (where attribute = '{{ attribute }}') as {{ attribute }}_source,
        any_value(updated_at) filter (where attribute = '{{ attribute }}') as {{ attribute }}_updated_at,
        {%- endfor %}
        any_value(address_street) filter (where attribute = 'address') as street_address,
        any_value(address_city) filter (where attribute = 'address') as city,
        any_value(address_postcode) filter (where attribute = 'address') as postcode,
        any_value(address_country) filter (where attribute = 'address') as country,
        any_value(source) filter (where attribute = 'address') as address_source,
        any_value(updated_at) filter (where attribute = 'address') as address_updated_at
    from attributes
    group by customer_id
),

predictions as (
    select
        customer_id,
        any_value(score) filter (where trait_name = 'churn_risk') as churn_risk,
        any_value(score) filter (where trait_name = 'purchase_propensity_90d') as purchase_propensity_90d,
        any_value(score) filter (where trait_name = 'predicted_ltv') as predicted_ltv,
        any_value(score) filter (where trait_name = 'email_open_probability') as email_open_probability
    from scores
    group by customer_id
),

consent_summary as (
    select
        customer_id,
        bool_or(purpose = 'email_marketing') as is_email_marketing_granted,
        bool_or(purpose = 'sms_marketing') as is_sms_marketing_granted,
        bool_or(purpose = 'advertising') as is_advertising_granted
    from consent
    group by customer_id
),

suppression_summary as (
    select
        customer_id,
        bool_or(suppression_scope in ('email', 'all')) as is_email_suppressed,
        bool_or(suppression_scope in ('advertising', 'all')) as is_advertising_suppressed
    from suppressions
    where customer_id is not null
    group by customer_id
),

final as (
    select
        -- ids
        customers.customer_id,
        context.current_account_id,
        -- golden record
        golden.first_name,
        golden.first_name_source,
        golden.first_name_updated_at,
        golden.last_name,
        golden.last_name_source,
        golden.last_name_updated_at,
        golden.email,
        golden.email_source,
        golden.email_updated_at,
        golden.phone,
        golden.phone_source,
        golden.phone_updated_at,
        cast(golden.date_of_birth as date) as date_of_birth,
        golden.date_of_birth_source,
        golden.date_of_birth_updated_at,
        golden.street_address,
        case when golden.street_address is not null then golden.address_source end as street_address_source,
        case when golden.street_address is not null then golden.address_updated_at end as street_address_updated_at,
        golden.city,
        case when golden.city is not null then golden.address_source end as city_source,
        case when golden.city is not null then golden.address_updated_at end as city_updated_at,
        golden.postcode,
        case when golden.postcode is not null then golden.address_source end as postcode_source,
        case when golden.postcode is not null then golden.address_updated_at end as postcode_updated_at,
        golden.country,
        case when golden.country is not null then golden.address_source end as country_source,
        case when golden.country is not null then golden.address_updated_at end as country_updated_at,
        -- activity
        traits.first_seen_at,
        traits.last_seen_at,
        coalesce(traits.sessions_count, 0) as sessions_count,
        coalesce(traits.page_views, 0) as page_views,
        coalesce(traits.product_views, 0) as product_views,
        coalesce(traits.cart_adds, 0) as cart_adds,
        traits.last_cart_add_at,
        coalesce(traits.orders_count, 0) as orders_count,
        traits.first_order_at,
        traits.last_order_at,
        coalesce(traits.revenue_total, 0) as revenue_total,
        traits.average_order_value,
        coalesce(traits.returns_count, 0) as returns_count,
        traits.store_revenue_share,
        traits.favourite_category,
        coalesce(traits.email_sends, 0) as email_sends,
        coalesce(traits.email_opens, 0) as email_opens,
        coalesce(traits.email_clicks, 0) as email_clicks,
        traits.last_email_open_at,
        coalesce(traits.engagement_score, 0) as engagement_score,
        coalesce(traits.engagement_score_change_30d, 0) as engagement_score_change_30d,
        coalesce(context.tickets_open, 0) as tickets_open,
        coalesce(context.tickets_closed, 0) as tickets_closed,
        context.last_csat,
        context.last_csat_at,
        context.nps,
        context.loyalty_tier,
        context.loyalty_points,
        -- rfm and journey
        traits.rfm_recency,
        traits.rfm_frequency,
        traits.rfm_monetary,
        coalesce(traits.rfm_segment, 'prospect') as rfm_segment,
        journey.to_stage as journey_stage,
        journey.entered_at as journey_stage_entered_at,
        -- predicted (null when the trait's model is not published)
        predictions.churn_risk,
        predictions.purchase_propensity_90d,
        cast(predictions.predicted_ltv + coalesce(traits.revenue_total, 0) as decimal(18, 2)) as predicted_ltv,
        predictions.email_open_probability,
        -- zero-party (stated in surveys; never mixed with inferred traits)
        context.stated_preferred_channel,
        context.stated_interests,
        context.stated_contact_frequency,
        -- b2b
        context.current_account_name,
        context.current_account_industry,
        context.current_account_employee_count,
        context.current_account_role as "current_role",
        context.current_job_title,
        context.work_email,
        coalesce(context.is_decision_maker, false) as is_decision_maker,
        -- consent summary (deny by default)
        coalesce(consent_summary.is_email_marketing_granted, false) as is_email_marketing_granted,
        coalesce(consent_summary.is_sms_marketing_granted, false) as is_sms_marketing_granted,
        coalesce(consent_summary.is_advertising_granted, false)
        and not coalesce(suppression_summary.is_advertising_suppressed, false) as is_advertising_granted,
        coalesce(suppression_summary.is_email_suppressed, false) as is_email_suppressed,
        customers.identifier_types,
        customers.identifier_count,
        customers.is_anonymous,
        -- reference time of every recent trait
        as_of.as_of_at as traits_as_of
    from customers
    cross join as_of
    left join golden
        on customers.customer_id = golden.customer_id
    left join traits
        on customers.customer_id = traits.customer_id
    left join context
        on customers.customer_id = context.customer_id
    left join journey
        on customers.customer_id = journey.customer_id
    left join predictions
        on customers.customer_id = predictions.customer_id
    left join consent_summary
        on customers.customer_id = consent_summary.customer_id
    left join suppression_summary
        on customers.customer_id = suppression_summary.customer_id
)

select * from final
