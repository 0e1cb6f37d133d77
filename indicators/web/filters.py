"""django-filter sets for the list pages. Choice querysets are scoped to what the user may see;
every select says what its empty choice means (全部…), never "---------"."""
import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.roles import scope_key
from core.choices import RowChoiceFilter, cached_choices
from core.labels import bracketed
from core.widgets import FastSelect

from reporting import labels, workflow

from indicators.models import Bureau, IndicatorValue, Plan, Region
from indicators.models.scoping import region_subtree_q
from indicators.review.selectors import FLAGS, filter_flag


PLAN_LABEL = {"row_fields": ("region__name", "base_year", "milestone_years"),
              "row_label": lambda r: bracketed(r["region__name"], Plan.period_of(r["base_year"], r["milestone_years"]))}
BUREAU_LABEL = {"row_fields": ("region__name", "name"), "row_label": lambda r: f"{r['region__name']}{r['name']}"}  # = str(bureau)
REGION_LABEL = {"row_fields": ("name",), "row_label": lambda r: r["name"]}


class ReviewQueueFilter(django_filters.FilterSet):
    region = RowChoiceFilter(widget=FastSelect, label=_("行政区划"), queryset=Region.objects.none(),
                             method="in_region", empty_label=_("全部区划"), **REGION_LABEL)
    plan = RowChoiceFilter(widget=FastSelect, field_name="indicator__plan", label=_("规划"), queryset=Plan.objects.none(),
                           empty_label=_("全部规划"), **PLAN_LABEL)
    bureau = RowChoiceFilter(widget=FastSelect, field_name="indicator__bureaus", label=_("责任部门"),
                             queryset=Bureau.objects.none(), empty_label=_("全部部门"), **BUREAU_LABEL)
    year = django_filters.NumberFilter(label=_("数据年份"))
    state = django_filters.ChoiceFilter(widget=FastSelect, label=_("状态"), choices=labels.state_choices(),
                                        empty_label=_("全部状态"))
    flag = django_filters.ChoiceFilter(widget=FastSelect, label=_("标记"), choices=list(FLAGS.items()), method="with_flag",
                                       empty_label=_("全部"))

    class Meta:
        model = IndicatorValue
        fields = ["region", "plan", "bureau", "year", "state", "flag"]

    def in_region(self, queryset, name, region):
        """A city includes its counties."""
        return queryset.filter(region_subtree_q(region.pk, prefix="indicator__plan__region"))

    def with_flag(self, queryset, name, flag):
        return filter_flag(queryset, flag)

    def __init__(self, data=None, *args, user=None, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = workflow.SUBMITTED
        super().__init__(data, *args, **kwargs)

        def querysets():
            regions = Region.objects.visible_to(user).filter(plans__isnull=False).distinct()
            return {"region": regions, "plan": Plan.objects.visible_to(user).order_by("region__code", "base_year"),
                    "bureau": Bureau.objects.filter(region__in=regions)}

        cached_choices(self, querysets, scope_key(user))
