{#- The behavioural event sources that computed traits aggregate incrementally, declared once. Their identifier
    columns come from identity's own declaration (identity_identifier_columns), so an event is keyed by exactly
    the identifiers identity resolves it by.

    source:       the landing source (as in identity_identifier_columns)
    event_name:   expression naming the event (Segment-spec names; email events mapped to 'Email Opened', ...)
    category:     expression of the product category the event is about (null when none)
    amount:       expression of the money the event carries (order revenue, till amount; null when none)
    occurred_at:  expression of when it happened (UTC)
    is_session:   true when the event counts towards web and app sessions -#}
{% macro traits_event_sources() -%}
    {{ return([
        {'source': 'web_events',
         'event_name': "case event_type when 'page' then 'Page Viewed' when 'screen' then 'Screen Viewed' when 'identify' then 'Identify' else event_name end",
         'category': "json_extract_string(properties, '$.category')",
         'amount': "case when event_name = 'Order Completed' then try_cast(json_extract_string(properties, '$.revenue') as decimal(18, 2)) end",
         'occurred_at': 'occurred_at', 'is_session': true},
        {'source': 'mobile_events',
         'event_name': "case event_type when 'page' then 'Page Viewed' when 'screen' then 'Screen Viewed' when 'identify' then 'Identify' else event_name end",
         'category': "json_extract_string(properties, '$.category')",
         'amount': "case when event_name = 'Order Completed' then try_cast(json_extract_string(properties, '$.revenue') as decimal(18, 2)) end",
         'occurred_at': 'occurred_at', 'is_session': true},
        {'source': 'email_events',
         'event_name': "case event_type when 'sent' then 'Email Sent' when 'delivered' then 'Email Delivered' when 'open' then 'Email Opened' when 'click' then 'Email Link Clicked' when 'bounce_hard' then 'Email Bounced' when 'bounce_soft' then 'Email Bounced' when 'complaint' then 'Email Marked as Spam' when 'unsubscribe' then 'Unsubscribed' else event_type end",
         'category': 'cast(null as varchar)',
         'amount': 'cast(null as decimal(18, 2))',
         'occurred_at': 'occurred_at', 'is_session': false},
        {'source': 'pos_transactions',
         'event_name': "case when amount < 0 or quantity < 0 then 'Store Return' else 'Store Purchase' end",
         'category': 'cast(null as varchar)',
         'amount': 'amount',
         'occurred_at': 'transacted_at', 'is_session': false},
    ]) }}
{%- endmacro %}


{#- The identity declaration (identity_identifier_columns) of an event source. -#}
{% macro traits_identity_declaration(source) -%}
    {%- for d in identity_identifier_columns() if d.source == source -%}
        {{ return(d) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("traits_event_sources: no identity declaration for source " ~ source) }}
{%- endmacro %}


{#- The staged rows of an event source that the calling incremental model has not seen yet: all of them on a
    full build, else those landed (_ingested_at) after the newest the model holds for that source (its column
    ingested_at). The one definition of "new" for every incremental traits model. -#}
{% macro traits_rows_landed_since_last_run(source) -%}
    select * from {{ ref(traits_identity_declaration(source).model) }}
    {%- if is_incremental() %}
    where _ingested_at > (
        select coalesce(max(ingested_at), cast('1900-01-01' as timestamp)) from {{ this }}
        where source = '{{ source }}'
    )
    {%- endif %}
{%- endmacro %}


{#- The event's identifiers as a sorted list of identifier keys (type:normalized value), empty values dropped:
    the same keys identity builds in int_identifiers_extracted. -#}
{% macro traits_identifier_keys(declaration) -%}
    list_sort(list_filter([
        {%- for column, identifier_type in declaration.columns.items() %}
        '{{ identifier_type }}:' || nullif({{ identity_normalize_identifier(identifier_type, column) }}, ''){{ ',' if not loop.last }}
        {%- endfor %}
    ], lambda k: k is not null))
{%- endmacro %}


{#- The id of a set of identifier keys (no PII: an md5 of the sorted keys). -#}
{% macro traits_identity_set_id(keys_expr) -%}
    md5(array_to_string({{ keys_expr }}, '|'))
{%- endmacro %}


{#- The reference time of every "recent" trait: the dbt var cdp__as_of when set, else the latest event time
    landed (never the wall clock, so that two runs on the same data give the same warehouse). -#}
{% macro traits_as_of() -%}
    (select as_of_at from {{ ref('int_traits_as_of') }})
{%- endmacro %}


{#- The event's most trusted identifier (lowest identifier_types.priority, then the key itself) as
    'type:value': the identifier the aggregates carry as identifier_type / identifier_value, so that erasure
    (cdp/privacy.py purges every table with those two columns) removes an erased person's aggregates too. -#}
{% macro traits_primary_identifier_key(declaration) -%}
    substr(list_min(list_filter([
        {%- for column, identifier_type in declaration.columns.items() %}
        (
            select lpad(cast(priority as varchar), 3, '0') from {{ ref('identifier_types') }}
            where identifier_type = '{{ identifier_type }}'
        )
        || '|{{ identifier_type }}:' || nullif({{ identity_normalize_identifier(identifier_type, column) }}, '')
        {{- ',' if not loop.last }}
        {%- endfor %}
    ], lambda k: k is not null)), 5)
{%- endmacro %}
