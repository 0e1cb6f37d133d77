"""Key projects (重点工程) of a plan's 专栏 boxes, their physical quantities (工程量), and the yearly
progress the responsible bureau reports through the shared review workflow of `reporting`."""
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reporting import workflow
from reporting.models import ReviewedRecord, state_constraint

from projects.scoping import ProgressQuerySet, ProjectQuerySet


class Status(models.TextChoices):
    """Where a project stands; the same scale for the project and for each year's report."""

    NOT_STARTED = "not_started", _("未开工")
    PREPARING = "preparing", _("前期工作")
    IN_PROGRESS = "in_progress", _("在建")
    COMPLETED = "completed", _("完工")
    SUSPENDED = "suspended", _("暂停")


class Box(models.Model):
    """专栏: one box of the plan text, with its number and title as printed.

    A scope-only box (专栏1 两山两河一流域 …) describes the plan's scope or targets and holds no
    projects; its text is kept all the same."""

    plan = models.ForeignKey("indicators.Plan", models.CASCADE, related_name="boxes", verbose_name=_("规划"))
    number = models.CharField(_("专栏编号"), max_length=10)
    title = models.CharField(_("专栏标题"), max_length=200)
    scope_only = models.BooleanField(_("仅为范围说明"), default=False, help_text=_("该专栏说明规划范围或目标，不含工程"))
    text = models.TextField(_("专栏原文"))
    order = models.PositiveIntegerField(_("显示顺序"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="box_unique_number_per_plan")]
        verbose_name = _("专栏")
        verbose_name_plural = _("专栏")

    def __str__(self):
        return f"专栏{self.number} {self.title}"


class Project(models.Model):
    """重点工程: one distinct work of a box, its content exactly as printed."""

    plan = models.ForeignKey("indicators.Plan", models.CASCADE, related_name="projects", verbose_name=_("规划"))
    box = models.ForeignKey(Box, models.CASCADE, related_name="projects", verbose_name=_("专栏"))
    order = models.PositiveIntegerField(_("专栏内序号"), default=0)
    name = models.CharField(_("工程名称"), max_length=300)
    group = models.CharField(_("所属小标题"), max_length=200, blank=True)
    content = models.TextField(_("建设内容（原文）"))
    counties = models.ManyToManyField(
        "indicators.Region", blank=True, related_name="projects", verbose_name=_("所在县（市、区）")
    )
    responsible = models.CharField(_("责任单位（原文）"), max_length=300, blank=True)
    bureau = models.ForeignKey(
        "indicators.Bureau", models.SET_NULL, null=True, blank=True, related_name="projects", verbose_name=_("责任部门"),
        help_text=_("填报该工程年度进展的部门"),
    )
    investment_wan = models.DecimalField(_("计划投资（万元）"), max_digits=16, decimal_places=4, null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("计划开工年份"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("计划完工年份"), null=True, blank=True)
    status = models.CharField(
        _("当前状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED,
        help_text=_("取最近一年已审核通过的进展"),
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="projects", verbose_name=_("服务的指标")
    )
    synthetic = models.BooleanField(_("示例数据"), default=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "box__order", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(end_year__isnull=True) | Q(start_year__lte=models.F("end_year")),
                name="project_years_ordered",
            ),
            models.CheckConstraint(
                condition=Q(investment_wan__isnull=True) | Q(investment_wan__gte=0), name="project_investment_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"])]
        verbose_name = _("重点工程")
        verbose_name_plural = _("重点工程")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.box_id and not self.plan_id:
            self.plan_id = self.box.plan_id
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.box_id and self.plan_id and self.box.plan_id != self.plan_id:
            raise ValidationError({"box": _("专栏不属于该规划。")})

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])

    @property
    def planned_period(self):
        """(first, last) planned year; the plan's own period where the text gives none."""
        first = self.start_year or self.plan.first_year
        last = self.end_year or max(self.plan.final_year, first)
        return first, last

    def refresh_status(self):
        """The current status is the latest approved report's; none approved → 未开工."""
        latest = (
            self.progress.filter(state=workflow.APPROVED).order_by("-year").values_list("status", flat=True).first()
        )
        status = latest or Status.NOT_STARTED
        if status != self.status:
            self.status = status
            self.save(update_fields=["status"])
        return status


