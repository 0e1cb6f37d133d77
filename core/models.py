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
