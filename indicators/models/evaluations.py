"""Evaluation results kept current, and frozen evaluation reports (中期评估 / 终期评估).

`EvaluationResult` holds the status of every indicator for every data year of its plan. It is
recomputed for an indicator when one of its values is approved or reopened, when a target or an
assigned number changes, and by `manage.py reevaluate`; pages read it instead of re-evaluating
per request, so a national summary costs the same few queries as a county one.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from core.labels import label as translated
from core.labels import phrase_lines
from indicators import evaluation
from indicators.models.plans import Indicator, Plan

STATUS_CHOICES = [(code, evaluation.STATUS_LABELS[code]) for code in evaluation.STATUSES]


class EvaluationResult(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="evaluations")
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="evaluations")  # denormalised for per-plan scans
    year = models.PositiveSmallIntegerField(_("评估年份"))
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES)
    completion = models.FloatField(_("完成进度"), null=True)
    time_progress = models.FloatField(_("序时进度"))
    value = models.CharField(_("评价所用数值"), max_length=50, blank=True)
    value_year = models.PositiveSmallIntegerField(null=True)
    stale = models.BooleanField(_("数据未更新"), default=False)
    binding = models.BooleanField(_("约束性"), default=False)
    binding_failed = models.BooleanField(_("约束性指标未完成"), default=False)
    forecast = models.FloatField(_("预计值"), null=True)
    forecast_status = models.CharField(max_length=10, blank=True)
    trend = models.CharField(max_length=12, blank=True)
    needed_yearly_rate = models.FloatField(null=True)
    cumulative_rate = models.FloatField(null=True)
    explanation = models.TextField(_("判定依据"), blank=True)
    # The same steps as message ids with plain values (core.phrases), shown in the reader's
    # language; `explanation` keeps their Chinese text (reports, the API, rows stored before).
    explanation_steps = models.JSONField(_("判定依据（结构化）"), default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="evaluation_unique_per_indicator_year"),
            models.CheckConstraint(condition=Q(status__in=evaluation.STATUSES), name="evaluation_status_valid"),
        ]
        indexes = [models.Index(fields=["plan", "year", "status"])]
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")

    @property
    def status_label(self):
        return translated(evaluation.STATUS_LABELS[self.status])

    @property
    def explanation_lines(self):
        """判定依据 in the active language, one line per step (the stored Chinese text for older rows)."""
        return phrase_lines(self.explanation_steps, self.explanation)

    @property
    def forecast_label(self):
        """预计: none for an indicator already met — "预计难以完成" beside 已完成 contradicts itself."""
        if self.status == "met":
            return ""
        return translated({"likely": "预计可完成", "unlikely": "预计难以完成"}.get(self.forecast_status, ""))


class EvaluationReport(models.Model):
    """A frozen mid-term or final evaluation: later changes to values do not alter it."""

    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("中期评估")
        FINAL = "final", _("终期评估")

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="reports", verbose_name=_("规划"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("评估年份"))
    snapshot = models.JSONField(_("冻结的评估数据"), default=dict)
    narrative = models.JSONField(_("评估说明"), default=dict, blank=True, help_text=_("报告各段文字（起草后可编辑）：总体情况、重点工程进展、存在问题、下一步建议、署名、日期"))
    state = models.CharField(_("生成状态"), max_length=8, choices=State.choices, default=State.PENDING)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_token = models.UUIDField(default=uuid.uuid4, editable=False)
    xlsx = models.FileField(upload_to="reports/", blank=True)
    docx = models.FileField(upload_to="reports/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "year"], name="one_report_per_plan_kind_year")]
        verbose_name = _("评估报告")
        verbose_name_plural = _("评估报告")

    def __str__(self):
        return f"{self.plan.region.name} {self.year} {self.get_kind_display()}"


class ReportTemplate(models.Model):
    """A county's own .docx template for its evaluation reports (letterhead, red header, fonts),
    with the placeholders of docs/report_templates.md. Without one the default template is used."""

    region = models.OneToOneField("indicators.Region", models.CASCADE, related_name="report_template",
                                  verbose_name=_("行政区划"))
    file = models.FileField(_("模板文件"), upload_to="report_templates/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")

    def __str__(self):
        return f"{self.region.name} 报告模板"
