{#- Incremental identity models (docs/identity.md, "Incremental runs"): which staged rows a model has already
    processed, kept in a manifest table beside it, `<model>__files`: one row per (source, staged file) with the
    file's `_ingested_at`, its number of staged rows and a checksum of their lines, plus one row
    (source `__reference`) holding a fingerprint of the seeds the model reads.

    A run of the model reads only the staged rows landed after the newest file of the manifest of their source
    (`_ingested_at` strictly later: a file is ingested once, and every file ingested before a run is staged in
    that run). Before that, the staged rows up to that watermark are checked against the manifest: when a file
    lost or gained rows (erasure deletes landed rows, and staging restages without them) or a seed changed, the
    model and its manifest are emptied and the run rebuilds from every staged row, as a full refresh does.
    The post-hook `identity_manifest_record` adds the files the run read. -#}


{#- The staged rows of every identity source, as (source, _file, _line, _ingested_at), restricted to those
    landed after `watermarks[source]` (a timestamp text; none: every row) when `since` is true, else to those
    landed up to it. -#}
{% macro identity_staged_files_sql(watermarks, since) -%}
    {%- for d in identity_identifier_columns() %}
    select
        '{{ d.source }}' as source,
        _file,
        _line,
        _ingested_at
    from {{ ref(d.model) }}
    {%- if d.source in watermarks %}
    where _ingested_at {{ '>' if since else '<=' }} cast('{{ watermarks[d.source] }}' as timestamp)
    {%- elif not since %}
    where false
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- One text that changes whenever a row of the given seeds changes. -#}
{% macro identity_reference_fingerprint_sql(seeds) -%}
    select md5(string_agg(fingerprint, '|' order by fingerprint)) as fingerprint
    from (
        {%- for seed in seeds %}
        select
            '{{ seed }}:' || md5(coalesce(string_agg(cast(seed_rows as varchar), ',' order by cast(seed_rows as varchar)), ''))
                as fingerprint
        from (select * from {{ ref(seed) }}) as seed_rows
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as fingerprints
{%- endmacro %}


{#- The manifest relation of an incremental identity model. -#}
{% macro identity_manifest_relation(model) -%}
    {{ model.schema }}.{{ model.identifier }}__files
{%- endmacro %}


{#- Called in the body of an incremental identity model, when it runs: returns {source: watermark text} of the
    staged rows it has processed ({} on a full build: every row is new). On an incremental run whose manifest
    no longer matches the staged rows (or the seeds), or is missing, it empties the model and the manifest
    first, so the run rebuilds from every staged row. On a full build it drops the manifest (the post-hook
    writes it again). Runs nothing when the model is only compiled (docs, sqlfluff). -#}
{% macro identity_manifest_watermarks(seeds=[]) -%}
    {%- set watermarks = {} -%}
    {%- if not (execute and flags.WHICH in ('run', 'build')) -%}
        {{ return(watermarks) }}
    {%- endif -%}
    {%- set manifest = identity_manifest_relation(this) -%}
    {%- if not is_incremental() -%}
        {%- do run_query("drop table if exists " ~ manifest) -%}
        {{ return(watermarks) }}
    {%- endif -%}
    {%- do run_query(identity_manifest_create(manifest)) -%}
    {%- set newest = run_query("select source, cast(max(_ingested_at) as varchar) from " ~ manifest
        ~ " where source <> '__reference' group by source") -%}
    {%- for row in newest.rows -%}
        {%- do watermarks.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set check -%}
        with

        recorded as (
            select * from {{ manifest }}
        ),

        staged as (
            select
                source,
                _file,
                count(*) as row_count,
                sum(hash(_line)) as line_checksum
            from ({{ identity_staged_files_sql(watermarks, since=false) }}) as staged_rows
            group by
                source,
                _file
            {%- if seeds %}
            union all
            select
                '__reference' as source,
                fingerprint as _file,
                0 as row_count,
                0 as line_checksum
            from ({{ identity_reference_fingerprint_sql(seeds) }}) as reference
            {%- endif %}
        )

        select
            count(*) filter (
                where
                    recorded.row_count is distinct from staged.row_count
                    or recorded.line_checksum is distinct from staged.line_checksum
            ) as mismatches,
            count(recorded.source) as recorded_files
        from recorded
        full outer join staged
            on
                recorded.source = staged.source
                and recorded._file = staged._file
    {%- endset -%}
    {%- set result = run_query(check).rows[0] -%}
    {%- if result[0] > 0 or result[1] == 0 -%}
        {%- do log("identity: " ~ this.identifier ~ " no longer matches the staged rows it processed (or is new): "
            ~ "rebuilt from every staged row", info=true) -%}
        {%- do run_query("delete from " ~ this) -%}
        {%- do run_query("delete from " ~ manifest) -%}
        {{ return({}) }}
    {%- endif -%}
    {{ return(watermarks) }}
{%- endmacro %}


{% macro identity_manifest_create(manifest) -%}
    create table if not exists {{ manifest }} (
        source varchar,
        _file varchar,
        _ingested_at timestamp,
        row_count bigint,
        line_checksum hugeint
    )
{%- endmacro %}


{#- Post-hook of an incremental identity model: records the staged files the run read (those landed after the
    newest file of the manifest, per source) and the seeds' fingerprint. -#}
{% macro identity_manifest_record(seeds=[]) -%}
    {%- set manifest = identity_manifest_relation(this) -%}
    {{ identity_manifest_create(manifest) }};
    insert into {{ manifest }}
    select
        source,
        _file,
        max(_ingested_at) as _ingested_at,
        count(*) as row_count,
        sum(hash(_line)) as line_checksum
    from (
        {%- for d in identity_identifier_columns() %}
        select
            '{{ d.source }}' as source,
            _file,
            _line,
            _ingested_at
        from {{ ref(d.model) }}
        where _ingested_at > (
            select coalesce(max(recorded._ingested_at), cast('-infinity' as timestamp))
            from {{ manifest }} as recorded
            where recorded.source = '{{ d.source }}'
        )
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as staged_rows
    group by
        source,
        _file;
    {%- if seeds %}
    delete from {{ manifest }} where source = '__reference';
    insert into {{ manifest }}
    select
        '__reference' as source,
        fingerprint as _file,
        cast(null as timestamp) as _ingested_at,
        0 as row_count,
        0 as line_checksum
    from ({{ identity_reference_fingerprint_sql(seeds) }}) as reference
    {%- endif %}
{%- endmacro %}


{#- int_source_records_resolved keeps, beside it, what every identifier resolved to at its last run (customer,
    and whether that customer is a known person), so that the next run finds the records to resolve again. -#}
{% macro identity_resolved_identifiers_relation(model) -%}
    {{ model.schema }}.{{ model.identifier }}__identifiers
{%- endmacro %}


{% macro identity_resolved_identifiers_create(relation) -%}
    create table if not exists {{ relation }} (
        identifier_key varchar,
        identifier_type varchar,
        identifier_value varchar,
        customer_id varchar,
        component_has_strong boolean
    )
{%- endmacro %}


{#- Post-hook of int_source_records_resolved: what every identifier resolves to after this run (with its type
    and value, so that erasure, cdp/privacy.py purge_persisted, deletes it there too). -#}
{% macro identity_resolved_identifiers_record() -%}
    create or replace table {{ identity_resolved_identifiers_relation(this) }} as
    select
        clustered.identifier_key,
        clustered.identifier_type,
        clustered.identifier_value,
        customers.customer_id,
        clustered.component_has_strong
    from {{ ref('int_identifiers_clustered') }} as clustered
    inner join {{ ref('int_identifiers_assigned') }} as customers
        on clustered.identifier_key = customers.identifier_key
{%- endmacro %}


{#- The keyword that makes a CTE read more than once be inlined into each reader rather than copied (DuckDB copies
    it: a copy of a whole table where each reader only wants a few rows of it); nothing elsewhere. -#}
{% macro identity_inlined_cte() -%}
    {{ return(adapter.dispatch('identity_inlined_cte', 'cdp')()) }}
{%- endmacro %}

{% macro default__identity_inlined_cte() -%}
{%- endmacro %}

{% macro duckdb__identity_inlined_cte() -%}
    not materialized
{%- endmacro %}
