{#- A folder's +schema is used as the schema name itself (staging, reference); marts stay in the target
    schema (main) so that BI tools find customer_360 without a prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
