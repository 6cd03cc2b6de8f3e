{#-
    The body of every staging base model: turns the landed rows of one landing source into typed,
    validated rows, driven by the column declarations of models/staging/_landing__sources.yml.

    For each declared column: the text is taken from `_record`, cast to the declared data_type, lower-cased
    when the column has accepted_values, and given its default when missing. Then each row gets:
      _quarantine_reason  why the row cannot be used (null when it can): unparseable line or file, a required
                          field missing or unparseable or outside its accepted values, a duplicate delivery;
                          the value of a PII field is never quoted in the reason (reasons are printed in logs)
      _invalid_values     JSON object {column: text as landed} of optional fields that did not parse; the typed
                          column is null and the rest of the row is kept
      _invalid_fields     the names of those fields
      extra               JSON object of the keys/columns the contract does not declare (kept, never rejected;
                          members whose value is null are left out)
      _version_id         identity of the delivery: the unique key (event grain) or a hash of the record
                          (entity grain, where a later file may carry a new version of the same entity)
      _is_current         the latest valid version of an entity (always true for events)
      _record             the landed JSON record, kept for quarantined rows only (fct_quarantined_rows shows
                          it); a staged row is its typed columns plus extra, and landing keeps every record
    Duplicates: for event grain, a later delivery of the same unique key; for entity grain, a later delivery of
    an identical record. The first delivery in landing order (_ingested_at, _file, _line) is kept: one hash
    aggregate over the valid versions finds those delivered more than once, and only they are joined back.

    Speed (docs/benchmarks.md, landing scan): the record is parsed once (`checked` is materialized, so the two
    readers below do not parse it again), a text is trimmed only when it starts or ends with a space, the
    `_invalid_values` object is built only for the rows that have one, and the record is not copied into
    staged rows.

    Incremental (docs/benchmarks.md): the base models are incremental models. The model itself is the manifest
    of what it processed: a run reads only the landed files that are not in it yet (those of the latest
    ingest or later, by `_ingested_at`, minus the files already staged), so its cost follows the new data.
      - a duplicate is found against the rows already staged as well as within the new files;
      - entity grain: the staged versions of every entity that has a new valid version are emitted again
        with `_is_current` recomputed over old and new versions (delete+insert on `_row_id`); event grain
        appends;
      - late-arriving rows (old timestamps in a new file) need nothing special: every row of a new file is
        staged whatever its timestamp, and landing order, not event time, decides which delivery is first;
      - rows deleted from landing (erasure, cdp/privacy.py) are caught by the pre-hook
        `stage_landing_forget_deleted`: when the model holds more rows than landing does for the files it
        processed, it is emptied and rebuilt in the same run, so a staged copy of an erased row never survives.
    `dbt build --full-refresh` rebuilds from all of landing and gives the same tables
    (tests/test_incremental.py proves it).
-#}
{% macro stage_landing_rows(source_name) %}
    {%- set landed_relation = source('landing', source_name) -%}
    {%- set node = cdp_landing_source_node(source_name) -%}
    {%- set columns = node.columns.values() | list if node else [] -%}
    {%- set table_meta = cdp_meta(node) if node else {} -%}
    {%- set grain = table_meta.get('grain', 'event') -%}
    {%- set unique_key = table_meta.get('unique_key', []) -%}
    {%- set entity_key = table_meta.get('entity_key', []) -%}
    {%- set updated_at = table_meta.get('updated_at') -%}
    {%- set incremental = is_incremental() -%}
    {%- set is_entity = grain == 'entity' and entity_key -%}
    {%- set required_names = [] -%}
    {%- for col in columns if cdp_meta(col).get('required') %}{% do required_names.append(col.name) %}{% endfor -%}

with

{%- if incremental %}

staged_before as (
    select * from {{ this }}
),

watermark as (
    select max(_ingested_at) as last_ingested_at
    from staged_before
),

{%- endif %}

landed as (
    select * from {{ landed_relation }}
    {%- if incremental %}
    -- only files not staged yet: those of the latest staged ingest or later, minus the ones already staged
    where
        _ingested_at >= coalesce((select last_ingested_at from watermark), cast('-infinity' as timestamp))
        and _file not in (
            select distinct staged_before._file
            from staged_before
            where staged_before._ingested_at >= (select last_ingested_at from watermark)
        )
    {%- endif %}
),

texts as (
    -- every declared field in one pass over the JSON (one parse per row, not one per field)
    select
        *,
        json_extract_string(_record, [
            {%- for col in columns %}'$."{{ col.name }}"'{% if not loop.last %}, {% endif %}{% endfor -%}
        ]) as _texts
    from landed
),

extracted as (
    select
        _file,
        _line,
        _format,
        _record,
        _raw,
        _parse_error,
        _ingested_at,
        _file_modified_at,
        {%- for col in columns %}
        -- trim (spaces) only the texts that need it: most do not, and trimming copies the (long) JSON texts
        case
            when starts_with(_texts[{{ loop.index }}], ' ') or ends_with(_texts[{{ loop.index }}], ' ')
                then nullif(trim(_texts[{{ loop.index }}]), '')
            else nullif(_texts[{{ loop.index }}], '')
        end as {{ adapter.quote(col.name ~ '__text') }},
        {%- endfor %}
        md5(_file || ':' || cast(_line as varchar)) as _row_id
    from texts
),

typed as (
    select
        *,
        {%- for col in columns %}
        {%- set meta = cdp_meta(col) %}
        {%- set text = adapter.quote(col.name ~ '__text') %}
        {%- if meta.get('default') is not none %}
        {%- set text = "coalesce(" ~ text ~ ", '" ~ meta.get('default') ~ "')" %}
        {%- endif %}
        {%- if meta.get('accepted_values') %}
        case
            when lower({{ text }}) in ({% for v in meta['accepted_values'] %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %})
                then lower({{ text }})
        end as {{ adapter.quote(col.name) }},
        {%- elif meta.get('normalize') == 'email' %}
        {{ normalize_email(text) }} as {{ adapter.quote(col.name) }},
        {%- elif meta.get('normalize') == 'phone' %}
        {{ normalize_phone(text) }} as {{ adapter.quote(col.name) }},
        {%- else %}
        {{ cdp_cast_text(text, col.data_type or 'varchar') }} as {{ adapter.quote(col.name) }},
        {%- endif %}
        {%- endfor %}
        case
            when _record is not null
                then nullif(json_merge_patch('{}', json_merge_patch(_record, '{ {%- for col in columns %}"{{ col.name }}": null{% if not loop.last %}, {% endif %}{% endfor -%} }')), '{}')
        end as extra
    from extracted
),

validated as (
    select
        *,
        case
            when _parse_error is not null then _parse_error
            {%- for col in columns if cdp_meta(col).get('required') %}
            {%- set text = adapter.quote(col.name ~ '__text') %}
            when {{ text }} is null then 'missing required field "{{ col.name }}"'
            when {{ adapter.quote(col.name) }} is null
                then 'invalid required field "{{ col.name }}": '
                    {%- if cdp_meta(col).get('pii') %}
                    || 'the value (withheld: personal data; see raw_record)'
                    {%- else %}
                    || '''' || {{ text }} || ''''
                    {%- endif %}
                    {%- if cdp_meta(col).get('accepted_values') %}
                    || ' is not one of {{ cdp_meta(col)["accepted_values"] | join(", ") }}'
                    {%- else %}
                    || ' is not a valid {{ cdp_meta(col).get("normalize") or col.data_type }}'
                    {%- endif %}
            {%- endfor %}
        end as _invalid_row_reason,
        {%- set optional = columns | rejectattr('name', 'in', required_names) | list %}
        {%- if optional %}
        -- the JSON object is built only for the few rows where an optional field did not parse
        case
            when
                {%- for col in optional %}
                {% if not loop.first %}or {% endif %}({{ adapter.quote(col.name ~ '__text') }} is not null and {{ adapter.quote(col.name) }} is null)
                {%- endfor %}
                then json_merge_patch('{}', json_object(
                    {%- for col in optional %}
                    '{{ col.name }}',
                    case
                        when {{ adapter.quote(col.name ~ '__text') }} is not null and {{ adapter.quote(col.name) }} is null
                            then {{ adapter.quote(col.name ~ '__text') }}
                    end{% if not loop.last %},{% endif %}
                    {%- endfor %}
                ))
        end as _invalid_values,
        {%- else %}
        cast(null as json) as _invalid_values,
        {%- endif %}
        {%- if grain == 'event' and unique_key %}
        {%- set key_parts = [] %}
        {%- for k in unique_key %}{% do key_parts.append("cast(" ~ adapter.quote(k) ~ " as varchar)") %}{% endfor %}
        {{ key_parts | join(" || '|' || ") }} as _version_id
        {%- else %}
        md5(cast(_record as varchar)) as _version_id
        {%- endif %}
    from typed
),

checked as {{ cdp_materialized_cte() }} (
    -- read twice below (repeated versions, then every row): computed once, the JSON parsed once; only the
    -- columns the table keeps (the texts as landed are done with)
    select
        {{ stage_landing_row_columns(columns) }},
        _invalid_row_reason,
        _version_id,
        _record,
        _raw,
        _format,
        _ingested_at,
        _file_modified_at
    from validated
),

delivered_more_than_once as (
    -- the first delivery of each valid version delivered more than once, in landing order: one hash aggregate
    -- over the version ids, and the join below only meets the (few) versions that repeat
    select
        _version_id,
        min({'ingested_at': _ingested_at, 'file': _file, 'line': _line}) as _first_delivery
    from checked
    where _invalid_row_reason is null
    group by _version_id
    having count(*) > 1
),

ranked as (
    select
        checked.*,
        delivered_more_than_once._first_delivery
    from checked
    left join delivered_more_than_once
        on
            checked._invalid_row_reason is null
            and checked._version_id = delivered_more_than_once._version_id
),

{%- if incremental %}

first_deliveries_before as (
    -- valid versions staged by earlier runs: a new delivery of one of them is a duplicate
    select
        _version_id,
        _file,
        _line
    from staged_before
    where
        _quarantine_reason is null
        and _version_id in (
            select ranked._version_id from ranked
            where ranked._invalid_row_reason is null
        )
),

{%- endif %}

flagged as (
    select
        ranked.*,
        coalesce(
            ranked._invalid_row_reason,
            case
                {%- if incremental %}
                when first_deliveries_before._version_id is not null
                    then '{{ stage_landing_duplicate_reason(grain, unique_key) }} first landed in '
                        || first_deliveries_before._file || ' line ' || cast(first_deliveries_before._line as varchar)
                {%- endif %}
                when
                    ranked._first_delivery is not null
                    and ranked._first_delivery <> {'ingested_at': ranked._ingested_at, 'file': ranked._file, 'line': ranked._line}
                    then '{{ stage_landing_duplicate_reason(grain, unique_key) }} first landed in '
                        || ranked._first_delivery.file || ' line ' || cast(ranked._first_delivery.line as varchar)
            end
        ) as _quarantine_reason
    from ranked
    {%- if incremental %}
    left join first_deliveries_before
        on
            ranked._invalid_row_reason is null
            and ranked._version_id = first_deliveries_before._version_id
    {%- endif %}
),

new_rows as (
    select
        {{ stage_landing_row_columns(columns) }},
        coalesce(json_keys(_invalid_values), []) as _invalid_fields,
        _quarantine_reason,
        _version_id,
        -- the landed record is kept for quarantined rows only (fct_quarantined_rows shows it); a staged row
        -- is its typed columns plus extra, and landing keeps the record
        case when _quarantine_reason is not null then _record end as _record,
        _raw,
        _format,
        _ingested_at,
        _file_modified_at
    from flagged
),

{%- if is_entity %}

{%- if incremental %}

versions_before as (
    -- the staged valid versions of every entity with a new valid version: their _is_current is recomputed
    select * exclude (_is_current)
    from staged_before
    where
        _quarantine_reason is null
        and exists (
            select 1 from new_rows
            where
                new_rows._quarantine_reason is null
                {%- for k in entity_key %}
                and new_rows.{{ adapter.quote(k) }} is not distinct from staged_before.{{ adapter.quote(k) }}
                {%- endfor %}
        )
),

{%- endif %}

versions as (
    select * from new_rows
    {%- if incremental %}
    union all by name
    select * from versions_before
    {%- endif %}
),

{%- endif %}

final as (
    select
        {{ stage_landing_row_columns(columns) }},
        _invalid_fields,
        _quarantine_reason,
        _version_id,
        {%- if is_entity %}
        _quarantine_reason is null
        and row_number() over (
            partition by _quarantine_reason is null,
            {%- for k in entity_key %} {{ adapter.quote(k) }}{% if not loop.last %},{% endif %}{% endfor %}
            order by
                {%- if updated_at %} {{ adapter.quote(updated_at) }} desc nulls last,{% endif %}
                _ingested_at desc,
                _file desc,
                _line desc
        ) = 1 as _is_current,
        {%- else %}
        _quarantine_reason is null as _is_current,
        {%- endif %}
        _record,
        _raw,
        _format,
        _ingested_at,
        _file_modified_at
    from {{ 'versions' if is_entity else 'new_rows' }}
)

select * from final
{% endmacro %}

{#- The columns every step after validation carries: the row's place in landing, the contract's columns, the extra
    fields and the invalid values. -#}
{% macro stage_landing_row_columns(columns) -%}
    _row_id,
        _file,
        _line,
        {%- for col in columns %}
        {{ adapter.quote(col.name) }},
        {%- endfor %}
        extra,
        _invalid_values
{%- endmacro %}


{#- The start of the reason given to a duplicate delivery. -#}
{% macro stage_landing_duplicate_reason(grain, unique_key) -%}
    duplicate delivery of {{ unique_key | join("+") if (grain == "event" and unique_key) else "an identical record" }}
{%- endmacro %}

{#- Pre-hook of every base model: when rows were deleted from landing since the model last ran (erasure), the
    model holds more rows than landing does for the files it processed; it is then emptied, and the run that
    follows stages all of landing again (duplicates and current versions recomputed without the deleted rows).
    Costs two counts when nothing was deleted. -#}
{% macro stage_landing_forget_deleted(source_name) %}
    {%- if is_incremental() -%}
delete from {{ this }}
where (select count(*) from {{ this }}) <> (
    select count(*) from {{ source('landing', source_name) }}
    where _ingested_at <= (select max(_ingested_at) from {{ this }})
)
    {%- endif -%}
{% endmacro %}

{#- The graph node of a landing source table (none while dbt parses). -#}
{% macro cdp_landing_source_node(source_name) %}
    {%- if execute -%}
        {%- for node in graph.sources.values() if node.source_name == 'landing' and node.name == source_name -%}
            {{ return(node) }}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("no landing source named '" ~ source_name ~ "' in models/staging/_landing__sources.yml") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{#- meta of a node or column, wherever this dbt version keeps it. -#}
{% macro cdp_meta(obj) %}
    {%- set meta = {} -%}
    {%- do meta.update(obj.get('meta') or {}) -%}
    {%- do meta.update((obj.get('config') or {}).get('meta') or {}) -%}
    {{ return(meta) }}
{% endmacro %}

{#- The keyword that makes a CTE read more than once be computed once (DuckDB would otherwise inline it into each
    reader, parsing the landed JSON again); nothing where the engine has no such keyword. -#}
{% macro cdp_materialized_cte() -%}
    {{ return(adapter.dispatch('cdp_materialized_cte', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__cdp_materialized_cte() -%}
    materialized
{%- endmacro %}
