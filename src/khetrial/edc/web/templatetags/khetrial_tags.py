from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``row|get:column`` — a value of a dict row (empty for missing)."""
    value = mapping.get(key, "") if hasattr(mapping, "get") else ""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value
