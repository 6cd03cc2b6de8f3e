{#- The audit of the identity graph's guards: every edge that would have linked two identifiers and did not,
    with the rule that dropped it. -#}

with

edges as (
    select * from {{ ref('int_identifier_edges_guarded') }}
),

final as (
    select
        -- ids
        edge_id,
        left_key,
        right_key,
        -- strings
        left_type,
        right_type,
        drop_rule,
        sources,
        -- numerics
        record_count,
        -- timestamps
        first_seen_at,
        last_seen_at
    from edges
    where drop_rule is not null
)

select * from final
