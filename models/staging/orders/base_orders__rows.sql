{{ config(materialized='table') }}

{{ stage_landing_rows('orders') }}
