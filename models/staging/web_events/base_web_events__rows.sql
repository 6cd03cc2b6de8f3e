{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('web_events') }}",
) }}

{{ stage_landing_rows('web_events') }}
