{#- The identity identifier type of a consent or privacy-request subject_type (CONTRACT.md section 3). -#}
{% macro consent_identifier_type(subject_type) -%}
    case {{ subject_type }}
        when 'contact_id' then 'crm_contact_id'
        else {{ subject_type }}
    end
{%- endmacro %}

{#- The subject's value in identity's normalized form (identity_normalize_identifier: emails without +tag),
    so that it joins customer_identifiers. `value` is already trimmed/lower-cased (email) or E.164 (phone). -#}
{% macro consent_identifier_value(subject_type, value) -%}
    case {{ subject_type }}
        when 'email' then {{ identity_normalize_identifier('email', value) }}
        else {{ value }}
    end
{%- endmacro %}

{#- The identifier type that addresses a purpose's channel: email for email, phone for sms and phone. -#}
{% macro consent_channel_address_type(channel) -%}
    case {{ channel }}
        when 'email' then 'email'
        when 'sms' then 'phone'
        when 'phone' then 'phone'
    end
{%- endmacro %}
