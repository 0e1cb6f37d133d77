"""Filters of the project list. Every choice list is limited to what the user may see."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import RowChoiceFilter
from core.widgets import FastSelect

from indicators.models import Bureau, Plan, Region
from indicators.web.filters import BUREAU_LABEL, REGION_LABEL

from projects.models import Box, Project, Status


def _box_label(row):
    return f"{row['plan__region__name']} · 专栏{row['number']} {row['title']}"


class ProjectFilter(django_filters.FilterSet):
    plan = RowChoiceFilter(widget=FastSelect, label=_("规划"), queryset=Plan.objects.none(), to_field_name="code",
                           row_fields=("title",), row_label=lambda r: r["title"])
    county = RowChoiceFilter(widget=FastSelect, label=_("县（市、区）"), queryset=Region.objects.none(), to_field_name="code",
                             method="filter_county", **REGION_LABEL)
    box = RowChoiceFilter(widget=FastSelect, label=_("专栏"), queryset=Box.objects.none(),
                          row_fields=("plan__region__name", "number", "title"), row_label=_box_label)
    status = django_filters.ChoiceFilter(widget=FastSelect, label=_("当前状态"), choices=Status.choices)
    bureau = RowChoiceFilter(widget=FastSelect, label=_("责任部门"), queryset=Bureau.objects.none(),
                             **BUREAU_LABEL)
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    class Meta:
        model = Project
        fields = ["plan", "county", "box", "status", "bureau", "q"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        plans = Plan.objects.visible_to(user).filter(projects__in=queryset).distinct()
        self.filters["plan"].queryset = plans
        self.filters["box"].queryset = (
            Box.objects.filter(projects__in=queryset).distinct()
            .order_by("plan__region__code", "plan__code", "order")
        )
        self.filters["county"].queryset = Region.objects.filter(
            Q(projects__in=queryset) | Q(plans__projects__in=queryset), level=Region.Level.COUNTY
        ).distinct()
        self.filters["bureau"].queryset = (
            Bureau.objects.filter(projects__in=queryset).distinct()
        )

    def filter_county(self, queryset, name, region):
        if region is None:
            return queryset
        located = Project.objects.filter(Q(counties=region) | Q(plan__region=region)).values("pk")
        return queryset.filter(pk__in=located)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]  # SQLite refuses LIKE patterns over 50,000 bytes
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(content__icontains=value))
