"""Regions, bureaus, plans and their indicator tables (规划指标体系).

Raw cell text is stored exactly as printed beside what was parsed from it; the parsed columns are
derived on save by the pure modules `targets.py` and `directions.py`, never typed in by hand.
"""
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.plans import directions, targets
from indicators.models.scoping import IndicatorQuerySet, PlanQuerySet, RegionQuerySet, TargetQuerySet


class Region(models.Model):
    """行政区划: province → city → county-level unit, keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区、县级市）")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级"))
    synthetic = models.BooleanField(_("示例数据"), default=False, help_text=_("由 generate_synthetic 生成，非真实区划"))

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    def ancestors(self):
        """This region and every region above it, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Bureau(models.Model):
    """责任部门 of one region, named as that region's plan writes it."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="bureaus", verbose_name=_("行政区划"))
    name = models.CharField(_("名称"), max_length=100)
    is_ecology_environment = models.BooleanField(
        _("生态环境部门"), default=False, help_text=_("审核本级及下级填报数据的生态环境局（分局）")
    )

    class Meta:
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="bureau_unique_name_per_region")]
        verbose_name = _("责任部门")
        verbose_name_plural = _("责任部门")

    def __str__(self):
        return f"{self.region.name}{self.name}"

    def save(self, *args, **kwargs):
        if not self.pk and not self.is_ecology_environment:
            self.is_ecology_environment = "生态环境" in self.name
        super().save(*args, **kwargs)


class BureauAlias(models.Model):
    """Another name a plan uses for an existing bureau (林草局 for 林业局 …).

    Only an administrator links a name to a bureau; the loader never merges offices on its own."""

    region = models.ForeignKey(Region, models.CASCADE, related_name="bureau_aliases", verbose_name=_("行政区划"))
    alias = models.CharField(_("别名"), max_length=100)
    bureau = models.ForeignKey(Bureau, models.CASCADE, related_name="aliases", verbose_name=_("责任部门"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "alias"], name="bureau_alias_unique_per_region")]
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")

    def __str__(self):
        return f"{self.alias} → {self.bureau.name}"


class Measure(models.Model):
    """Catalog measure (指标目录): one comparable quantity across plans that word it differently."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=30, blank=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("目录指标")
        verbose_name_plural = _("指标目录")

    def __str__(self):
        return self.name


class Plan(models.Model):
    """A published five-year (or longer) plan of one region, with its indicator table."""

    code = models.CharField(_("规划编码"), max_length=40, unique=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="plans", verbose_name=_("行政区划"))
    title = models.CharField(_("规划名称"), max_length=300)
    title_note = models.CharField(
        _("规划名称说明"), max_length=200, blank=True, help_text=_("原文未印规划名称时，说明名称如何拟定")
    )
    issuer = models.CharField(_("印发单位"), max_length=100, blank=True)
    issue_date = models.CharField(
        _("印发日期"), max_length=10, blank=True, help_text=_("按原文精度：YYYY、YYYY-MM 或 YYYY-MM-DD")
    )
    base_year = models.PositiveSmallIntegerField(_("基期年"))
    milestone_years = models.JSONField(_("目标年"), default=list)
    midterm_year = models.PositiveSmallIntegerField(_("中期评估年"), null=True, blank=True)
    vision_years = models.JSONField(_("远景年"), default=list, blank=True)
    source_document = models.CharField(_("来源文件"), max_length=200, blank=True)
    parent = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("上级规划"))
    table_title = models.CharField(_("指标表标题"), max_length=100, blank=True)
    notes = models.JSONField(_("表注"), default=list, blank=True)
    stated_indicator_count = models.PositiveSmallIntegerField(_("原文所述指标数"), null=True, blank=True)
    stated_binding_count = models.PositiveSmallIntegerField(_("原文所述约束性指标数"), null=True, blank=True)
    stated_expected_count = models.PositiveSmallIntegerField(_("原文所述预期性指标数"), null=True, blank=True)
    evaluation_settings = models.JSONField(_("评估参数"), default=dict, blank=True)
    synthetic = models.BooleanField(_("示例数据"), default=False)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("规划")
        verbose_name_plural = _("规划")

    def __str__(self):
        return self.title

    @property
    def first_year(self):
        return self.base_year + 1

    @property
    def final_year(self):
        return max(self.milestone_years) if self.milestone_years else self.base_year

    @property
    def period_label(self):
        return self.period_of(self.base_year, self.milestone_years)

    @staticmethod
    def period_of(base_year, milestone_years):
        """"2021–2025": the first year after the base year to the last target year."""
        return f"{base_year + 1}–{max(milestone_years) if milestone_years else base_year}"


