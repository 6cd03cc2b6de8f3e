{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_row_id',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('orders') }}",
) }}

{{ stage_landing_rows('orders') }}
