with

base as (
    select * from {{ ref('base_erp_inventory__rows') }}
    where _quarantine_reason is null
),

final as (
    select
        -- ids
        md5(_version_id) as inventory_snapshot_id,
        sku,
        location_id,
        -- numerics
        on_hand,
        on_order,
        fulfillment_days,
        -- timestamps
        snapshot_at,
        -- landing metadata
        {{ landing_metadata_columns() }}
    from base
)

select * from final
