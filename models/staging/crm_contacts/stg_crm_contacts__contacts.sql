with

base as (
    select * from {{ ref('base_crm_contacts__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        _version_id as contact_version_id,
        source_system || ':' || contact_id as crm_contact_key,
        contact_id,
        account_id,
        -- strings
        source_system,
        first_name,
        last_name,
        email,
        phone,
        street_address,
        address_line2,
        city,
        postcode,
        region,
        country,
        job_title,
        -- booleans
        _is_current as is_current,
        -- dates and timestamps
        date_of_birth as birth_date,
        created_at,
        updated_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
