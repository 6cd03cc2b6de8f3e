{#- The landing sources, in contract order, with the staging model of each. The models that union every
    source (quarantine, reconciliation) loop over this list; tests/test_structure.py proves it names every
    table of models/staging/_landing__sources.yml. -#}
{% macro cdp_landing_staging_models() %}
    {{ return({
        'web_events': 'stg_web_events__events',
        'mobile_events': 'stg_mobile_events__events',
        'crm_contacts': 'stg_crm_contacts__contacts',
        'shop_customers': 'stg_shop_customers__customers',
        'orders': 'stg_orders__orders',
        'order_items': 'stg_order_items__order_items',
        'pos_transactions': 'stg_pos_transactions__transactions',
        'loyalty_members': 'stg_loyalty_members__members',
        'email_events': 'stg_email_events__events',
        'support_tickets': 'stg_support_tickets__tickets',
        'survey_responses': 'stg_survey_responses__responses',
        'erp_products': 'stg_erp_products__products',
        'erp_inventory': 'stg_erp_inventory__snapshots',
        'b2b_accounts': 'stg_b2b_accounts__accounts',
        'b2b_memberships': 'stg_b2b_memberships__memberships',
        'consent_events': 'stg_consent_events__consent_events',
        'privacy_requests': 'stg_privacy_requests__requests',
    }) }}
{% endmacro %}
