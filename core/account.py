"""账户: a user's own API tokens — list (with last use), issue, revoke; changes by POST only.

Tokens are core.models.ApiToken, sent as `Authorization: Token <key>`: stored hashed, shown once,
expiring after settings.API_TOKEN_DAYS, void once the password changes or the account is
deactivated, optionally read-only. A token client is exempt from CSRF only because it
authenticates by that header; a browser session calling the API still needs the CSRF token (DRF's
SessionAuthentication enforces it)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.models import ApiToken
from core.security import int_or

MAX_TOKENS_PER_USER = 10


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            if request.user.api_tokens.count() >= MAX_TOKENS_PER_USER:
                return _page(request, None, _("每个账户最多 %(n)d 个令牌，请先撤销不用的令牌。") % {"n": MAX_TOKENS_PER_USER}, 400)
            new_token = ApiToken.issue(request.user, name=request.POST.get("name", ""),
                                       read_only=request.POST.get("read_only") == "1")
        elif action == "revoke":
            tokens = request.user.api_tokens.all()
            if "token" in request.POST:  # one token; without it, every token of the user
                tokens = tokens.filter(pk=int_or(request.POST.get("token"), -1))
            deleted, _rows = tokens.delete()
            if deleted:
                messages.success(request, _("API 令牌已撤销，使用它的程序将无法再访问接口。"))
            else:
                messages.info(request, _("没有可撤销的令牌。"))
            return redirect("api_token")
        else:
            return _page(request, None, _("无法识别的操作，请使用页面上的按钮。"), 400)
    return _page(request, new_token)


def _page(request, new_token, error=None, status=200):
    tokens = list(request.user.api_tokens.all())
    context = {"tokens": tokens, "new_token": new_token, "new_key": getattr(new_token, "key", None), "error": error,
               "token_days": settings.API_TOKEN_DAYS}
    return render(request, "registration/api_token.html", context, status=status)
