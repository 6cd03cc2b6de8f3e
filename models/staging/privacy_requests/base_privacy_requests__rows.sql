{{ config(materialized='table') }}

{{ stage_landing_rows('privacy_requests') }}
