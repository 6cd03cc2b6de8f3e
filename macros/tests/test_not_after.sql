{#- Generic test: the column (a timestamp) is never later than another column of the same row, e.g.
    first_seen_at not after last_seen_at. Rows where either is null pass. -#}
{% test not_after(model, column_name, other_column) %}
    select
        {{ column_name }},
        {{ other_column }}
    from {{ model }}
    where {{ column_name }} > {{ other_column }}
{% endtest %}
