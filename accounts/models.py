"""Roles and where each user works. Scope rules: their shared shape in accounts/scoping.py, the querysets in indicators/models/scoping.py and projects/scoping.py; roles in accounts/roles.py."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_STAFF = "staff", _("填报员")
    REVIEWER = "reviewer", _("审核员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("管理员")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    region = models.ForeignKey(
        "indicators.Region", models.PROTECT, null=True, blank=True, related_name="profiles", verbose_name=_("行政区划")
    )
    bureau = models.ForeignKey(
        "indicators.Bureau", models.PROTECT, null=True, blank=True, related_name="profiles", verbose_name=_("所属部门")
    )
    synthetic = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="profile_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user.get_username()}（{self.get_role_display()}）"

    def clean(self):
        if self.role == Role.BUREAU_STAFF and not self.bureau_id:
            raise ValidationError({"bureau": _("填报员必须属于一个责任部门。")})
        if self.role in (Role.REVIEWER, Role.LEADER) and not self.region_id:
            raise ValidationError({"region": _("审核员和领导必须指定行政区划。")})
        if self.bureau_id and self.region_id and self.bureau.region_id != self.region_id:
            raise ValidationError({"bureau": _("所属部门不在该行政区划内。")})

    def save(self, *args, **kwargs):
        if self.bureau_id and not self.region_id:
            self.region_id = self.bureau.region_id
        super().save(*args, **kwargs)
