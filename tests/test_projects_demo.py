"""generate_demo_progress: approved demo progress for the real projects, marked synthetic."""
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import Project, ProjectProgress, QuantityProgress

from tests.test_projects_support import _real_projects_committed, forestry_project, real_projects  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo_progress_is_synthetic_approved_idempotent_and_removable(forestry_project):
    mine = ProjectProgress.objects.create(project=forestry_project, year=2021, status="in_progress", state="submitted")
    call_command("generate_demo_progress", "--last-year", "2022", stdout=StringIO())
    demo = ProjectProgress.objects.filter(synthetic=True)
    count = demo.count()
    assert count and set(demo.values_list("state", flat=True)) == {"approved"}
    assert not demo.filter(year__gt=2022).exists()
    mine.refresh_from_db()
    assert not mine.synthetic and mine.state == "submitted"
    assert demo.filter(project=forestry_project).values_list("year", flat=True).get() == 2022
    assert QuantityProgress.objects.filter(progress__synthetic=True).exists()
    assert Project.objects.exclude(status="not_started").exists()

    call_command("generate_demo_progress", "--last-year", "2022", stdout=StringIO())
    assert ProjectProgress.objects.filter(synthetic=True).count() == count

    call_command("generate_demo_progress", "--remove", stdout=StringIO())
    assert not ProjectProgress.objects.filter(synthetic=True).exists()
    assert ProjectProgress.objects.filter(pk=mine.pk).exists()
    assert set(Project.objects.values_list("status", flat=True)) == {"not_started"}
