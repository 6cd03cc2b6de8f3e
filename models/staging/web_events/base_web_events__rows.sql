{{ config(materialized='table') }}

{{ stage_landing_rows('web_events') }}
