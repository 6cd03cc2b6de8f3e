{{ config(materialized='table') }}

{{ stage_landing_rows('erp_products') }}
