"""Small security helpers shared by settings, middleware and views."""
import functools
import ipaddress
import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def client_ip(request):
    """The client address django-axes counts failed logins against.

    X-Forwarded-For is only believed when the request comes from a configured proxy
    (settings.TRUSTED_PROXIES, env DJANGO_TRUSTED_PROXIES: addresses or networks): the header is
    then read from the right, skipping the trusted proxies' own entries, and the first address
    no trusted proxy vouches for is the client. Anyone else could write any X-Forwarded-For and
    give every wrong password a fresh address, so from them the header is ignored. An entry that
    is not an address stops the walk (it was not written by a proxy we trust)."""
    from django.conf import settings

    remote = _ip(request.META.get("REMOTE_ADDR"))
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if remote is None or not _is_trusted(remote, trusted):
        return remote
    client = remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for entry in reversed(forwarded):
        address = _ip(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return client


@functools.lru_cache(maxsize=8)
def _networks(entries):
    """The trusted proxies as ip_network objects (a bare address is a /32 or /128 network)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _is_trusted(address, networks):
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in networks)


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
