"""Limits per customer: the edges of the components that break one, kept or dropped (cdp/identity/limits.py)."""

from cdp.identity.limits import decide_limits


def _arrow(relation):
    table = relation.arrow()
    return table.read_all() if hasattr(table, "read_all") else table


def model(dbt, session):
    dbt.config(materialized="table")
    components = _arrow(dbt.ref("int_identifier_components").select("identifier_key, identifier_type, component_key"))
    edges = _arrow(dbt.ref("int_identifier_edges_guarded").filter("drop_rule is null"))
    links = _arrow(dbt.ref("int_profile_records_matched"))
    types = _arrow(dbt.ref("identifier_types").select("identifier_type, priority"))
    limits = _arrow(dbt.ref("identifier_customer_limits").select("identifier_type, max_per_customer"))
    return decide_limits(components, edges, links, types, limits)
