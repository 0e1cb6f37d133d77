"""project_summary(): started, completed, stalled and the share of quantities done."""
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from projects.models import Project, ProjectProgress, QuantityProgress
from projects.summary import ProgressRow, project_summary, summary_for_plan, summary_for_region
from reporting import workflow

from tests.test_projects_support import JIANG, _real_projects_committed, forestry_project, people, real_projects  # noqa: F401


def row(project, year, status, done=None, planned=Decimal("10"), start=None, end=None):
    quantities = () if planned is None else ((project * 10, planned, done),)
    return ProgressRow(project, year, status, start, end, quantities)


def test_counts_started_completed_and_the_share_of_quantities_done():
    summary = project_summary([
        row(1, 2022, "in_progress", Decimal("5")),
        row(2, 2022, "in_progress", Decimal("2")), row(2, 2023, "completed", Decimal("10")),
        row(3, 2023, "preparing", None),
        row(4, None, None, None),
    ])
    assert (summary.total, summary.reported, summary.started, summary.completed) == (4, 3, 2, 1)
    assert summary.by_status == {"preparing": 1, "in_progress": 1, "completed": 1}
    assert summary.quantities == 4 and summary.quantity_share == pytest.approx((0.5 + 1 + 0 + 0) / 4)
    assert summary.not_reported == 1 and summary.as_of_year == 2023


def test_done_beyond_the_plan_counts_as_all_of_it():
    assert project_summary([row(1, 2023, "completed", Decimal("15"))]).quantity_share == 1.0


@pytest.mark.parametrize("rows, stalled", [
    ([row(1, 2023, "suspended", Decimal("3"))], True),
    ([row(1, 2023, "not_started", start=2022)], True),
    ([row(1, 2022, "not_started", start=2022)], False),
    ([row(1, 2023, "in_progress", Decimal("3"), end=2022)], True),
    ([row(1, 2022, "in_progress", Decimal("3")), row(1, 2023, "in_progress", Decimal("3"))], True),
    ([row(1, 2022, "in_progress", Decimal("3")), row(1, 2023, "in_progress", Decimal("4"))], False),
    ([row(1, 2023, "in_progress", planned=None)], False),
])
def test_what_counts_as_stalled(rows, stalled):
    summary = project_summary(rows)
    assert (summary.stalled == 1) is stalled
    assert summary.stalled_ids == ((1,) if stalled else ())


def test_as_of_a_year_later_reports_are_ignored():
    rows = [row(1, 2022, "in_progress", Decimal("5")), row(1, 2024, "completed", Decimal("10"))]
    summary = project_summary(rows, as_of_year=2023)
    assert (summary.completed, summary.started, summary.quantity_share, summary.as_of_year) == (0, 1, 0.5, 2023)


def test_nothing_to_summarise_is_an_empty_summary():
    summary = project_summary([])
    assert (summary.total, summary.quantity_share, summary.started_percent) == (0, None, None)


@pytest.mark.django_db
def test_for_a_plan_only_approved_progress_counts(forestry_project):
    quantity = forestry_project.quantities.get()
    approved = ProjectProgress.objects.create(project=forestry_project, year=2022, status="in_progress", state=workflow.APPROVED)
    QuantityProgress.objects.create(progress=approved, quantity=quantity, amount_done=Decimal("0.5"))
    ProjectProgress.objects.create(project=forestry_project, year=2023, status="completed", state=workflow.SUBMITTED)
    summary = summary_for_plan(forestry_project.plan)
    assert summary.total == Project.objects.filter(plan__code=JIANG).count()
    assert (summary.reported, summary.started, summary.completed) == (1, 1, 0)
    quantities = sum(p.quantities.count() for p in Project.objects.filter(plan__code=JIANG))
    assert summary.quantities == quantities
    assert summary.quantity_share == pytest.approx(0.5 / quantities)


@pytest.mark.django_db
def test_for_a_region_the_plans_below_and_the_projects_located_in_it_count(forestry_project, people):
    city = forestry_project.plan.region.parent
    assert summary_for_region(city).total == Project.objects.filter(plan__region__in=[city, *city.children.all()]).count()
    county = forestry_project.plan.region
    located = Project.objects.filter(counties=county).exclude(plan__region=county).count()
    assert located and summary_for_region(county).total == Project.objects.filter(plan__region=county).count() + located
    assert summary_for_region(city, people["staff"]).total == 1


def test_the_summary_include_renders_the_figures():
    summary = project_summary([row(1, 2023, "completed", Decimal("10")), row(2, 2023, "suspended", Decimal("5"))])
    html = render_to_string("projects/includes/summary.html", {"summary": summary})
    assert "重点工程" in html and "75.0%" in html and "停滞" in html and "截至 2023 年" in html
