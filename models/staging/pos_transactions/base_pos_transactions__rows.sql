{{ config(materialized='table') }}

{{ stage_landing_rows('pos_transactions') }}
