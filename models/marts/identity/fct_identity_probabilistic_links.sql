{#- Every probabilistic link between two profile records, with its match weight and the fields that drove it,
    so that a person can be told why two records were joined. -#}

with

links as (
    select * from {{ ref('int_profile_records_matched') }}
),

final as (
    select
        -- ids
        link_id,
        left_record_id,
        right_record_id,
        -- strings
        left_source,
        right_source,
        matched_fields,
        -- numerics
        match_weight,
        match_probability
    from links
)

select * from final
