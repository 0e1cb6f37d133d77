"""Small request helpers shared by views."""
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
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
