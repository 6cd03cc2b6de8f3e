{#- For bench/identity_scale.py: runs identity_connected_components on a table of edges (src, dst) under a
    DuckDB memory limit and logs passes, rounds and seconds as one JSON line (IDENTITY_BENCH {...}). -#}
{% macro identity_benchmark_components(edges_table, work, memory_limit='6GB') -%}
    {%- do run_query("set memory_limit = '" ~ memory_limit ~ "'") -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set result = identity_connected_components('select src, dst from ' ~ edges_table, work) -%}
    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {%- do log('IDENTITY_BENCH ' ~ tojson({'passes': result.passes, 'rounds': result.rounds, 'scans': result.scans, 'seconds': seconds}),
        info=true) -%}
{%- endmacro %}