class Indicator(models.Model):
    """One row of a plan's indicator table (a numbered row or a sub-row)."""

    class Attribute(models.TextChoices):
        BINDING = "binding", _("约束性")
        EXPECTED = "expected", _("预期性")

    class Direction(models.TextChoices):
        UP = "up", _("越高越好")
        DOWN = "down", _("越低越好")
        NONE = "none", _("不适用")

    class ValueType(models.TextChoices):
        NUMBER = "number", _("数值")
        WATER_CLASS = "water_class", _("水质类别")
        TEXT = "text", _("文字")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="indicators", verbose_name=_("规划"))
    key = models.CharField(_("行键"), max_length=20, help_text=_("序号，或未编号子行的“父序号.n”"))
    number = models.CharField(_("序号"), max_length=20, blank=True)
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级指标"))
    shares_parent_target = models.BooleanField(_("与上级指标共用目标"), default=False)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    name = models.CharField(_("指标"), max_length=200)
    unit = models.CharField(_("计量单位"), max_length=30, blank=True)
    attribute = models.CharField(_("指标属性"), max_length=10, choices=Attribute.choices, blank=True)
    responsible_raw = models.CharField(_("责任部门（原文）"), max_length=200, blank=True)
    bureaus = models.ManyToManyField(Bureau, blank=True, related_name="indicators", verbose_name=_("责任部门"))
    baseline_raw = models.CharField(_("基期现状（原文）"), max_length=100, blank=True)
    baseline_value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=6, null=True, blank=True)
    baseline_kind = models.CharField(_("基期值类型"), max_length=12, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期值年份"), null=True, blank=True)
    baseline_cumulative = models.BooleanField(_("基期为累计数"), default=False)
    direction = models.CharField(_("方向"), max_length=5, choices=Direction.choices, default=Direction.UP)
    direction_manual = models.BooleanField(_("方向已人工设定"), default=False)
    value_type = models.CharField(_("值类型"), max_length=12, choices=ValueType.choices, default=ValueType.NUMBER)
    note = models.TextField(_("注释"), blank=True)
    order = models.PositiveIntegerField(_("显示顺序"), default=0)
    measure = models.ForeignKey(Measure, models.SET_NULL, null=True, blank=True, related_name="indicators", verbose_name=_("目录指标"))
    # The row of the region's previous plan this one continues (十四五 → 十五五), as confirmed at
    # import. `predecessor_confirmed` says the match was decided (a link, or "无对应指标" when the
    # link is empty); an undecided row falls back to the catalog match (plans.succession).
    predecessor = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="successors",
                                    verbose_name=_("上一规划对应指标"))
    predecessor_confirmed = models.BooleanField(_("上一规划对应已确认"), default=False,
                                                help_text=_("已确认时，对应指标为空表示上一规划无对应指标"))

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["order"])

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="indicator_unique_key_per_plan")]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self):
        return f"{self.number or '·'} {self.name}"

    def get_absolute_url(self):
        return reverse("indicator_detail", args=[self.plan.code, self.key])

    def clean(self):
        """A predecessor is a row of an earlier plan of the same region (checked by forms: the admin)."""
        from django.core.exceptions import ValidationError

        if self.predecessor_id and self.plan_id:
            earlier = self.predecessor.plan
            if earlier.region_id != self.plan.region_id or earlier.base_year >= self.plan.base_year:
                raise ValidationError({"predecessor": _("上一规划对应指标须是本区划更早规划中的指标。")})

    @property
    def is_binding(self):
        return self.attribute == self.Attribute.BINDING

    @property
    def is_rate(self):
        return directions.is_rate_indicator(self.name, self.unit)

    @property
    def effective_attribute(self):
        """Sub-rows that share their parent's merged cells share its attribute too."""
        if not self.attribute and self.shares_parent_target and self.parent_id:
            return self.parent.attribute
        return self.attribute

    def parsed_baseline(self):
        return targets.parse_value(self.baseline_raw)

    def refresh_derived(self, target_specs=None):
        """Recompute the parsed baseline, value type and (unless set by hand) direction."""
        parsed = targets.parse_value(self.baseline_raw)
        self.baseline_kind = parsed.kind
        self.baseline_value = parsed.number
        self.baseline_cumulative = parsed.cumulative
        if target_specs is None:
            target_specs = [t.spec() for t in self.targets.all()] if self.pk else []
        self.value_type = directions.derive_value_type(self.name, self.unit, parsed, target_specs)
        if not self.direction_manual:
            self.direction = directions.derive_direction(self.name, self.unit, parsed, target_specs)


class IndicatorTarget(models.Model):
    """The target of one indicator for one milestone year: raw text and its parsed spec."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("目标年"))
    raw = models.CharField(_("目标（原文）"), max_length=100, blank=True)
    kind = models.CharField(_("目标类型"), max_length=12)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    low = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    high = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    strict = models.BooleanField(default=False)
    relation = models.CharField(max_length=20, blank=True)
    assigned_by = models.CharField(max_length=10, blank=True)
    water_class = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_per_indicator_year"),
            models.CheckConstraint(
                condition=Q(kind__in=targets.TARGET_KINDS), name="target_kind_valid"
            ),
        ]
        verbose_name = _("目标值")
        verbose_name_plural = _("目标值")

    def __str__(self):
        return f"{self.year}: {self.raw}"

    def save(self, *args, **kwargs):
        self.apply_spec(targets.parse_target(self.raw))
        super().save(*args, **kwargs)

    def apply_spec(self, spec):
        self.kind = spec.kind
        self.value, self.low, self.high = spec.value, spec.low, spec.high
        self.strict = spec.strict
        self.relation = spec.relation or ""
        self.assigned_by = spec.assigned_by or ""
        self.water_class = spec.water_class

    def spec(self):
        return targets.parse_target(self.raw)

    def describe(self):
        return self.spec().describe()


def targets_prefetch(path="targets", *then):
    """The Prefetch of `path` (a lookup ending in `targets`) in year order, with the further
    lookups `then` (e.g. "assignments") on each target.

    The model's ordering (indicator → plan → region: a list across plans reads in the order of
    the plan tables) joins three tables for every prefetch, which groups targets by indicator
    anyway; within one indicator, year order is the same order."""
    queryset = IndicatorTarget.objects.order_by("year", "pk")
    if then:
        queryset = queryset.prefetch_related(*then)
    return Prefetch(path, queryset=queryset)
