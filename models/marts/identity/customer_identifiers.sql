{#- Contract mart (CONTRACT.md section 4): every identifier the platform resolved, and its customer. -#}

with

clustered as (
    select * from {{ ref('int_identifiers_clustered') }}
),

assigned as (
    select * from {{ ref('int_identifiers_assigned') }}
),

final as (
    select
        -- ids
        clustered.identifier_key,
        assigned.customer_id,
        -- strings
        clustered.identifier_type,
        clustered.identifier_value,
        clustered.identifier_strength,
        -- numerics
        clustered.record_count,
        -- booleans
        not clustered.component_has_strong as is_anonymous_customer,
        -- timestamps
        clustered.first_seen_at,
        clustered.last_seen_at
    from clustered
    inner join assigned
        on clustered.identifier_key = assigned.identifier_key
)

select * from final
