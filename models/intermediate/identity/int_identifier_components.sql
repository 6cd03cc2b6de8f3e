{#- Every usable identifier and the connected component of the identity graph it belongs to, before the limits
    per customer: the kept deterministic edges plus the probabilistic links between profile records, resolved
    by identity_connected_components (O(log n) passes, in the warehouse). int_identifiers_clustered applies the
    limits per customer to the few components that break one. -#}
{{ config(post_hook="drop table if exists {{ this.schema }}.int_identifier_components__cc_result") }}

{%- set work = this.schema ~ '.int_identifier_components__cc_' -%}
{%- set edges_sql -%}
    select hash(left_key) as src, hash(right_key) as dst
    from {{ ref('int_identifier_edges_guarded') }}
    where drop_rule is null
    union all
    select hash(left_record_id) as src, hash(right_record_id) as dst
    from {{ ref('int_profile_records_matched') }}
{%- endset -%}
{#- the loop runs when the model is built, not when it is only compiled (docs, sqlfluff) -#}
{%- if execute and flags.WHICH in ('run', 'build') -%}
    {%- do identity_connected_components(edges_sql, work) -%}
{%- endif %}

with

extracted as (
    select * from {{ ref('int_identifiers_extracted') }}
),

components as (
    select * from {{ work }}result
),

identifiers as (
    select
        identifier_key,
        any_value(identifier_type) as identifier_type,
        any_value(identifier_value) as identifier_value,
        any_value(identifier_strength) as identifier_strength,
        any_value(identifier_priority) as identifier_priority,
        count(*) as record_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from extracted
    where not is_blocked
    group by identifier_key
),

labelled as (
    select
        identifiers.*,
        coalesce(components.component_id, hash(identifiers.identifier_key)) as component_node_id
    from identifiers
    left join components
        on hash(identifiers.identifier_key) = components.node_id
),

final as (
    select
        identifier_key,
        identifier_type,
        identifier_value,
        identifier_strength,
        identifier_priority,
        -- the component named by its smallest identifier: independent of hashing, stable for equal data
        min(identifier_key) over (partition by component_node_id) as component_key,
        count(*) over (partition by component_node_id) as component_size,
        bool_or(identifier_strength = 'strong') over (partition by component_node_id) as component_has_strong,
        record_count,
        first_seen_at,
        last_seen_at
    from labelled
)

select * from final
