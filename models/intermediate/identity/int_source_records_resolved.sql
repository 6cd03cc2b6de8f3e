{#- Every staged row of every source that carries an identifier, and the customer it was resolved to: the
    customer of the row's most trusted usable identifier (one that belongs to a known person first, then by
    identifier_types.priority, then the identifier itself). Rows whose identifiers are all blocked resolve to
    no one. -#}
{%- set declarations = identity_identifier_columns() -%}

with

extracted as (
    select * from {{ ref('int_identifiers_extracted') }}
),

clustered as (
    select * from {{ ref('int_identifiers_clustered') }}
),

customers as (
    select * from {{ ref('int_identifiers_assigned') }}
),

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
    from extracted
    inner join clustered
        on extracted.identifier_key = clustered.identifier_key
    inner join customers
        on extracted.identifier_key = customers.identifier_key
    where not extracted.is_blocked
),

{% for d in declarations %}
{{ d.source }} as (
    select * from {{ ref(d.model) }}
),

{% endfor -%}

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

final as (
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
)

select * from final
