"""The project list as a sortable django-tables2 table; the view gives its page's rows their
counties and quantities first (`projects.selectors.attach_list_details`)."""
import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.links import reverser
from core.tables import TEMPLATE, RowsInPython
from projects.models import Project, Status, plain_number
from projects.selectors import ListDetails


def _details(record):
    """The row's counties and quantities, read for the whole page by `attach_list_details`
    (the view calls it), or for this row alone."""
    details = getattr(record, "list_details", None)
    if details is None:
        details = ListDetails([c.name for c in record.counties.all()], list(record.quantities.all()))
    return details


class ProjectTable(RowsInPython, tables.Table):
    region = tables.Column(_("规划"), accessor="plan__region__name", order_by=("plan__region__code", "plan__code"))
    box = tables.Column(_("专栏"), order_by=("plan__region__code", "box__order", "order"))
    name = tables.Column(_("工程名称"), order_by=("name",))
    counties = tables.Column(_("所在县（市、区）"), empty_values=(), orderable=False)
    quantities = tables.Column(_("工程量"), empty_values=(), orderable=False)
    responsible = tables.Column(_("责任部门"), empty_values=(), order_by=("bureau__name", "responsible"))
    status = tables.Column(_("当前状态"), order_by=("status",), empty_values=())
    investment_wan = tables.Column(_("计划投资（万元）"), attrs={"td": {"class": "num"}})
    period = tables.Column(_("计划起止"), empty_values=(), order_by=("start_year", "end_year"))

    class Meta:
        model = Project
        fields = ()
        sequence = ("region", "box", "name", "counties", "quantities", "responsible", "status", "investment_wan", "period")
        order_by = ("region", "box")
        attrs = {"class": "project-table"}
        empty_text = _("没有符合条件的重点工程。")
        template_name = TEMPLATE

    @cached_property
    def _project_link(self):
        return reverser("project_detail", int)  # = Project.get_absolute_url, one reverse() a page

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', self._project_link(record.pk), value)

    def render_box(self, record):
        return format_html('<span title="{}">专栏{}</span>', record.box.title, record.box.number)

    def render_counties(self, record):
        names = _details(record).county_names
        return pgettext("punctuation", "、").join(names) if names else "—"

    def render_quantities(self, record):
        quantities = _details(record).quantities
        if not quantities:
            return "—"
        return pgettext("punctuation", "；").join(f"{q.measure} {q.display_amount()}" for q in quantities)

    def render_responsible(self, record):
        if record.bureau_id:
            return record.bureau.name
        return record.responsible or "—"

    def render_status(self, record):
        # Status(…).label: get_status_display() rebuilds a dict of the choices on every call
        return format_html('<span class="status project-{}">{}</span>', record.status, Status(record.status).label)

    def render_investment_wan(self, value):
        return plain_number(value)

    def render_period(self, record):
        if not (record.start_year or record.end_year):
            return "—"
        return f"{record.start_year or '?'}–{record.end_year or '?'}"
