{{ config(materialized='table') }}

{{ stage_landing_rows('shop_customers') }}
