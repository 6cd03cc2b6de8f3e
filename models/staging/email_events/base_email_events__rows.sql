{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('email_events') }}",
) }}

{{ stage_landing_rows('email_events') }}
