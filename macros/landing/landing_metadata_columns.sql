{#- The columns every staging model carries from its base model: what the contract did not declare, what did
    not parse, and where the row was landed. -#}
{% macro landing_metadata_columns() -%}
        extra,
        _invalid_fields,
        _invalid_values,
        _file,
        _line,
        _ingested_at
{%- endmacro %}
