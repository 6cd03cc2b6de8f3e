{{ config(materialized='table') }}

{{ stage_landing_rows('mobile_events') }}
