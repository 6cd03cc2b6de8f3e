{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('pos_transactions') }}",
) }}

{{ stage_landing_rows('pos_transactions') }}
