{{ config(materialized='table') }}

{{ stage_landing_rows('survey_responses') }}
