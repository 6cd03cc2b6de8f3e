{#- Every split of a customer: identifiers that left a customer who lives on, for the rule(s) that now
    separate them. -#}

with

changes as (
    select * from {{ ref('fct_customer_id_changes') }}
),

final as (
    select
        -- ids
        change_id as split_id,
        previous_customer_id as customer_id,
        customer_id as split_off_customer_id,
        invocation_id,
        -- strings
        drop_rules,
        -- numerics
        identifiers_moved,
        -- timestamps
        changed_at as split_at
    from changes
    where change_type = 'split'
)

select * from final
