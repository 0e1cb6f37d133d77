from django.db import models
from django.utils.translation import gettext_lazy as _


class DataGeneration(models.Model):
    """A counter raised after every committed change to the data under region-wide summaries
    (数据版本). Cached summaries are keyed by it, so a change anywhere makes them all stale
    at once; see core/generations.py."""

    name = models.CharField(_("名称"), max_length=40, primary_key=True)
    number = models.BigIntegerField(_("版本号"), default=0)
    changed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.name} #{self.number}"


class ApiToken(models.Model):
    """A user's API token (API 令牌). Only a SHA-256 hash of the key is stored: the key itself is
    shown once, when it is issued. A token works only while it has not expired
    (settings.API_TOKEN_DAYS), its user is active, and the user's password is the one it was
    issued under (`password_stamp`, Django's session hash of the password): a password change or
    a deactivation ends every token at once, whichever way it happens (page, admin, manage.py).
    A read-only token may only read (GET/HEAD/OPTIONS); core.authentication enforces both."""

    user = models.ForeignKey("auth.User", models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=100, blank=True)
    key_hash = models.CharField(_("令牌哈希"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    read_only = models.BooleanField(_("只读"), default=False)
    password_stamp = models.CharField(_("密码标记"), max_length=128)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash_key(key):
        import hashlib

        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    @classmethod
    def issue(cls, user, name="", read_only=False, days=None):
        """A new token for `user`; the returned instance carries the plain `key` (never stored)."""
        import secrets
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone

        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=(name or "").strip()[:100], key_hash=cls.hash_key(key), prefix=key[:8], read_only=read_only,
            password_stamp=user.get_session_auth_hash(),
            expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS),
        )
        token.key = key
        return token

    @property
    def is_expired(self):
        from django.utils import timezone

        return self.expires_at <= timezone.now()

    def still_valid(self):
        """Not expired, user active, password unchanged since issue."""
        from django.utils.crypto import constant_time_compare

        return (not self.is_expired and self.user.is_active
                and constant_time_compare(self.password_stamp, self.user.get_session_auth_hash()))
