{#- Casts landed text to a declared type; a value that does not parse becomes null (the caller flags it).
    Timestamps: ISO-8601 with or without an offset (none means UTC), returned as UTC without a zone. -#}
{% macro cdp_cast_text(text_expr, data_type) -%}
    {{ return(adapter.dispatch('cdp_cast_text', 'cdp')(text_expr, data_type)) }}
{%- endmacro %}

{% macro default__cdp_cast_text(text_expr, data_type) -%}
    {%- set t = data_type | lower -%}
    {%- if t in ('varchar', 'string', 'text') -%}
        {{ text_expr }}
    {%- elif t == 'boolean' -%}
        case
            when lower({{ text_expr }}) in ('true', 't', '1', 'yes', 'y') then true
            when lower({{ text_expr }}) in ('false', 'f', '0', 'no', 'n') then false
        end
    {%- elif t == 'timestamp' -%}
        cast(try_cast({{ text_expr }} as timestamp) as timestamp)
    {%- else -%}
        try_cast({{ text_expr }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__cdp_cast_text(text_expr, data_type) -%}
    {%- if data_type | lower == 'timestamp' -%}
        timezone('UTC', try_cast({{ text_expr }} as timestamptz))
    {%- else -%}
        {{ default__cdp_cast_text(text_expr, data_type) }}
    {%- endif -%}
{%- endmacro %}
