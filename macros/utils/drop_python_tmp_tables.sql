{#- Post-hook of the incremental Python models: dbt-duckdb builds an increment of a Python model into a table
    `<model>__dbt_tmp<timestamp>` in the main schema and leaves it there after merging it; this drops every such
    table of the model, so that a run leaves only the model's own tables. -#}
{% macro cdp_drop_python_tmp_tables() %}
    {%- if execute -%}
        {%- set leftovers = run_query(
            "select table_schema, table_name from information_schema.tables where table_name like '"
            ~ this.identifier ~ "\\_\\_dbt\\_tmp%' escape '\\'") -%}
        {%- for row in leftovers.rows -%}
            {%- do run_query('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
