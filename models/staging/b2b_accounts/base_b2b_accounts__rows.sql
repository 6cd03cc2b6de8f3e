{{ config(materialized='table') }}

{{ stage_landing_rows('b2b_accounts') }}
