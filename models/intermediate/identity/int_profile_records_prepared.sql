{#- The profile-bearing records (CRM contacts, shop customers, loyalty members; current versions) in the one
    shape probabilistic matching compares: names folded (lower-case, no accents, letters only, a digit read as
    the letter it is mistaken for), the formal forms of a nickname (seed identifier_nicknames), dates, emails,
    phones, postcodes and streets standardized. -#}

{#- A street as postal standards write it (USPS Publication 28, Royal Mail): lower-case, no accents, no
    punctuation; the unit (apartment, suite, flat, "#4") dropped, since it is written in line 1 or in line 2 at
    random and a household shares the building; street types and directions abbreviated, word by word (Street
    and St., North and N are one street). -#}
{%- set street_words = [
    ('street', 'st'), ('avenue', 'ave'), ('av', 'ave'), ('road', 'rd'), ('drive', 'dr'), ('lane', 'ln'),
    ('court', 'ct'), ('boulevard', 'blvd'), ('place', 'pl'), ('terrace', 'ter'), ('circle', 'cir'),
    ('highway', 'hwy'), ('parkway', 'pkwy'), ('square', 'sq'), ('crescent', 'cres'), ('close', 'cl'),
    ('north', 'n'), ('south', 's'), ('east', 'e'), ('west', 'w'),
] -%}

with

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

nicknames as (
    select * from {{ ref('identifier_nicknames') }}
),

blocklist as (
    select * from {{ ref('identifier_blocklist') }}
),

profile_records as (
    select
        'crm_contacts' as source,  -- noqa: RF04
        crm_contact_key as source_record_id,
        'crm_contact_id' as identifier_type,
        first_name,
        last_name,
        birth_date,
        email,
        phone,
        postcode,
        street_address,
        city
    from crm_contacts
    union all
    select
        'shop_customers' as source,  -- noqa: RF04
        shop_customer_id as source_record_id,
        'shop_customer_id' as identifier_type,
        first_name,
        last_name,
        null as birth_date,
        email,
        phone,
        null as postcode,
        null as street_address,
        null as city
    from shop_customers
    union all
    select
        'loyalty_members' as source,  -- noqa: RF04
        loyalty_id as source_record_id,
        'loyalty_id' as identifier_type,
        first_name,
        last_name,
        birth_date,
        email,
        phone,
        postcode,
        null as street_address,
        null as city
    from loyalty_members
),

standardized as (
    select
        identifier_type || ':' || trim(source_record_id) as record_id,
        source,
        source_record_id,
        -- a digit in a name is a letter misread (scanned forms: 0 for o, 1 for l, 5 for s): read back, not dropped
        nullif(regexp_replace(
            translate(lower(strip_accents(trim(first_name))), '0123456789', 'olzeasbtbg'), '[^a-z]', '', 'g'
        ), '') as first_name_std,
        nullif(regexp_replace(
            translate(lower(strip_accents(trim(last_name))), '0123456789', 'olzeasbtbg'), '[^a-z]', '', 'g'
        ), '') as last_name_std,
        case
            when not {{ identity_is_junk('email', 'email', 'blocklist') }}
                then {{ identity_normalize_identifier('email', 'email') }}
        end as email_std,
        case when not {{ identity_is_junk('phone', 'phone', 'blocklist') }} then phone end as phone_std,
        nullif(
            case
                when regexp_matches(trim(postcode), '^[0-9]{5}(-[0-9]{4})?$') then left(trim(postcode), 5)
                else regexp_replace(upper(postcode), '[^A-Z0-9]', '', 'g')
            end,
            ''
        ) as postcode_std,
        nullif(trim(regexp_replace(
            regexp_replace(
                lower(strip_accents(trim(street_address))),
                '\s*(#|\b(apt|apartment|unit|suite|ste|flat|room|rm)\b\.?\s*[0-9a-z-]*\s*$).*$', '', 'g'
            ),
            '[^a-z0-9 ]', '', 'g'
        )), '') as street_cleaned,
        nullif(lower(trim(city)), '') as city_std,
        birth_date
    from profile_records
),

street_abbreviations as (
    select
        abbreviations.street_word,
        abbreviations.abbreviation
    from (
        values
        {%- for long, short in street_words %}
        ('{{ long }}', '{{ short }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as abbreviations (street_word, abbreviation)
),

street_tokens as (
    select
        record_id,
        unnest(string_split(street_cleaned, ' ')) as street_word,
        unnest(range(1, len(string_split(street_cleaned, ' ')) + 1)) as word_position
    from standardized
    where street_cleaned is not null
),

streets as (
    select
        street_tokens.record_id,
        string_agg(
            coalesce(street_abbreviations.abbreviation, street_tokens.street_word), ' '
            order by street_tokens.word_position
        ) as street_std
    from street_tokens
    left join street_abbreviations
        on street_tokens.street_word = street_abbreviations.street_word
    where street_tokens.street_word <> ''
    group by street_tokens.record_id
),

first_name_forms as (
    select
        standardized.record_id,
        list_sort(
            list_distinct(
                list_concat([standardized.first_name_std], coalesce(list(nicknames.first_name), []))
            )
        ) as first_name_forms,
        min(nicknames.first_name) as formal_first_name
    from standardized
    left join nicknames
        on standardized.first_name_std = nicknames.nickname
    where standardized.first_name_std is not null
    group by standardized.record_id, standardized.first_name_std
),

final as (
    select
        standardized.record_id,
        standardized.source,
        standardized.source_record_id,
        standardized.first_name_std,
        first_name_forms.first_name_forms,
        -- the formal name a nickname stands for (the first, when it stands for several): a blocking key
        coalesce(first_name_forms.formal_first_name, standardized.first_name_std) as first_name_key,
        standardized.last_name_std,
        standardized.email_std,
        split_part(standardized.email_std, '@', 1) as email_local,
        standardized.phone_std,
        standardized.postcode_std,
        streets.street_std,
        standardized.city_std,
        standardized.birth_date,
        -- derived once a record for the comparisons (cdp/identity/matching.py, with_derived_columns computes
        -- the same from the columns above): the forms as one text, the email's letters
        array_to_string(first_name_forms.first_name_forms, '|') as first_name_forms_text,
        regexp_replace(standardized.email_std, '[._0-9-]', '', 'g') as email_letters
    from standardized
    left join first_name_forms
        on standardized.record_id = first_name_forms.record_id
    left join streets
        on standardized.record_id = streets.record_id
)

select * from final
