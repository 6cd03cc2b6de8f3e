{#- Every usable identifier and its customer-to-be: the connected component of the identity graph
    (int_identifier_components), except in the components that break a limit per customer
    (the seed identifier_customer_limits), which are rebuilt from the edges int_identity_limit_decisions kept:
    their connected components, by identity_connected_components (O(log n) passes, in the warehouse). -#}
{{ config(post_hook="drop table if exists {{ this.schema }}.int_identifiers_clustered__cc_result") }}

{%- set work = this.schema ~ '.int_identifiers_clustered__cc_' -%}
{%- set edges_sql -%}
    select hash(left_key) as src, hash(right_key) as dst
    from {{ ref('int_identity_limit_decisions') }}
    where drop_rule is null
{%- endset -%}
{#- the loop runs when the model is built, not when it is only compiled (docs, sqlfluff) -#}
{%- if execute and flags.WHICH in ('run', 'build') -%}
    {%- do identity_connected_components(edges_sql, work) -%}
{%- endif %}

with

components as (
    select * from {{ ref('int_identifier_components') }}
),

decisions as (
    select * from {{ ref('int_identity_limit_decisions') }}
),

limited as (
    select * from {{ work }}result
),

-- the identifiers of the components rebuilt under the limits
limited_identifiers as (
    select left_key as identifier_key from decisions
    union
    select right_key as identifier_key from decisions
),

labelled as (
    select
        components.identifier_key,
        components.identifier_type,
        components.identifier_value,
        components.identifier_strength,
        components.identifier_priority,
        components.record_count,
        components.first_seen_at,
        components.last_seen_at,
        components.component_key as unlimited_component_key,
        case
            when limited_identifiers.identifier_key is not null
                then coalesce(limited.component_id, hash(components.identifier_key))
        end as limited_node_id
    from components
    left join limited_identifiers
        on components.identifier_key = limited_identifiers.identifier_key
    left join limited
        on hash(components.identifier_key) = limited.node_id
),

final as (
    select
        identifier_key,
        identifier_type,
        identifier_value,
        identifier_strength,
        identifier_priority,
        -- the component named by its smallest identifier: independent of hashing, stable for equal data
        min(identifier_key) over (partition by unlimited_component_key, limited_node_id) as component_key,
        count(*) over (partition by unlimited_component_key, limited_node_id) as component_size,
        bool_or(identifier_strength = 'strong') over (
            partition by unlimited_component_key, limited_node_id
        ) as component_has_strong,
        record_count,
        first_seen_at,
        last_seen_at
    from labelled
)

select * from final
