{{ config(materialized='table') }}

{{ stage_landing_rows('support_tickets') }}
