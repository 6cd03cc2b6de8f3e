{{ config(materialized='table') }}

{{ stage_landing_rows('order_items') }}
