"""账户: a user's own API token — create (or replace) and revoke, by POST only.

Tokens are DRF authtoken keys: one per user, sent as `Authorization: Token <key>`. A token
client is exempt from CSRF only because it authenticates by that header; a browser session
calling the API still needs the CSRF token (DRF's SessionAuthentication enforces it)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            with transaction.atomic():
                Token.objects.filter(user=request.user).delete()
                token = Token.objects.create(user=request.user)
            new_key = token.key
        elif action == "revoke":
            deleted, _rows = Token.objects.filter(user=request.user).delete()
            if deleted:
                messages.success(request, _("API 令牌已撤销，使用它的程序将无法再访问接口。"))
            else:
                messages.info(request, _("您当前没有 API 令牌。"))
            return redirect("api_token")
        else:
            return render(request, "registration/api_token.html",
                          {"token": token, "error": _("无法识别的操作，请使用页面上的按钮。")}, status=400)
    return render(request, "registration/api_token.html", {"token": token, "new_key": new_key})
