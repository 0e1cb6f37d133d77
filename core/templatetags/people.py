"""{{ user|display_name }}: people as pages name them (bureau + name), see accounts.roles.display_name."""
from django import template

from accounts.roles import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user):
    return _display_name(user)