class Quantity(models.Model):
    """工程量: one physical quantity of a project (人工造林 1 万亩). Extracted from the content by
    `projects.quantities`; an administrator's edit marks it manual and the loader leaves it alone."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="quantities", verbose_name=_("重点工程"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    measure = models.CharField(_("工程内容"), max_length=200)
    amount = models.DecimalField(_("数量"), max_digits=20, decimal_places=6)
    amount_max = models.DecimalField(_("数量上限"), max_digits=20, decimal_places=6, null=True, blank=True,
                                     help_text=_("原文为范围时（如 12-15 万吨）的上限"))
    unit = models.CharField(_("单位"), max_length=30)
    qualifier = models.CharField(_("限定词"), max_length=10, blank=True, help_text=_("原文的“约”“余”“以上”等"))
    source_text = models.CharField(_("原文"), max_length=100, blank=True)
    manual = models.BooleanField(_("人工修改"), default=False, help_text=_("人工修改过的工程量，重新载入时保留"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="quantity_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_max__isnull=True) | Q(amount_max__gte=models.F("amount")), name="quantity_range_ordered"
            ),
        ]
        verbose_name = _("工程量")
        verbose_name_plural = _("工程量")

    def __str__(self):
        return f"{self.measure} {self.display_amount()}"

    def display_amount(self):
        amount = plain_number(self.amount)
        if self.amount_max is not None:
            amount = f"{amount}-{plain_number(self.amount_max)}"
        prefix = self.qualifier if self.qualifier in ("约", "近", "各") else ""
        suffix = self.qualifier if self.qualifier and not prefix else ""
        if suffix in ("余", "多"):
            return f"{prefix}{amount}{suffix}{self.unit}"
        return f"{prefix}{amount}{self.unit}{suffix}"


def plain_number(number):
    """A Decimal without trailing zeros or exponent: 1.000000 → 1, 46.680000 → 46.68."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return text


class ProjectProgress(ReviewedRecord):
    """年度进展: one project's progress in one year, reported by the responsible bureau and
    reviewed by the ecology-environment bureau, exactly like an indicator's yearly value."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="progress", verbose_name=_("重点工程"))
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(_("进展状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    investment_done = models.DecimalField(
        _("累计完成投资（万元）"), max_digits=16, decimal_places=4, null=True, blank=True,
        help_text=_("截至当年年底的累计完成投资"),
    )
    narrative = models.TextField(_("进展情况"), blank=True)

    objects = ProgressQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="progress_unique_per_project_year"),
            state_constraint("progress_state_valid"),
            models.CheckConstraint(condition=Q(year__gte=1949) & Q(year__lte=2100), name="progress_year_sane"),
            models.CheckConstraint(
                condition=Q(investment_done__isnull=True) | Q(investment_done__gte=0), name="progress_investment_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["state", "year"])]
        verbose_name = _("年度进展")
        verbose_name_plural = _("年度进展")

    def __str__(self):
        return f"{self.project.name} {self.year}: {self.get_status_display()}"

    def display_value(self):
        """What the record holds, in one line (shown when a concurrent save is refused)."""
        text = self.get_status_display()
        if self.investment_done is not None:
            text += f"，累计完成投资 {plain_number(self.investment_done)} 万元"
        return text

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.project_id])

    def entry_allowed(self, user):
        return Project.objects.editable_by(user).filter(pk=self.project_id).exists()

    def review_allowed(self, user):
        return Project.objects.reviewable_by(user).filter(pk=self.project_id).exists()

    def bureau_users(self):
        """Staff of the bureau responsible for the project."""
        bureau_id = Project.objects.filter(pk=self.project_id).values_list("bureau_id", flat=True).first()
        if bureau_id is None:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(profile__bureau_id=bureau_id, profile__role="staff", is_active=True)

    def notification_text(self, action, reason=""):
        verb = workflow.outcome_label(action)
        project = self.project
        text = f"{project.plan.region.name}重点工程「{project.name}」{self.year}年进展{verb}"
        return f"{text}：{reason}" if reason else text


class QuantityProgress(models.Model):
    """How much of one physical quantity was done by the end of the report's year (cumulative)."""

    progress = models.ForeignKey(ProjectProgress, models.CASCADE, related_name="quantity_rows", verbose_name=_("年度进展"))
    quantity = models.ForeignKey(Quantity, models.PROTECT, related_name="progress_rows", verbose_name=_("工程量"))
    amount_done = models.DecimalField(_("累计完成量"), max_digits=20, decimal_places=6)

    history = HistoricalRecords()

    class Meta:
        ordering = ["progress", "quantity__order"]
        constraints = [
            models.UniqueConstraint(fields=["progress", "quantity"], name="quantity_progress_unique"),
            models.CheckConstraint(condition=Q(amount_done__gte=0), name="quantity_progress_not_negative"),
        ]
        verbose_name = _("工程量完成情况")
        verbose_name_plural = _("工程量完成情况")

    def __str__(self):
        return f"{self.quantity.measure}: {plain_number(self.amount_done)}{self.quantity.unit}"

    @property
    def share(self):
        """Share of the planned amount done, 0–1 (None where nothing was planned)."""
        return share_done(self.amount_done, self.quantity.amount)


def share_done(done, planned):
    if planned is None or planned <= 0 or done is None:
        return None
    return min(float(done) / float(planned), 1.0)
