{#- An email address trimmed and lower-cased, or null when it is not shaped like one (local@domain.tld).
    Plus-tags and typos are left alone: deciding that two spellings are one mailbox is identity resolution's job. -#}
{% macro normalize_email(expr) -%}
    case
        when regexp_matches(lower(trim({{ expr }})), '^[a-z0-9._%+''-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$')
            then lower(trim({{ expr }}))
    end
{%- endmacro %}
