{#- Creates the schema `landing` and one empty table per declared landing source, if missing, so that a
    build on a warehouse that has never received a file succeeds. Runs as the project's on-run-start hook
    and as `dbt run-operation create_landing_tables`. The shape (and the ZSTD storage of the landed text) must
    match cdp/landing.py (tests/test_landing.py proves that it does). -#}
{% macro create_landing_tables() %}
    {%- if execute -%}
        {%- set statements = ["create schema if not exists landing"] -%}
        {%- for node in graph.sources.values() if node.source_name == 'landing' -%}
            {%- do statements.append(
                "create table if not exists landing." ~ node.name ~ " ("
                ~ "_file varchar, _line bigint, _format varchar, _record json using compression zstd, "
                ~ "_raw varchar using compression zstd, "
                ~ "_parse_error varchar, _ingested_at timestamp, _file_modified_at timestamp)"
            ) -%}
        {%- endfor -%}
        {%- do run_query(statements | join(";\n")) -%}
    {%- endif -%}
{% endmacro %}
