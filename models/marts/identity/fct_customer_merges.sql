{#- customer_merges: every merge of two customers (CONTRACT.md section 4: "the merge is recorded"), from the
    id history. The survivor rule is documented in int_identifiers_assigned and docs/identity.md. -#}

with

changes as (
    select * from {{ ref('fct_customer_id_changes') }}
),

final as (
    select
        -- ids
        change_id as merge_id,
        previous_customer_id as merged_customer_id,
        customer_id as surviving_customer_id,
        invocation_id,
        -- numerics
        identifiers_moved,
        -- timestamps
        changed_at as merged_at
    from changes
    where change_type = 'merge'
)

select * from final
