{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stage_landing_forget_deleted('survey_responses') }}",
) }}

{{ stage_landing_rows('survey_responses') }}
