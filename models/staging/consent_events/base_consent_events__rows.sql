{{ config(materialized='table') }}

{{ stage_landing_rows('consent_events') }}
