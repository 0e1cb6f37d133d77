"""django-filter sets for the list pages. Choice querysets are scoped to what the user may see;
every select says what its empty choice means (全部…), never "---------"."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect

from reporting import labels, workflow

from indicators.models import Bureau, IndicatorValue, Plan, Region
from indicators.models.scoping import region_subtree_q
from indicators.review.selectors import FLAGS, filter_flag


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, plan):
        return f"{plan.region.name}（{plan.period_label}）"


class PlanChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PlanChoiceField


class ReviewQueueFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(widget=FastSelect, label=_("行政区划"), queryset=Region.objects.none(),
                                              method="in_region", empty_label=_("全部区划"))
    plan = PlanChoiceFilter(widget=FastSelect, field_name="indicator__plan", label=_("规划"), queryset=Plan.objects.none(),
                            empty_label=_("全部规划"))
    bureau = django_filters.ModelChoiceFilter(widget=FastSelect, field_name="indicator__bureaus", label=_("责任部门"),
                                              queryset=Bureau.objects.none(), empty_label=_("全部部门"))
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
        regions = Region.objects.visible_to(user).filter(plans__isnull=False).distinct()
        self.filters["region"].queryset = regions
        self.filters["plan"].queryset = Plan.objects.visible_to(user).select_related("region").order_by("region__code", "base_year")
        self.filters["bureau"].queryset = Bureau.objects.filter(region__in=regions).select_related("region")
