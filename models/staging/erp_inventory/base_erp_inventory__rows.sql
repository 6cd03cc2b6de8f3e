{{ config(materialized='table') }}

{{ stage_landing_rows('erp_inventory') }}
