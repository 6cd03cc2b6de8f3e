{#- The deterministic identity graph: an edge between two identifiers seen together in one record, with the
    guard that drops it (null: kept). Rules, in order of precedence:
      blocklist           an end is a junk value of the seed identifier_blocklist
      weak_pair           both ends are weak: a cookie, device or card links to people only through the
                          strong identifiers it is seen with, never through another weak identifier (an app
                          install id reused across devices would otherwise chain strangers together)
      shared_<type>       a weak identifier (cookie, device, card) seen with more than one value of a strong
                          type (two logins on one family computer): it links only to other shared identifiers,
                          so the family device stays an anonymous profile of its own and merges no one
      weak_leaf           a weak identifier hangs off one strong identifier only (the most trusted type, then
                          the one seen in most records, then the smallest): it never bridges two strong
                          identifiers, so it cannot carry a link that a limit has cut
      limit_<u>_per_<t>   a strong identifier of type t linked to more values of strong type u than
                          identifier_types.max_links_per_identifier allows: the edges beyond the limit are
                          dropped, keeping those seen in most records, then the earliest seen, then by value

    Incremental (docs/identity.md, "Incremental runs"): a rule decides an edge from the edges of its two ends
    only. A run recomputes, from int_identifiers_extracted, the edges of the identifiers of the records that got
    staged rows since the last run (its manifest, int_identifier_edges_guarded__files); the edges that are new
    or changed give the identifiers whose neighbourhood changed; the rules are decided again for every edge of
    those identifiers, over all the edges of their ends, and only those edges are rewritten. Erasure or a
    changed seed rebuilds the whole graph. -#}
{{ config(
    materialized='incremental',
    unique_key='edge_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{{ identity_manifest_record(seeds=['identifier_types', 'identifier_blocklist']) }}",
) }}
{%- set watermarks = identity_manifest_watermarks(seeds=['identifier_types', 'identifier_blocklist']) -%}
{#- an incremental run that is not a rebuild: only the neighbourhood of the new records -#}
{%- set delta = is_incremental() and watermarks | length > 0 %}


with

extracted as (
    select * from {{ ref('int_identifiers_extracted') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

{%- if delta %}

-- the records that got staged rows since the last run, and their identifiers
touched_records as (
    {%- for d in identity_identifier_columns() %}
    select distinct
        '{{ d.source }}' as source,  -- noqa: RF04
        cast({{ d.record_key }} as varchar) as record_key
    from {{ ref(d.model) }}
    {%- if d.source in watermarks %}
    where _ingested_at > cast('{{ watermarks[d.source] }}' as timestamp)
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

touched_identifiers as (
    select distinct extracted.identifier_key
    from extracted
    inner join touched_records
        on
            extracted.source = touched_records.source
            and extracted.record_key = touched_records.record_key
),

-- every record holding one of them: all the records of every edge of a touched identifier
scope_records as (
    select distinct
        extracted.source,
        extracted.record_key
    from extracted
    inner join touched_identifiers
        on extracted.identifier_key = touched_identifiers.identifier_key
),

scope_extracted as (
    select extracted.*
    from extracted
    inner join scope_records
        on
            extracted.source = scope_records.source
            and extracted.record_key = scope_records.record_key
),

{%- endif %}

pairs as (
    select
        left_side.identifier_key as left_key,
        right_side.identifier_key as right_key,
        left_side.identifier_type as left_type,
        right_side.identifier_type as right_type,
        left_side.identifier_strength as left_strength,
        right_side.identifier_strength as right_strength,
        left_side.is_blocked or right_side.is_blocked as is_blocked,
        left_side.source,
        least(left_side.first_seen_at, right_side.first_seen_at) as first_seen_at,
        greatest(left_side.last_seen_at, right_side.last_seen_at) as last_seen_at
    from {{ 'scope_extracted' if delta else 'extracted' }} as left_side
    inner join {{ 'scope_extracted' if delta else 'extracted' }} as right_side
        on
            left_side.source = right_side.source
            and left_side.record_key = right_side.record_key
            and left_side.identifier_key < right_side.identifier_key
),

aggregated as (
    select
        left_key,
        right_key,
        any_value(left_type) as left_type,
        any_value(right_type) as right_type,
        any_value(left_strength) as left_strength,
        any_value(right_strength) as right_strength,
        bool_or(is_blocked) as is_blocked,
        count(*) as record_count,
        list(distinct source order by source) as sources,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from pairs
    group by
        left_key,
        right_key
),

{%- if delta %}

-- the edges kept from earlier runs, with what the rules read
previous as (
    select
        guarded.left_key,
        guarded.right_key,
        guarded.left_type,
        guarded.right_type,
        left_types.strength as left_strength,
        right_types.strength as right_strength,
        coalesce(guarded.drop_rule = 'blocklist', false) as is_blocked,
        guarded.record_count,
        guarded.sources,
        guarded.first_seen_at,
        guarded.last_seen_at
    from {{ this }} as guarded
    inner join identifier_types as left_types
        on guarded.left_type = left_types.identifier_type
    inner join identifier_types as right_types
        on guarded.right_type = right_types.identifier_type
),

-- the edges of the touched identifiers that are new or changed
changed as (
    select aggregated.*
    from aggregated
    left join previous
        on
            aggregated.left_key = previous.left_key
            and aggregated.right_key = previous.right_key
    where
        (
            aggregated.left_key in (select touched_identifiers.identifier_key from touched_identifiers)
            or aggregated.right_key in (select touched_identifiers.identifier_key from touched_identifiers)
        )
        and (
            previous.left_key is null
            or aggregated.record_count is distinct from previous.record_count
            or aggregated.sources is distinct from previous.sources
            or aggregated.first_seen_at is distinct from previous.first_seen_at
            or aggregated.last_seen_at is distinct from previous.last_seen_at
            or aggregated.is_blocked is distinct from previous.is_blocked
        )
),

-- the identifiers whose edges changed: every edge of theirs is decided again
changed_ends as (
    select left_key as identifier_key from changed
    union
    select right_key as identifier_key from changed
),

-- ... from all the edges of both its ends
scope_ends as (
    select identifier_key from changed_ends
    union
    select previous.left_key as identifier_key
    from previous
    inner join changed_ends
        on previous.right_key = changed_ends.identifier_key
    union
    select previous.right_key as identifier_key
    from previous
    inner join changed_ends
        on previous.left_key = changed_ends.identifier_key
),

edges as (
    select * from changed
    union all
    select previous.*
    from previous
    left join changed
        on
            previous.left_key = changed.left_key
            and previous.right_key = changed.right_key
    where
        changed.left_key is null
        and (
            previous.left_key in (select scope_ends.identifier_key from scope_ends)
            or previous.right_key in (select scope_ends.identifier_key from scope_ends)
        )
),

{%- else %}

edges as (
    select * from aggregated
),

{%- endif %}

-- both directions of every unblocked edge: (identifier, neighbour)
directed as (
    select
        left_key as identifier_key,
        left_type as identifier_type,
        left_strength as identifier_strength,
        right_key as neighbour_key,
        right_type as neighbour_type,
        right_strength as neighbour_strength,
        left_key,
        right_key,
        record_count,
        first_seen_at
    from edges
    where not is_blocked
    union all
    select
        right_key as identifier_key,
        right_type as identifier_type,
        right_strength as identifier_strength,
        left_key as neighbour_key,
        left_type as neighbour_type,
        left_strength as neighbour_strength,
        left_key,
        right_key,
        record_count,
        first_seen_at
    from edges
    where not is_blocked
),

owner_counts as (
    select identifier_key
    from directed
    where
        identifier_strength = 'weak'
        and neighbour_strength = 'strong'
        and neighbour_type <> 'order_id'
    group by
        identifier_key,
        neighbour_type
    having count(distinct neighbour_key) > 1
),

shared_weak_identifiers as (
    select distinct identifier_key
    from owner_counts
),

ranked_strong_links as (
    select
        directed.left_key,
        directed.right_key,
        directed.identifier_type,
        directed.neighbour_type,
        identifier_types.max_links_per_identifier,
        row_number() over (
            partition by directed.identifier_key, directed.neighbour_type
            order by directed.record_count desc, directed.first_seen_at asc, directed.neighbour_key asc
        ) as link_rank
    from directed
    inner join identifier_types
        on directed.neighbour_type = identifier_types.identifier_type
    where
        directed.identifier_strength = 'strong'
        and directed.neighbour_strength = 'strong'
        and identifier_types.max_links_per_identifier is not null
),

weak_attachments as (
    select
        directed.left_key,
        directed.right_key,
        row_number() over (
            partition by directed.identifier_key
            order by identifier_types.priority asc, directed.record_count desc, directed.neighbour_key asc
        ) as attachment_rank
    from directed
    inner join identifier_types
        on directed.neighbour_type = identifier_types.identifier_type
    where
        directed.identifier_strength = 'weak'
        and directed.neighbour_strength = 'strong'
),

limit_breaches as (
    select
        left_key,
        right_key,
        min('limit_' || neighbour_type || '_per_' || identifier_type) as drop_rule
    from ranked_strong_links
    where link_rank > max_links_per_identifier
    group by
        left_key,
        right_key
),

final as (
    select
        edges.left_key || ' ~ ' || edges.right_key as edge_id,
        edges.left_key,
        edges.right_key,
        edges.left_type,
        edges.right_type,
        edges.record_count,
        edges.sources,
        case
            when edges.is_blocked then 'blocklist'
            when edges.left_strength = 'weak' and edges.right_strength = 'weak' then 'weak_pair'
            when shared_left.identifier_key is not null then 'shared_' || edges.left_type
            when shared_right.identifier_key is not null then 'shared_' || edges.right_type
            when weak_attachments.attachment_rank > 1 then 'weak_leaf'
            else limit_breaches.drop_rule
        end as drop_rule,
        edges.first_seen_at,
        edges.last_seen_at
    from edges
    left join shared_weak_identifiers as shared_left
        on edges.left_key = shared_left.identifier_key
    left join shared_weak_identifiers as shared_right
        on edges.right_key = shared_right.identifier_key
    left join weak_attachments
        on
            edges.left_key = weak_attachments.left_key
            and edges.right_key = weak_attachments.right_key
    left join limit_breaches
        on
            edges.left_key = limit_breaches.left_key
            and edges.right_key = limit_breaches.right_key
    {%- if delta %}
    where
        edges.left_key in (select changed_ends.identifier_key from changed_ends)
        or edges.right_key in (select changed_ends.identifier_key from changed_ends)
    {%- endif %}
)

select * from final
