{{ config(materialized='table') }}

{{ stage_landing_rows('loyalty_members') }}
