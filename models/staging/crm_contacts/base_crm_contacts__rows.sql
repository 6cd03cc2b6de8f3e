{{ config(materialized='table') }}

{{ stage_landing_rows('crm_contacts') }}
