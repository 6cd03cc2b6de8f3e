{#- Generic test: every non-null value of the column lies within [min_value, max_value] (either bound may be
    left out). Fails with the offending rows. Usage, under a column:
        data_tests:
          - between:
              arguments: {min_value: 0, max_value: 1} -#}
{% test between(model, column_name, min_value=none, max_value=none) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("test between on " ~ column_name ~ ": give min_value, max_value or both") }}
    {%- endif %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %}
            or {{ column_name }} < {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} > {{ max_value }}
            {%- endif %}
        )
{% endtest %}
