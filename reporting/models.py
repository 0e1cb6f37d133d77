"""The shared reporting mechanism: periods, reviewed records, their state history, evidence
files and notifications. Indicator values and project progress both build on it."""
import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting import labels, workflow


def default_deadline(year):
    """Values for year Y are due on 31 March of Y+1."""
    return datetime.date(year + 1, 3, 31)


class ReportingPeriod(models.Model):
    """填报期: when the values of one plan for one year may be entered."""

    plan = models.ForeignKey("indicators.Plan", models.CASCADE, related_name="periods", verbose_name=_("规划"))
    year = models.PositiveSmallIntegerField(_("数据年份"))
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    kept_open = models.BooleanField(_("逾期后保持开放"), default=False, help_text=_("审核员保持开放时，截止日期后仍可补报（标记为逾期）"))
    closed = models.BooleanField(_("已关闭"), default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="period_unique_per_plan_year")]
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")

    def __str__(self):
        return f"{self.plan.region.name} {self.year}年"

    @classmethod
    def default_for(cls, plan, year):
        return cls(plan=plan, year=year, opens_on=datetime.date(year + 1, 1, 1), deadline=default_deadline(year))

    def accepts_entry(self, today=None):
        today = today or timezone.localdate()
        if self.closed or today < self.opens_on:
            return False
        return today <= self.deadline or self.kept_open

    def is_late(self, today=None):
        return (today or timezone.localdate()) > self.deadline

    @property
    def status_label(self):
        if self.closed:
            return _("已关闭")
        if self.accepts_entry():
            return _("逾期补报中") if self.is_late() else _("填报中")
        if timezone.localdate() < self.opens_on:
            return _("未开始")
        return _("已截止")


class StateChange(models.Model):
    """One step of a record's workflow: who, when, from what, to what, and why."""

    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("状态记录")
        verbose_name_plural = _("状态记录")

    @property
    def label(self):
        return labels.action_label(self.action, self.from_state)

    @property
    def to_state_label(self):
        return labels.state_label(self.to_state)


class ReviewedRecord(models.Model):
    """Abstract base of every record a bureau reports and the ecology-environment bureau reviews."""

    state = models.CharField(
        _("状态"), max_length=12, default=workflow.DRAFT, choices=labels.state_choices()
    )
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("乐观锁：每次保存加一"))
    late = models.BooleanField(_("逾期提交"), default=False)
    synthetic = models.BooleanField(_("示例数据"), default=False)
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True)

    state_changes = GenericRelation(StateChange)
    evidence = GenericRelation("reporting.Evidence")

    class Meta:
        abstract = True

    @property
    def state_label(self):
        return labels.state_label(self.state)

    @property
    def is_editable(self):
        return self.state in workflow.EDITABLE

    @property
    def is_approved(self):
        return self.state == workflow.APPROVED

    @classmethod
    def bureau_users_of(cls, records):
        """pk → the bureau users to notify about each record. Subclasses answer in a fixed number
        of queries; this default asks each record."""
        return {record.pk: list(record.bureau_users()) for record in records}


def state_constraint(name):
    return models.CheckConstraint(condition=Q(state__in=workflow.STATES), name=name)


def evidence_path(instance, filename):
    """Stored under a random name: the user's file name is kept only as data."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """佐证材料: a file attached to a reported record, served only through a permission check."""

    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    media_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """In-app notification. `dedupe_key` makes reminder runs idempotent."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("数据被退回")
        APPROVED = "approved", _("数据已审核通过")
        REOPENED = "reopened", _("数据被重新打开")
        DEADLINE = "deadline", _("截止日期临近")
        REPORT = "report", _("评估报告")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    message = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发送邮件"), default=False)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self):
        return self.message
