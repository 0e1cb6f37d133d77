"""Yearly values reported by the bureaus, and numbers assigned by the level above."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reporting import workflow
from reporting.models import ReviewedRecord, state_constraint

from indicators.entry.rules import JUDGEMENT_LABELS
from indicators.models.scoping import ValueQuerySet
from indicators.models.plans import Indicator


class IndicatorValue(ReviewedRecord):
    """年度值: one indicator's value for one year, as the responsible bureau reported it."""

    class RateMode(models.TextChoices):
        NONE = "", _("—")
        YEARLY = "yearly", _("当年降低率")
        CUMULATIVE = "cumulative", _("累计降低率（较基期）")

    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="values", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("数据年份"))
    raw = models.CharField(_("填报内容"), max_length=50, blank=True)
    number = models.DecimalField(_("数值"), max_digits=20, decimal_places=6, null=True, blank=True)
    water_class = models.PositiveSmallIntegerField(_("水质类别"), null=True, blank=True)
    judgement = models.CharField(_("完成情况"), max_length=12, blank=True)
    rate_mode = models.CharField(_("降低率口径"), max_length=12, blank=True, choices=RateMode.choices)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    explanation = models.TextField(_("变化说明"), blank=True)
    reviewer_judgement = models.CharField(_("审核评价"), max_length=12, blank=True)
    reviewer_judgement_reason = models.TextField(_("评价理由"), blank=True)

    objects = ValueQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="value_unique_per_indicator_year"),
            state_constraint("value_state_valid"),
            models.CheckConstraint(condition=Q(year__gte=1949) & Q(year__lte=2100), name="value_year_sane"),
        ]
        indexes = [
            models.Index(fields=["state", "year"]),
            # The review queue: submitted values, oldest submission first, a page at a time.
            models.Index(fields=["state", "submitted_at", "id"], name="value_queue_order"),
        ]
        verbose_name = _("年度值")
        verbose_name_plural = _("年度值")

    def __str__(self):
        return f"{self.indicator.name} {self.year}: {self.display_value()}"

    def display_value(self):
        if self.judgement:
            return JUDGEMENT_LABELS.get(self.judgement, self.judgement) + (f"（{self.raw}）" if self.raw else "")
        return self.raw or "—"

    def get_absolute_url(self):
        return reverse("value_detail", args=[self.pk])

    def entry_allowed(self, user):
        return Indicator.objects.editable_by(user).filter(pk=self.indicator_id).exists()

    def review_allowed(self, user):
        return Indicator.objects.reviewable_by(user).filter(pk=self.indicator_id).exists()

    def bureau_users(self):
        """Staff of the bureaus responsible for this row (or for its parent row)."""
        return self.bureau_users_of([self])[self.pk]

    @classmethod
    def bureau_users_of(cls, values):
        """value pk → staff of the bureaus responsible for its row (or its parent row); two queries."""
        rows = {v.pk: (v.indicator_id, v.indicator.parent_id) for v in values}
        indicator_ids = {i for pair in rows.values() for i in pair if i}
        bureaus_of = {}
        for indicator_id, bureau_id in Indicator.bureaus.through.objects.filter(
                indicator_id__in=indicator_ids).values_list("indicator_id", "bureau_id"):
            bureaus_of.setdefault(indicator_id, set()).add(bureau_id)
        wanted = set().union(*bureaus_of.values()) if bureaus_of else set()
        staff = {}
        for user in get_user_model().objects.filter(profile__bureau_id__in=wanted, profile__role="staff",
                                                    is_active=True).select_related("profile"):
            staff.setdefault(user.profile.bureau_id, []).append(user)
        return {pk: [u for b in sorted(bureaus_of.get(own, set()) | bureaus_of.get(parent, set()))
                     for u in staff.get(b, ())] for pk, (own, parent) in rows.items()}

    def notification_text(self, action, reason=""):
        verb = workflow.outcome_label(action)
        text = f"{self.indicator.plan.region.name}「{self.indicator.name}」{self.year}年数据{verb}"
        return f"{text}：{reason}" if reason else text


class AssignedTarget(models.Model):
    """下达目标: the number a higher level assigns where the target reads 完成市下达指标.

    One per target, or — where sub-rows share their parent's merged target cell (主要污染物减排:
    each pollutant) — one per target and sub-row, `indicator` naming the sub-row."""

    target = models.ForeignKey("indicators.IndicatorTarget", models.CASCADE, related_name="assignments", verbose_name=_("目标"))
    indicator = models.ForeignKey(Indicator, models.CASCADE, null=True, blank=True, related_name="assignments",
                                  verbose_name=_("子项指标"), help_text=_("共用上级目标的子项；空表示目标本身"))
    value = models.DecimalField(_("下达数值"), max_digits=20, decimal_places=6)
    year = models.PositiveSmallIntegerField(_("适用年份"))
    document = models.CharField(_("下达文件（文号）"), max_length=200)
    document_date = models.DateField(_("下达日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target"], condition=Q(indicator__isnull=True), name="one_assignment_per_target"),
            models.UniqueConstraint(fields=["target", "indicator"], name="one_assignment_per_target_subrow"),
        ]
        verbose_name = _("下达目标")
        verbose_name_plural = _("下达目标")

    def __str__(self):
        return f"{self.target} = {self.value}（{self.document}）"
