{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('privacy_requests') }}",
) }}

{{ stage_landing_rows('privacy_requests') }}
