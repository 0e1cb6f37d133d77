"""API token authentication (core.models.ApiToken): `Authorization: Token <key>`.

Replaces DRF's authtoken, which kept keys in plain text, never expired and outlived password
changes. A read-only token is refused (403) on any method that is not GET, HEAD or OPTIONS, here
at authentication, so no view can forget the check."""
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from core.models import ApiToken

# last_used_at is written at most this often per token, so busy clients do not write every call.
LAST_USE_PRECISION = timedelta(minutes=1)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确：应为 Authorization: Token <令牌>。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None or not token.still_valid():
            # one answer for unknown, expired and revoked-by-password-change: nothing to probe
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已失效（修改密码或停用账户后令牌失效），请在「API 令牌」页面重新生成。"))
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("此令牌为只读令牌，只能读取数据，不能提交、修改或审核。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
            # ApiToken keeps no history; a direct update avoids re-saving the whole row.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


try:  # the OpenAPI schema names the scheme (drf-spectacular finds extensions by subclassing)
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # pragma: no cover - drf-spectacular is in requirements.txt
    OpenApiAuthenticationExtension = None

if OpenApiAuthenticationExtension is not None:
    class ApiTokenScheme(OpenApiAuthenticationExtension):
        target_class = "core.authentication.ApiTokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {"type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "Token <key>（在 /account/token/ 生成；只读令牌只能 GET）"}
