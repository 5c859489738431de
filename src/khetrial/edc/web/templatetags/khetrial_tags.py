from django import template
from django.utils.translation import gettext

from khetrial.edc.web import labels

register = template.Library()


@register.filter
def get(mapping, key):
    """``row|get:column`` — a value of a dict row (empty for missing)."""
    value = mapping.get(key, "") if hasattr(mapping, "get") else ""
    if value is None:
        return ""
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    return value


@register.simple_tag
def field_label(table, field):
    """``{% field_label "labs" "value" %}`` — the column's label with its unit (translated)."""
    return labels.field_label(table, field)


@register.simple_tag
def cell(row, table, field):
    """``{% cell row "medications" "frequency" %}`` — a cell as a person reads it."""
    value = row.get(field, "") if hasattr(row, "get") else ""
    return labels.value_label(table, field, value)


@register.simple_tag
def value_label(table, field, value):
    """``{% value_label "qol" "instrument" link.instrument %}`` — one value in words."""
    return labels.value_label(table, field, value)


@register.simple_tag
def table_label(table):
    """``{% table_label "labs" %}`` — the file's title (translated)."""
    return labels.table_label(table)


@register.simple_tag
def audit_cell(row, column):
    """``{% audit_cell row "field" %}`` — one audit trail cell in words."""
    return labels.audit_cell(row, column)


@register.simple_tag
def audit_heading(column):
    """``{% audit_heading "old" %}`` — an audit trail column's heading."""
    return labels.AUDIT_COLUMN_LABELS.get(column, column)


@register.simple_tag
def role_label(role):
    """``{% role_label role %}`` — a role in words (translated)."""
    return labels.ROLE_LABELS.get(role, role)


@register.filter
def severity(value):
    """``a.severity|severity`` — an alert's severity in words."""
    return labels.SEVERITY_LABELS.get(value, value)


@register.filter
def visit_status(value):
    """``v.status|visit_status`` — a visit's state in words."""
    return labels.VISIT_STATUS_LABELS.get(value, value)


@register.filter
def visit_name(visit):
    """``v.visit|visit_name`` — "Week 4", "Baseline"."""
    return labels.visit_label(visit)


@register.filter
def query_status(value):
    """``q.status|query_status`` — a data query's state in words."""
    return labels.QUERY_STATUS_LABELS.get(value, value)


@register.filter
def criteria(codes):
    """``r.reason|criteria`` — a screening's failed criteria in words."""
    return labels.criteria_label(codes)
