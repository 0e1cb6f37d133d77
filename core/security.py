"""Small security helpers shared by settings, middleware and views."""
import ipaddress
import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def client_ip(request):
    """The client address django-axes counts failed logins against.

    Behind the TLS-terminating proxy (DJANGO_HTTPS, which sets SECURE_PROXY_SSL_HEADER) every
    request comes from the proxy, so the address is the last X-Forwarded-For entry: the one the
    proxy itself appended (earlier entries are whatever the client chose to send)."""
    from django.conf import settings

    remote = _ip(request.META.get("REMOTE_ADDR"))
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded and _ip(forwarded[-1]):
            return _ip(forwarded[-1])
    return remote


def _ip(text):
    """A valid IP address or None (axes stores it in an inet column on PostgreSQL)."""
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def axes_username(request, credentials=None):
    """The username django-axes records a failed login under, cut to the column's 255 characters
    (Django's login form does not enforce its own 150-character limit before authenticating)."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "") if hasattr(request, "POST") else ""
    return str(username)[:150]


def int_or(text, default=None):
    """`text` as a non-negative int when it is plain ASCII digits (at most 18 of them), else
    `default`. str.isdigit() accepts '²' and 5,000-digit strings, on which int() raises."""
    text = (text or "").strip() if isinstance(text, str) else ""
    return int(text) if _DIGITS.fullmatch(text) else default


def has_nul(value):
    """True when a string, or any string inside lists/dicts, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return False
