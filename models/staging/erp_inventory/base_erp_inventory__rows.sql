{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('erp_inventory') }}",
) }}

{{ stage_landing_rows('erp_inventory') }}
