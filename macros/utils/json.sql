{#- The text of a JSON member (objects and arrays come back as JSON text). path: dotted key path. -#}
{% macro cdp_json_text(json_expr, path) -%}
    {{ return(adapter.dispatch('cdp_json_text', 'cdp')(json_expr, path)) }}
{%- endmacro %}

{% macro default__cdp_json_text(json_expr, path) -%}
    get_json_object({{ json_expr }}, '$.{{ path }}')
{%- endmacro %}

{% macro duckdb__cdp_json_text(json_expr, path) -%}
    json_extract_string({{ json_expr }}, '$.{% for key in path.split('.') %}"{{ key }}"{% if not loop.last %}.{% endif %}{% endfor %}')
{%- endmacro %}
