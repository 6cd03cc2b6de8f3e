{#- The audit of the identity graph's guards: every edge that would have linked two identifiers and did not,
    with the rule that dropped it: the guards of int_identifier_edges_guarded and the limits per customer of
    int_identity_limit_decisions (which may also drop a probabilistic link). -#}

with

edges as (
    select * from {{ ref('int_identifier_edges_guarded') }}
),

limit_decisions as (
    select * from {{ ref('int_identity_limit_decisions') }}
),

dropped as (
    select
        edge_id,
        left_key,
        right_key,
        left_type,
        right_type,
        drop_rule,
        sources,
        record_count,
        first_seen_at,
        last_seen_at
    from edges
    where drop_rule is not null
    union all
    select
        edge_id,
        left_key,
        right_key,
        left_type,
        right_type,
        drop_rule,
        sources,
        record_count,
        first_seen_at,
        last_seen_at
    from limit_decisions
    where drop_rule is not null
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
    from dropped
)

select * from final
