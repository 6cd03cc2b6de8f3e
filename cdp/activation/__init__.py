"""Audiences and reverse-ETL activation (docs/activation.md): audiences/*.yml compiled into the dbt model
audience_membership (compiler), destinations/*.yml (config), the sync engine (sync) and the protocols
(destinations)."""
