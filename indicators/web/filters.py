"""django-filter sets for the list pages. Choice querysets are scoped to what the user may see."""
import django_filters
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect

from reporting import workflow

from indicators.models import Bureau, IndicatorValue, Region
from indicators.models.scoping import region_subtree_q


class ReviewQueueFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(widget=FastSelect, label=_("行政区划"), queryset=Region.objects.none(), method="in_region")
    bureau = django_filters.ModelChoiceFilter(widget=FastSelect, field_name="indicator__bureaus", label=_("责任部门"), queryset=Bureau.objects.none())
    year = django_filters.NumberFilter(label=_("数据年份"))
    state = django_filters.ChoiceFilter(widget=FastSelect, label=_("状态"), choices=[(s, _(workflow.STATE_LABELS[s])) for s in workflow.STATES],
                                        empty_label=_("全部状态"))

    class Meta:
        model = IndicatorValue
        fields = ["region", "bureau", "year", "state"]

    def in_region(self, queryset, name, region):
        """A city includes its counties."""
        return queryset.filter(region_subtree_q(region.pk, prefix="indicator__plan__region"))

    def __init__(self, data=None, *args, user=None, **kwargs):
        if data is not None and "state" not in data:
            data = data.copy()
            data["state"] = workflow.SUBMITTED
        super().__init__(data, *args, **kwargs)
        regions = Region.objects.visible_to(user).filter(plans__isnull=False).distinct()
        self.filters["region"].queryset = regions
        self.filters["bureau"].queryset = Bureau.objects.filter(region__in=regions).select_related("region")
