{#- A phone number in E.164 (+<country code><number>), or null when it cannot be read as one.
    Accepted: an international number written with + or 00, or a national number of
    var('cdp__national_number_length') digits (optionally preceded by the default calling code), which gets
    var('cdp__default_calling_code'). Separators ( ) - . / and spaces are ignored; any other character
    (a letter, say) makes the number unreadable. -#}
{% macro normalize_phone(expr) -%}
    {%- set cc = var('cdp__default_calling_code') | string -%}
    {%- set n = var('cdp__national_number_length') | int -%}
    {%- set trimmed = "trim(" ~ expr ~ ")" -%}
    {%- set digits = "regexp_replace(" ~ trimmed ~ ", '[^0-9]', '', 'g')" -%}
    case
        when not regexp_matches({{ trimmed }}, '^\+?[0-9() ./-]+$') then null
        when starts_with({{ trimmed }}, '+') and length({{ digits }}) between 8 and 15
            then '+' || {{ digits }}
        when starts_with({{ digits }}, '00') and length({{ digits }}) between 10 and 17
            then '+' || substr({{ digits }}, 3)
        when length({{ digits }}) = {{ n }} then '+{{ cc }}' || {{ digits }}
        when length({{ digits }}) = {{ n + (cc | length) }} and starts_with({{ digits }}, '{{ cc }}')
            then '+' || {{ digits }}
    end
{%- endmacro %}
