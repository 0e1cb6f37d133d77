"""django-tables2 tables of the indicator pages."""
import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from indicators.models import IndicatorValue


class ReviewQueueTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"aria-label": _("全选")}}, orderable=False)
    region = tables.Column(accessor="indicator__plan__region__name", verbose_name=_("行政区划"))
    indicator = tables.Column(accessor="indicator__name", verbose_name=_("指标"), linkify=lambda record: record.get_absolute_url())
    year = tables.Column(verbose_name=_("年份"))
    value = tables.Column(accessor="raw", verbose_name=_("填报值"), orderable=False, empty_values=())
    unit = tables.Column(accessor="indicator__unit", verbose_name=_("单位"), orderable=False)
    bureaus = tables.Column(accessor="indicator__responsible_raw", verbose_name=_("责任部门"), orderable=False)
    state = tables.Column(verbose_name=_("状态"))
    submitted_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("提交时间"))

    class Meta:
        model = IndicatorValue
        fields = ("select", "region", "indicator", "year", "value", "unit", "bureaus", "state", "submitted_at")
        order_by = ("submitted_at",)
        attrs = {"class": "review-queue"}
        empty_text = _("没有符合条件的数据。")

    def render_value(self, record):
        text = record.display_value()
        if record.explanation:
            return format_html('{}<br><span class="small muted">{}：{}</span>', text, _("变化说明"), record.explanation)
        return text

    def render_state(self, record):
        tags = format_html('<span class="state {}">{}</span>', record.state, record.state_label)
        if record.late:
            tags = format_html('{} <span class="tag">{}</span>', tags, _("逾期"))
        if record.synthetic:
            tags = format_html('{} <span class="tag synthetic">{}</span>', tags, _("示例数据"))
        return tags
