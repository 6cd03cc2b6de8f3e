{#- The legal regime of a data-subject request type: do_not_sell is a CCPA right (45 days); erasure and access
    are handled under GDPR (one month). -#}
{% macro privacy_regime(request_type) -%}
    case {{ request_type }} when 'do_not_sell' then 'CCPA' else 'GDPR' end
{%- endmacro %}

{#- The legal deadline of a request: received_at + 45 days (CCPA) or + 1 calendar month (GDPR). Keep in step
    with cdp/privacy.py `due_at`. -#}
{% macro privacy_due_at(request_type, received_at) -%}
    case {{ request_type }}
        when 'do_not_sell' then {{ received_at }} + interval 45 day
        else {{ received_at }} + interval 1 month
    end
{%- endmacro %}

{#- Creates the privacy schema and its tables if missing (on-run-start), so that staging can read them before
    the first privacy run. Shape must match cdp/privacy.py (tests/test_privacy.py proves it). -#}
{% macro create_privacy_tables() %}
    {%- if execute -%}
        {%- do run_query(
            "create schema if not exists privacy;"
            ~ " create table if not exists privacy.request_log (request_id varchar, request_type varchar,"
            ~ " regime varchar, received_at timestamp, due_at timestamp, step varchar, destination varchar,"
            ~ " status varchar, detail varchar, logged_at timestamp);"
            ~ " create table if not exists privacy.erased_identifiers (identifier_type varchar,"
            ~ " identifier_hash varchar, request_id varchar, erased_at timestamp)"
        ) -%}
    {%- endif -%}
{% endmacro %}
