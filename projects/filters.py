"""Filters of the project list and its timeline (one FilterSet for both). Every choice list is
limited to what the user may see, and every select says what its empty choice means (全部…)."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import scope_key
from core.choices import RowChoiceFilter, cached_choices
from core.widgets import FastSelect

from indicators.models import Bureau, Plan, Region
from indicators.web.filters import BUREAU_LABEL, PLAN_LABEL, REGION_LABEL
from reporting import workflow

from projects.models import Box, Project, ProjectProgress, Status

YEARS = dict(min_value=1949, max_value=2100)
NO_PROGRESS = "none"
PROGRESS_CHOICES = [
    (workflow.SUBMITTED, _("有待审核的年度进展")),
    (workflow.RETURNED, _("有退回的年度进展")),
    (workflow.APPROVED, _("有审核通过的年度进展")),
    (NO_PROGRESS, _("尚无年度进展填报")),
]


def _box_label(row):
    return f"{row['plan__region__name']} · 专栏{row['number']} {row['title']}"


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def overlaps(period, year_from, year_to):
    """Whether a (first, last) period has a year in [year_from, year_to]; None is open-ended."""
    first, last = period
    return (year_to is None or first <= year_to) and (year_from is None or last >= year_from)


class ProjectFilter(django_filters.FilterSet):
    plan = RowChoiceFilter(widget=FastSelect, label=_("规划"), queryset=Plan.objects.none(), to_field_name="code",
                           empty_label=_("全部规划"), **PLAN_LABEL)
    county = RowChoiceFilter(widget=FastSelect, label=_("县（市、区）"), queryset=Region.objects.none(), to_field_name="code",
                             method="filter_county", empty_label=_("全部县（市、区）"), **REGION_LABEL)
    box = RowChoiceFilter(widget=FastSelect, label=_("专栏"), queryset=Box.objects.none(), empty_label=_("全部专栏"),
                          row_fields=("plan__region__name", "number", "title"), row_label=_box_label)
    status = django_filters.ChoiceFilter(widget=FastSelect, label=_("当前状态"), choices=Status.choices,
                                         empty_label=_("全部状态"))
    progress = django_filters.ChoiceFilter(widget=FastSelect, label=_("年度进展"), choices=PROGRESS_CHOICES,
                                           method="filter_progress", empty_label=_("全部"))
    bureau = RowChoiceFilter(widget=FastSelect, label=_("责任部门"), queryset=Bureau.objects.none(), empty_label=_("全部部门"),
                             **BUREAU_LABEL)
    year_from = YearFilter(label=_("计划期起（年）"), method="filter_years", **YEARS)
    year_to = YearFilter(label=_("计划期止（年）"), method="filter_years", **YEARS)
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    class Meta:
        model = Project
        fields = ["plan", "county", "box", "status", "progress", "bureau", "year_from", "year_to", "q"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user

        def querysets():
            return {
                "plan": Plan.objects.visible_to(user).filter(projects__in=queryset).distinct(),
                "county": Region.objects.filter(
                    Q(projects__in=queryset) | Q(plans__projects__in=queryset), level=Region.Level.COUNTY
                ).distinct(),
                "box": (Box.objects.filter(projects__in=queryset).distinct()
                        .order_by("plan__region__code", "plan__code", "order")),
                "bureau": Bureau.objects.filter(projects__in=queryset).distinct().order_by("region__code", "name"),
            }

        # The views pass the user's whole scope (`Project.objects.visible_to(user)`) as `queryset`.
        cached_choices(self, querysets, scope_key(user))
        for name in ("year_from", "year_to"):
            self.form.fields[name].widget.attrs.update({"min": 1949, "max": 2100, "step": 1, "inputmode": "numeric"})

    def filter_county(self, queryset, name, region):
        if region is None:
            return queryset
        located = Project.objects.filter(Q(counties=region) | Q(plan__region=region)).values("pk")
        return queryset.filter(pk__in=located)

    def filter_progress(self, queryset, name, state):
        if state == NO_PROGRESS:
            return queryset.exclude(pk__in=ProjectProgress.objects.values("project_id"))
        return queryset.filter(pk__in=ProjectProgress.objects.filter(state=state).values("project_id"))

    def filter_years(self, queryset, name, value):
        """Projects whose planned period (the plan's own period where the text gives none, as on
        the timeline) has a year in the range; both bounds are applied once, by `year_from`'s
        call or, when only the end is given, by `year_to`'s."""
        data = self.form.cleaned_data
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if name == "year_to" and year_from is not None:
            return queryset  # already applied together with year_from
        rows = list(queryset.values_list("pk", "start_year", "end_year", "plan_id"))
        plans = Plan.objects.in_bulk({plan_id for *_, plan_id in rows})
        keep = []
        for pk, start, end, plan_id in rows:
            project = Project(start_year=start, end_year=end, plan=plans[plan_id])
            if overlaps(project.planned_period, year_from, year_to):
                keep.append(pk)
        return queryset.filter(pk__in=keep)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]  # SQLite refuses LIKE patterns over 50,000 bytes
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(content__icontains=value))
