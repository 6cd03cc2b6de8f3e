{#- Every staged row of every source that carries an identifier, and the customer it was resolved to: the
    customer of the row's most trusted usable identifier (one that belongs to a known person first, then by
    identifier_types.priority, then the identifier itself). Rows whose identifiers are all blocked resolve to
    no one.

    Incremental (docs/identity.md, "Incremental runs"): a run adds the staged rows landed since the last run
    (its manifest, int_source_records_resolved__files) and resolves again only the records that got new rows or
    hold an identifier whose customer (or whether that customer is a known person) changed since the last run
    (int_source_records_resolved__identifiers keeps what each identifier resolved to); of the rows already
    there, only those whose customer or deciding identifier changed are rewritten. Erasure (staged rows gone)
    or a changed seed empties the model and the run rebuilds it from every staged row. -#}
{{ config(
    materialized='incremental',
    unique_key='source_row_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "{{ identity_manifest_record(seeds=['identifier_types', 'identifier_blocklist']) }}",
        "{{ identity_resolved_identifiers_record() }}",
    ],
) }}
{%- set declarations = identity_identifier_columns() -%}
{%- set watermarks = identity_manifest_watermarks(seeds=['identifier_types', 'identifier_blocklist']) -%}
{#- an incremental run that is not a rebuild: only the records that may resolve differently -#}
{%- set delta = is_incremental() and watermarks | length > 0 -%}
{%- set resolved_identifiers = identity_resolved_identifiers_relation(this) -%}
{%- if delta and execute and flags.WHICH in ('run', 'build') -%}
    {%- do run_query(identity_resolved_identifiers_create(resolved_identifiers)) -%}
{%- endif %}

with

-- read by several CTEs below, each wanting only a few of its rows: not copied whole
extracted as {{ identity_inlined_cte() }} (
    select * from {{ ref('int_identifiers_extracted') }}
),

clustered as (
    select * from {{ ref('int_identifiers_clustered') }}
),

customers as (
    select * from {{ ref('int_identifiers_assigned') }}
),

{% for d in declarations %}
{{ d.source }} as (
    select * from {{ ref(d.model) }}
    {%- if d.source in watermarks %}
    where _ingested_at > cast('{{ watermarks[d.source] }}' as timestamp)
    {%- endif %}
),

{% endfor -%}

-- the staged rows not resolved yet (every row on a full build)
staged_rows as (
    {%- for d in declarations %}
    select
        '{{ d.source }}' as source,  -- noqa: RF04
        cast({{ d.record_key }} as varchar) as record_key,
        _file,
        _line
    from {{ d.source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

{%- if delta %}

-- what every identifier resolves to now, and what it resolved to at the last run
current_identifiers as (
    select
        clustered.identifier_key,
        customers.customer_id,
        clustered.component_has_strong
    from clustered
    inner join customers
        on clustered.identifier_key = customers.identifier_key
),

previous_identifiers as (
    select
        identifier_key,
        customer_id,
        component_has_strong
    from {{ resolved_identifiers }}
),

changed_identifiers as (
    select current_identifiers.identifier_key
    from current_identifiers
    left join previous_identifiers
        on current_identifiers.identifier_key = previous_identifiers.identifier_key
    where
        previous_identifiers.identifier_key is null
        or current_identifiers.customer_id is distinct from previous_identifiers.customer_id
        or current_identifiers.component_has_strong is distinct from previous_identifiers.component_has_strong
    union
    select previous_identifiers.identifier_key
    from previous_identifiers
    left join current_identifiers
        on previous_identifiers.identifier_key = current_identifiers.identifier_key
    where current_identifiers.identifier_key is null
),

-- the records to resolve again: those with new rows, those holding a changed identifier
affected_records as (
    select
        source,
        record_key
    from staged_rows
    union
    select
        extracted.source,
        extracted.record_key
    from extracted
    inner join changed_identifiers
        on extracted.identifier_key = changed_identifiers.identifier_key
),

affected_extracted as (
    select extracted.*
    from extracted
    inner join affected_records
        on
            extracted.source = affected_records.source
            and extracted.record_key = affected_records.record_key
),

{%- endif %}

-- a record goes with its most trusted identifier that belongs to a known person (a component with a strong
-- identifier), else with its most trusted identifier
ranked as (
    select
        extracted.source,
        extracted.record_key,
        extracted.identifier_key,
        customers.customer_id,
        case when clustered.component_has_strong then '0' else '1' end
        || lpad(cast(extracted.identifier_priority as varchar), 3, '0') || extracted.identifier_key as resolution_rank
    from {{ 'affected_extracted' if delta else 'extracted' }} as extracted
    inner join clustered
        on extracted.identifier_key = clustered.identifier_key
    inner join customers
        on extracted.identifier_key = customers.identifier_key
    where not extracted.is_blocked
),

record_customers as (
    select
        source,
        record_key,
        arg_min(customer_id, resolution_rank) as customer_id,
        arg_min(identifier_key, resolution_rank) as resolved_by_identifier_key
    from ranked
    group by
        source,
        record_key
),

new_rows as (
    select
        staged_rows.source || '|' || staged_rows._file || '|' || cast(staged_rows._line as varchar) as source_row_id,
        staged_rows.source,
        staged_rows.record_key,
        staged_rows._file as source_file,
        staged_rows._line as source_line,
        record_customers.customer_id,
        record_customers.resolved_by_identifier_key
    from staged_rows
    left join record_customers
        on
            staged_rows.source = record_customers.source
            and staged_rows.record_key = record_customers.record_key
),

{%- if delta %}

-- rows resolved by earlier runs whose record now goes to another customer, or by another identifier
changed_rows as (
    select
        previous.source_row_id,
        previous.source,
        previous.record_key,
        previous.source_file,
        previous.source_line,
        record_customers.customer_id,
        record_customers.resolved_by_identifier_key
    from {{ this }} as previous
    inner join affected_records
        on
            previous.source = affected_records.source
            and previous.record_key = affected_records.record_key
    left join record_customers
        on
            previous.source = record_customers.source
            and previous.record_key = record_customers.record_key
    where
        previous.customer_id is distinct from record_customers.customer_id
        or previous.resolved_by_identifier_key is distinct from record_customers.resolved_by_identifier_key
),

{%- endif %}

final as (
    select * from new_rows
    {%- if delta %}
    union all
    select * from changed_rows
    {%- endif %}
)

select * from final
