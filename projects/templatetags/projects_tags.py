from django import template

from projects.models import plain_number

register = template.Library()


@register.filter
def plain(value):
    """A Decimal as printed in a plan: no trailing zeros, no exponent (1000.0000 → 1000)."""
    if value is None or value == "":
        return ""
    return plain_number(value)
