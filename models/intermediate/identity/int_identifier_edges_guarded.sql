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
                          dropped, keeping those seen in most records, then the earliest seen, then by value -#}

with

extracted as (
    select * from {{ ref('int_identifiers_extracted') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

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
    from extracted as left_side
    inner join extracted as right_side
        on
            left_side.source = right_side.source
            and left_side.record_key = right_side.record_key
            and left_side.identifier_key < right_side.identifier_key
),

edges as (
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
)

select * from final
