"""django-tables2 tables of the indicator pages."""
import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.links import reverser
from core.tables import TEMPLATE, RowsInPython
from indicators.models import IndicatorValue


class ReviewQueueTable(RowsInPython, tables.Table):
    """The queue from `indicators.review.selectors.queue_values`; call `attach_context` on the
    page's records before rendering (the view does)."""

    select = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"aria-label": _("全选")}}, orderable=False)
    region = tables.Column(accessor="indicator__plan__region__name", verbose_name=_("行政区划"))
    indicator = tables.Column(accessor="indicator__name", verbose_name=_("指标"),
                              order_by=("indicator__plan__region__code", "indicator__order"))
    year = tables.Column(verbose_name=_("年份"))
    value = tables.Column(accessor="raw", verbose_name=_("填报值"), orderable=False, empty_values=())
    target = tables.Column(accessor="pk", verbose_name=_("目标"), orderable=False, empty_values=())
    baseline = tables.Column(accessor="indicator__baseline_raw", verbose_name=_("基期值"), orderable=False, empty_values=())
    last_approved = tables.Column(accessor="last_approved_year", verbose_name=_("上次审核通过值"), empty_values=())
    change_percent = tables.Column(verbose_name=_("变化"), empty_values=(), attrs={"td": {"class": "num"}})
    explanation = tables.Column(verbose_name=_("变化说明"), orderable=False, empty_values=())
    evidence_count = tables.Column(verbose_name=_("佐证"), attrs={"td": {"class": "num"}})
    state = tables.Column(verbose_name=_("状态"), empty_values=())
    since_approval = tables.Column(accessor="pk", verbose_name=_("较审核通过版本的修改"), orderable=False, empty_values=())
    # a plain column: DateTimeColumn is a TemplateColumn and compiles a template for every cell
    submitted_at = tables.Column(verbose_name=_("提交时间"))

    class Meta:
        model = IndicatorValue
        order_by_field = "sort"  # the view reads it too: sorting by context columns needs their aliases
        fields = ("select", "region", "indicator", "year", "value", "target", "baseline", "last_approved",
                  "change_percent", "explanation", "evidence_count", "state", "since_approval", "submitted_at")
        order_by = ("submitted_at",)
        attrs = {"class": "review-queue"}
        template_name = TEMPLATE
        empty_text = _("没有符合条件的数据。")

    def render_select(self, value):
        return format_html('<input type="checkbox" name="select" value="{}" />', value)

    @cached_property
    def _value_link(self):
        return reverser("value_detail", int)  # = IndicatorValue.get_absolute_url, one reverse() a page

    @cached_property
    def _marks(self):
        """The fixed bits of HTML the rows repeat, translated once a page."""
        return {
            "binding": format_html(' <span class="tag binding">{}</span>', _("约束性")),
            "late": format_html(' <span class="tag">{}</span>', _("逾期")),
            "synthetic": format_html(' <span class="tag synthetic">{}</span>', _("示例数据")),
            "never_approved": format_html('<span class="muted">{}</span>', _("此前未审核通过")),
            "unchanged": format_html('<span class="muted">{}</span>', _("无修改")),
        }

    def render_indicator(self, record, value):
        binding = self._marks["binding"] if record.review.binding else ""
        return format_html('<a href="{}">{}{}</a>', self._value_link(record.pk), value, binding)

    def render_value(self, record):
        unit = record.indicator.unit
        return format_html("{} {}", record.display_value(), unit) if unit else record.display_value()

    def render_target(self, record):
        context = record.review
        if context.target_year is None:
            return context.target
        return format_html("{}：{}", context.target_year, context.target)

    def render_baseline(self, record):
        return record.review.baseline

    def render_last_approved(self, record):
        context = record.review
        if not context.last_approved:
            return "—"
        return format_html("{}（{}）", context.last_approved, context.last_approved_year)

    def render_change_percent(self, record):
        context = record.review
        text = context.change_text
        if context.large_change:
            return format_html('<strong class="tag warn">{}</strong>', text)
        return text

    def render_explanation(self, record, value):
        return value or "—"

    def render_state(self, record):
        marks = self._marks
        return format_html('<span class="state {}">{}</span>{}{}', record.state, record.state_label,
                           marks["late"] if record.late else "", marks["synthetic"] if record.synthetic else "")

    def render_submitted_at(self, value):
        return localtime(value).strftime("%Y-%m-%d %H:%M")  # = dateformat "Y-m-d H:i", without its parser

    def render_since_approval(self, record):
        context = record.review
        if not context.approved_before:
            return self._marks["never_approved"]
        if not context.changes:
            return self._marks["unchanged"]
        return format_html_join(mark_safe("<br>"), "{}：{} → {}",
                                ((c.label, c.old or "—", c.new or "—") for c in context.changes))
