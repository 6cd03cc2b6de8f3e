{#- The history of customer ids (append-only): one row per (run, old customer, new customer) whenever
    identifiers changed customer. change_type `merge`: the old id no longer exists, its identifiers joined the
    survivor (the survivor rule is in int_identifiers_assigned); `split`: the old id lives on, but new evidence
    (an edge now dropped: a junk value, a shared device, a limit) moved some of its identifiers to another
    customer; `drop_rules` names the guards that now separate them. -#}
{{ config(materialized='incremental', unique_key='change_id', incremental_strategy='delete+insert') }}

with

assigned as (
    select * from {{ ref('int_identifiers_assigned') }}
),

clustered as (
    select * from {{ ref('int_identifiers_clustered') }}
),

guarded_edges as (
    select * from {{ ref('int_identifier_edges_guarded') }}
),

limit_decisions as (
    select * from {{ ref('int_identity_limit_decisions') }}
),

-- every dropped edge: the graph's guards and the limits per customer
edges as (
    select
        left_key,
        right_key,
        drop_rule
    from guarded_edges
    where drop_rule is not null
    union all
    select
        left_key,
        right_key,
        drop_rule
    from limit_decisions
    where drop_rule is not null
),

moved as (
    select * from assigned
    where
        assigned_in_invocation_id = '{{ invocation_id }}'
        and previous_customer_id is not null
),

current_assignment as (
    select
        assigned.identifier_key,
        assigned.customer_id
    from assigned
    inner join clustered
        on assigned.identifier_key = clustered.identifier_key
),

live_customers as (
    select distinct customer_id
    from current_assignment
),

changes as (
    select
        previous_customer_id,
        customer_id,
        count(*) as identifiers_moved,
        max(assigned_at) as changed_at
    from moved
    group by
        previous_customer_id,
        customer_id
),

moved_edges as (
    select
        moved.previous_customer_id,
        moved.customer_id,
        edges.right_key as other_key,
        edges.drop_rule
    from moved
    inner join edges
        on moved.identifier_key = edges.left_key
    where edges.drop_rule is not null
    union all
    select
        moved.previous_customer_id,
        moved.customer_id,
        edges.left_key as other_key,
        edges.drop_rule
    from moved
    inner join edges
        on moved.identifier_key = edges.right_key
    where edges.drop_rule is not null
),

separating_rules as (
    select
        moved_edges.previous_customer_id,
        moved_edges.customer_id,
        list(distinct moved_edges.drop_rule order by moved_edges.drop_rule) as drop_rules
    from moved_edges
    inner join current_assignment as other_end
        on
            moved_edges.other_key = other_end.identifier_key
            and moved_edges.previous_customer_id = other_end.customer_id
    group by
        moved_edges.previous_customer_id,
        moved_edges.customer_id
),

final as (
    select
        -- ids
        md5('{{ invocation_id }}|' || changes.previous_customer_id || '|' || changes.customer_id) as change_id,
        changes.previous_customer_id,
        changes.customer_id,
        '{{ invocation_id }}' as invocation_id,
        -- strings
        case when live_customers.customer_id is null then 'merge' else 'split' end as change_type,
        separating_rules.drop_rules,
        -- numerics
        changes.identifiers_moved,
        -- timestamps
        changes.changed_at
    from changes
    left join live_customers
        on changes.previous_customer_id = live_customers.customer_id
    left join separating_rules
        on
            changes.previous_customer_id = separating_rules.previous_customer_id
            and changes.customer_id = separating_rules.customer_id
)

select * from final
