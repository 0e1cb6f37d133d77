"""Small request helpers shared by views."""
import re

from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request):
    """The form's `next` when it is a path on this site, else None (no open redirect).

    Only absolute paths count: a bare word would be taken by `redirect()` for a view name, and a
    control character (CR/LF) could not go into the Location header."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//") or any(ord(ch) < 32 or ch == "\x7f" for ch in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    return target


def redirect_back(request, default, *args, **kwargs):
    """Redirect to the form's `next` when it is a local path, else to `default`."""
    target = safe_next(request)
    if target:
        return HttpResponseRedirect(target)
    return redirect(default, *args, **kwargs)


# A record's version counts its saves; the column is a PositiveIntegerField.
MAX_VERSION = 2**31 - 1
_VERSION = re.compile(r"[0-9]{1,10}")
BAD_VERSION_MESSAGE = "页面缺少有效的版本号（version），操作未执行。请刷新页面后重试。"


class BadVersion(ValueError):
    """A state-changing request without a usable version: refused with 400, never let through
    without the optimistic-lock check."""


def parse_version(text):
    """The version a form or API call sent, as an int, or BadVersion when it is missing, not plain
    ASCII digits, or beyond the column (10^23 and 'abc' used to skip the check altogether)."""
    text = text.strip() if isinstance(text, str) else (str(text) if isinstance(text, int) and not isinstance(text, bool) else "")
    if not _VERSION.fullmatch(text) or int(text) > MAX_VERSION:
        raise BadVersion(BAD_VERSION_MESSAGE)
    return int(text)


def bad_request(request, message):
    """The 400 page with a Chinese message (the same page the NUL guard shows)."""
    return render(request, "core/bad_request.html", {"message": message}, status=400)
