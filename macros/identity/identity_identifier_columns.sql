{#- Which columns of which staged source are identifiers: declared here, once. Every identity model reads this
    list (extraction, record resolution, the quality command's record table), so adding a source or an
    identifier column is one line here.

    source:     the landing source name (the folder), also the `source` value of every extracted row
    model:      the staging model to read
    record_key: expression naming the record (an event id, a contact key); versions of an entity share it
    seen_at:    expression of when the record was observed (UTC)
    columns:    {column expression: identifier_type}; types are declared in the seed identifier_types -#}
{% macro identity_identifier_columns() -%}
    {{ return([
        {'source': 'crm_contacts', 'model': 'stg_crm_contacts__contacts', 'record_key': 'crm_contact_key',
         'seen_at': 'coalesce(updated_at, created_at)', 'profile': true,
         'columns': {'crm_contact_key': 'crm_contact_id', 'email': 'email', 'phone': 'phone'}},
        {'source': 'shop_customers', 'model': 'stg_shop_customers__customers', 'record_key': 'shop_customer_id',
         'seen_at': 'coalesce(updated_at, created_at)', 'profile': true,
         'columns': {'shop_customer_id': 'shop_customer_id', 'email': 'email', 'phone': 'phone'}},
        {'source': 'loyalty_members', 'model': 'stg_loyalty_members__members', 'record_key': 'loyalty_id',
         'seen_at': 'coalesce(updated_at, enrolled_at)', 'profile': true,
         'columns': {'loyalty_id': 'loyalty_id', 'email': 'email', 'phone': 'phone'}},
        {'source': 'web_events', 'model': 'stg_web_events__events', 'record_key': 'message_id',
         'seen_at': 'occurred_at',
         'columns': {'anonymous_id': 'anonymous_id', 'user_id': 'user_id', 'trait_email': 'email',
                     'trait_phone': 'phone'}},
        {'source': 'mobile_events', 'model': 'stg_mobile_events__events', 'record_key': 'message_id',
         'seen_at': 'occurred_at',
         'columns': {'anonymous_id': 'anonymous_id', 'user_id': 'user_id', 'device_id': 'device_id',
                     'advertising_id': 'advertising_id', 'trait_email': 'email', 'trait_phone': 'phone'}},
        {'source': 'orders', 'model': 'stg_orders__orders', 'record_key': 'order_id', 'seen_at': 'ordered_at',
         'columns': {'order_id': 'order_id', 'shop_customer_id': 'shop_customer_id', 'email': 'email',
                     'phone': 'phone', 'loyalty_id': 'loyalty_id'}},
        {'source': 'pos_transactions', 'model': 'stg_pos_transactions__transactions', 'record_key': 'transaction_id',
         'seen_at': 'transacted_at',
         'columns': {'loyalty_id': 'loyalty_id', 'card_fingerprint': 'card_fingerprint'}},
        {'source': 'email_events', 'model': 'stg_email_events__events', 'record_key': 'email_event_id',
         'seen_at': 'occurred_at', 'columns': {'email': 'email'}},
        {'source': 'support_tickets', 'model': 'stg_support_tickets__tickets', 'record_key': 'ticket_id',
         'seen_at': 'opened_at', 'columns': {'email': 'email', 'phone': 'phone', 'order_id': 'order_id'}},
        {'source': 'survey_responses', 'model': 'stg_survey_responses__responses', 'record_key': 'response_id',
         'seen_at': 'submitted_at', 'columns': {'email': 'email'}},
        {'source': 'b2b_memberships', 'model': 'stg_b2b_memberships__memberships',
         'record_key': "coalesce(contact_id, '') || '|' || coalesce(work_email, '') || '|' || account_id",
         'seen_at': 'started_at',
         'columns': {"'salesforce:' || contact_id": 'crm_contact_id', 'work_email': 'email'}},
    ]) }}
{%- endmacro %}


{#- The identity form of an identifier value: trimmed; emails without a +tag (one mailbox); device and
    advertising ids lower-case (iOS spells them upper-case). Staging has already normalized emails and phones. -#}
{% macro identity_normalize_identifier(identifier_type, expr) -%}
    {%- if identifier_type == 'email' -%}
        regexp_replace(trim({{ expr }}), '\+[^@]*@', '@')
    {%- elif identifier_type in ('device_id', 'advertising_id', 'card_fingerprint') -%}
        lower(trim({{ expr }}))
    {%- else -%}
        trim(cast({{ expr }} as varchar))
    {%- endif -%}
{%- endmacro %}


{#- True when a value must never link: one character repeated (+00000000, 1111-1111; punctuation aside) or
    listed in the seed identifier_blocklist for its type or `any`. blocklist: the seed's relation. -#}
{% macro identity_is_junk(identifier_type, expr, blocklist) -%}
    (
        (
            length(regexp_replace(lower({{ expr }}), '[^0-9a-z]', '', 'g')) >= 3
            and replace(
                regexp_replace(lower({{ expr }}), '[^0-9a-z]', '', 'g'),
                left(regexp_replace(lower({{ expr }}), '[^0-9a-z]', '', 'g'), 1),
                ''
            ) = ''
        )
        or lower({{ expr }}) in (
            select lower(identifier_value) from {{ blocklist }}
            where identifier_type in ('{{ identifier_type }}', 'any')
        )
    )
{%- endmacro %}
