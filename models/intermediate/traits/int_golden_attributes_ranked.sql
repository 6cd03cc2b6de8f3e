{#- Every value each profile record (CRM contact, shop customer, loyalty member; current version) offers for
    each golden-record attribute, ranked per customer and attribute by the survivorship rules of the seed
    survivorship_rules: validity first (a hard-bounced email, an impossible birth date lose), then source
    priority or recency as the seed says, then the record id. Rank 1 survives into customer_360. -#}

with

rules as (
    select * from {{ ref('survivorship_rules') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
    where customer_id is not null
),

crm_contacts as (
    select * from {{ ref('stg_crm_contacts__contacts') }}
    where is_current
),

shop_customers as (
    select * from {{ ref('stg_shop_customers__customers') }}
    where is_current
),

loyalty_members as (
    select * from {{ ref('stg_loyalty_members__members') }}
    where is_current
),

suppressions as (
    select * from {{ ref('suppressions') }}
),

as_of as (
    select * from {{ ref('int_traits_as_of') }}
),

hard_bounced as (
    select distinct identifier_value as email
    from suppressions
    where identifier_type = 'email' and reason = 'bounce_hard'
),

records as (
    select
        'crm_contacts' as source,  -- noqa: RF04
        crm_contact_key as source_record_id,
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        street_address,
        city,
        postcode,
        country,
        coalesce(updated_at, created_at) as updated_at
    from crm_contacts
    union all
    select
        'shop_customers' as source,  -- noqa: RF04
        shop_customer_id as source_record_id,
        first_name,
        last_name,
        email,
        phone,
        cast(null as date) as birth_date,
        cast(null as varchar) as street_address,
        cast(null as varchar) as city,
        cast(null as varchar) as postcode,
        cast(null as varchar) as country,
        coalesce(updated_at, created_at) as updated_at
    from shop_customers
    union all
    select
        'loyalty_members' as source,  -- noqa: RF04
        loyalty_id as source_record_id,
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        cast(null as varchar) as street_address,
        cast(null as varchar) as city,
        postcode,
        cast(null as varchar) as country,
        coalesce(updated_at, enrolled_at) as updated_at
    from loyalty_members
),

customer_records as (
    select
        source_records.customer_id,
        records.*,
        hard_bounced.email is not null as is_email_hard_bounced,
        cast(as_of.as_of_at as date) as as_of_date
    from records
    inner join source_records
        on
            records.source = source_records.source
            and records.source_record_id = source_records.source_record_id
    cross join as_of
    left join hard_bounced
        on {{ identity_normalize_identifier('email', 'records.email') }} = hard_bounced.email
),

{%- set offers = [
    ('first_name', "nullif(trim(first_name), '')", 'cast(null as varchar)'),
    ('last_name', "nullif(trim(last_name), '')", 'cast(null as varchar)'),
    ('email', 'email', "case when is_email_hard_bounced then 'hard_bounced' end"),
    ('phone', 'phone', 'cast(null as varchar)'),
    ('date_of_birth', 'cast(birth_date as varchar)',
     "case when birth_date > as_of_date then 'in_the_future' when birth_date < as_of_date - interval 120 year then 'older_than_120_years' end"),
    ('address', 'coalesce(street_address, postcode)', 'cast(null as varchar)'),
] %}

candidates as (
    {%- for attribute, value, invalid in offers %}
    select
        customer_id,
        '{{ attribute }}' as attribute,  -- noqa: RF04
        source,
        source_record_id,
        {{ value }} as attribute_value,
        street_address,
        city,
        postcode,
        country,
        {{ invalid }} as invalid_reason,
        updated_at
    from customer_records
    where {{ value }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

ranked as (
    select
        candidates.*,
        rules.priority as source_priority,
        rules.prefer,
        row_number() over (
            partition by candidates.customer_id, candidates.attribute
            order by
                candidates.invalid_reason is null desc,
                case when rules.prefer = 'priority' then rules.priority end asc,
                candidates.updated_at desc nulls last,
                rules.priority asc,
                candidates.source_record_id asc
        ) as survivorship_rank
    from candidates
    inner join rules
        on
            candidates.attribute = rules.attribute
            and candidates.source = rules.source
),

final as (
    select
        md5(customer_id || '|' || attribute || '|' || source || '|' || source_record_id) as attribute_candidate_id,
        customer_id,
        attribute,
        source,
        source_record_id,
        attribute_value,
        case when attribute = 'address' then street_address end as address_street,
        case when attribute = 'address' then city end as address_city,
        case when attribute = 'address' then postcode end as address_postcode,
        case when attribute = 'address' then country end as address_country,
        invalid_reason,
        source_priority,
        prefer,
        survivorship_rank,
        invalid_reason is null as is_valid,
        survivorship_rank = 1 as is_survivor,
        updated_at
    from ranked
)

select * from final
