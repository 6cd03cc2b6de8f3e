{{ config(materialized='table') }}

{{ stage_landing_rows('email_events') }}
