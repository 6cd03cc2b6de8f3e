with

base as (
    select * from {{ ref('base_pos_transactions__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        transaction_id,
        store_id,
        loyalty_id,
        card_fingerprint,
        sku,
        -- numerics
        quantity,
        amount,
        -- timestamps
        transacted_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
