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
      household_<type>    an email or phone held by profile records (int_profile_records_prepared) of two
                          people - birth dates that differ, or, no birth date in common, first names that
                          cannot be one person's (cdp/identity/matching.py's _FIRST_NAMES_AGREE, negated) - is a
                          household's landline or family mailbox: every edge between it and another strong
                          identifier is dropped, so it links no two people; the probabilistic matcher still
                          compares those records on all their fields (the shared value as its weak
                          "exact_shared" level). A cookie or device seen with it alone stays attached to it
                          (weak_leaf), so the shared value and what only it carries are the household's customer
      limit_<u>_per_<t>   a strong identifier of type t linked to more values of strong type u than
                          identifier_types.max_links_per_identifier allows: the edges beyond the limit are
                          dropped, keeping those seen in most records, then the earliest seen, then by value

    Incremental (docs/identity.md, "Incremental runs"): a rule decides an edge from the edges of its two ends
    and the names and birth dates of the profile records holding them only. A run recomputes, from
    int_identifiers_extracted, the edges of the identifiers of the records that got staged rows since the last
    run (its manifest, int_identifier_edges_guarded__files); the edges that are new or changed, and the emails
    and phones of the touched profile records (a new record or a new version may bring another person),
    give the identifiers whose neighbourhood changed; the rules are decided again for every edge of those
    identifiers, over all the edges of their ends, and only those edges are rewritten. Erasure or a changed
    seed (the nicknames included: they decide which first names agree) rebuilds the whole graph. -#}
{{ config(
    materialized='incremental',
    unique_key='edge_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{{ identity_manifest_record(
        seeds=['identifier_types', 'identifier_blocklist', 'identifier_nicknames']
    ) }}",
) }}
{%- set watermarks = identity_manifest_watermarks(
    seeds=['identifier_types', 'identifier_blocklist', 'identifier_nicknames']
) -%}
{#- the sources whose records carry a person's name (compared by the household rule) -#}
{%- set profile_sources = identity_identifier_columns() | selectattr('profile') | map(attribute='source')
    | list -%}
{%- set profile_sources_sql = "'" ~ profile_sources | join("', '") ~ "'" -%}
{#- the identifiers a household shares: its landline, its family mailbox -#}
{%- set household_types_sql = "'email', 'phone'" -%}
{#- an incremental run that is not a rebuild: only the neighbourhood of the new records -#}
{%- set delta = is_incremental() and watermarks | length > 0 %}


with

extracted as (
    select * from {{ ref('int_identifiers_extracted') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

profile_records as (
    select * from {{ ref('int_profile_records_prepared') }}
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

-- the emails and phones of the touched profile records: a new record or a new version may bring a first name
-- that makes one of them a household's (or no longer), so all their edges are decided again
touched_contact_points as (
    select distinct extracted.identifier_key
    from extracted
    inner join touched_records
        on
            extracted.source = touched_records.source
            and extracted.record_key = touched_records.record_key
    where
        extracted.source in ({{ profile_sources_sql }})
        and extracted.identifier_type in ({{ household_types_sql }})
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

-- the identifiers whose edges changed, or whose profile records did: every edge of theirs is decided again
changed_ends as (
    select left_key as identifier_key from changed
    union
    select right_key as identifier_key from changed
    union
    select identifier_key from touched_contact_points
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

-- the people behind each email and phone: the name and birth date of every profile record holding it
contact_point_names as (
    select distinct
        extracted.identifier_key,
        profile_records.first_name_std,
        profile_records.first_name_forms_text,
        profile_records.first_name_key,
        profile_records.last_name_std,
        profile_records.birth_date
    from extracted
    inner join profile_records
        on
            extracted.source = profile_records.source
            and extracted.record_key = profile_records.source_record_id
    where
        extracted.source in ({{ profile_sources_sql }})
        and extracted.identifier_type in ({{ household_types_sql }})
        and (profile_records.first_name_std is not null or profile_records.birth_date is not null)
    {%- if delta %}
        and (
            extracted.identifier_key in (select edges.left_key from edges)
            or extracted.identifier_key in (select edges.right_key from edges)
        )
    {%- endif %}
),

-- more than 20 names and birth dates on one value are not one person's spellings: a hub (a call centre's
-- number, an office mailbox), a household outright, not compared pair by pair (the pairs would grow as the square)
crowded_contact_points as (
    select identifier_key
    from contact_point_names
    group by identifier_key
    having count(*) > 20
),

-- the values that are not hubs, compared pair by pair
comparable_names as (
    select contact_point_names.*
    from contact_point_names
    left join crowded_contact_points
        on contact_point_names.identifier_key = crowded_contact_points.identifier_key
    where crowded_contact_points.identifier_key is null
),

-- a household's landline or family mailbox: two of the records holding it are two people. Two birth dates,
-- both known, that differ (not equal, not one typo apart, not day and month swapped: the matcher's levels) are
-- two people; one birth date on both is one person whatever the first names (a misspelt or unlisted nickname).
-- Otherwise (a birth date unknown, or two one typo apart: a couple born days apart) the first names decide,
-- both known: two people when they cannot be one person's, the negation of
-- cdp/identity/matching.py's _FIRST_NAMES_AGREE (equal, a nickname form in common, Jaro-Winkler >= 0.88, an
-- initial, swapped with the last name), more tolerant of typos where it costs no household: the same tests on
-- the formal names a nickname stands for (a nickname in one record, a typo or the initial of the formal name in
-- the other: bill and wiliam, bill and w), and swapped names with a typo or an initial (harol miller, miller
-- harold). A record with neither name nor birth date is no one's evidence. Every test is symmetric: each pair
-- is tried once.
household_pairs as (
    select
        left_name.identifier_key,
        left_name.birth_date is not null and right_name.birth_date is not null as has_birth_dates,
        coalesce(left_name.birth_date = right_name.birth_date, false) as has_same_birth_date,
        (
            left_name.birth_date = right_name.birth_date
            or damerau_levenshtein(
                cast(left_name.birth_date as varchar), cast(right_name.birth_date as varchar)
            ) <= 1
            or (
                year(left_name.birth_date) = year(right_name.birth_date)
                and month(left_name.birth_date) = day(right_name.birth_date)
                and day(left_name.birth_date) = month(right_name.birth_date)
            )
        ) as birth_dates_close,
        left_name.first_name_std is not null and right_name.first_name_std is not null as has_first_names,
        -- (a test on an unknown last name is false, as the matcher's level conditions are)
        coalesce(
            list_has_any(
                string_split(left_name.first_name_forms_text, '|'),
                string_split(right_name.first_name_forms_text, '|')
            )
            or jaro_winkler_similarity(left_name.first_name_std, right_name.first_name_std) >= 0.88
            -- a nickname in one record, a typo of the formal name in the other (bill, wiliam)
            or jaro_winkler_similarity(left_name.first_name_key, right_name.first_name_key) >= 0.88
            or (
                (length(left_name.first_name_std) = 1 or length(right_name.first_name_std) = 1)
                and (
                    left(left_name.first_name_std, 1) = left(right_name.first_name_std, 1)
                    -- the initial of the formal name (w, bill)
                    or left(left_name.first_name_key, 1) = left(right_name.first_name_key, 1)
                )
            )
            -- first and last name swapped, each as close as a first name may be (a typo, an initial)
            or (
                (
                    jaro_winkler_similarity(left_name.first_name_std, right_name.last_name_std) >= 0.88
                    or (
                        length(left_name.first_name_std) = 1
                        and left_name.first_name_std = left(right_name.last_name_std, 1)
                    )
                )
                and (
                    jaro_winkler_similarity(left_name.last_name_std, right_name.first_name_std) >= 0.88
                    or (
                        length(right_name.first_name_std) = 1
                        and right_name.first_name_std = left(left_name.last_name_std, 1)
                    )
                )
            ),
            false
        ) as first_names_agree
    from comparable_names as left_name
    inner join comparable_names as right_name
        on
            left_name.identifier_key = right_name.identifier_key
            and (
                left_name.first_name_std < right_name.first_name_std
                or left_name.birth_date < right_name.birth_date
            )
),

household_identifiers as (
    select identifier_key
    from household_pairs
    where
        (has_birth_dates and not birth_dates_close)
        or (not has_same_birth_date and has_first_names and not first_names_agree)
    union
    select identifier_key from crowded_contact_points
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
            -- (a household identifier is an email or phone: strong)
            when household_left.identifier_key is not null and edges.right_strength = 'strong'
                then 'household_' || edges.left_type
            when household_right.identifier_key is not null and edges.left_strength = 'strong'
                then 'household_' || edges.right_type
            else limit_breaches.drop_rule
        end as drop_rule,
        edges.first_seen_at,
        edges.last_seen_at
    from edges
    left join shared_weak_identifiers as shared_left
        on edges.left_key = shared_left.identifier_key
    left join shared_weak_identifiers as shared_right
        on edges.right_key = shared_right.identifier_key
    left join household_identifiers as household_left
        on edges.left_key = household_left.identifier_key
    left join household_identifiers as household_right
        on edges.right_key = household_right.identifier_key
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
