from django import template

register = template.Library()


@register.filter
def minutes(value):
    """A timedelta as whole minutes (rounded up), for messages such as the lockout page."""
    try:
        seconds = value.total_seconds()
    except AttributeError:
        return ""
    return max(1, int(-(-seconds // 60)))
