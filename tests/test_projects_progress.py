"""Yearly project progress: entered by the responsible bureau, reviewed by the ecology-environment
bureau through the shared workflow — states, permissions (404 out of scope), audit history,
notifications and evidence files."""
import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import ProjectProgress, QuantityProgress, Status
from projects.progress import ProgressInput, ProgressRejected, save_progress
from reporting.models import Notification, ReportingPeriod, StateChange

from tests.test_projects_support import (  # noqa: F401
    _real_projects_committed, forestry_project, open_period, people, real_projects,
)

pytestmark = pytest.mark.django_db
YEAR = 2024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(forestry_project):
    open_period(forestry_project.plan, YEAR)
    return forestry_project


def entry_url(project, year=YEAR):
    return f"/projects/{project.pk}/progress/{year}/"


def post_entry(client, project, *, action="save", status="in_progress", amount="0.4", year=YEAR, **extra):
    quantity = project.quantities.get()
    data = {"status": status, "investment_done": "120", "narrative": "已完成造林4000亩", f"q_{quantity.pk}": amount,
            "action": action, **extra}
    return client.post(entry_url(project, year), data)


def review(client, report, action, reason=""):
    return client.post(f"/projects/progress/{report.pk}/review/", {"action": action, "reason": reason, "version": report.version})


def submitted(project, people):
    data = ProgressInput(status=Status.IN_PROGRESS, investment_done=Decimal("120"),
                         quantities={project.quantities.get().pk: Decimal("0.4")})
    return save_progress(people["staff"], project, YEAR, data, submit=True)


def test_the_bureau_saves_a_draft_then_submits_it(client, project, people):
    client.force_login(people["staff"])
    assert client.get(f"/projects/{project.pk}/").context["form"] is not None
    response = post_entry(client, project)
    assert response.status_code == 302
    report = ProjectProgress.objects.get(project=project, year=YEAR)
    assert (report.state, report.status, report.investment_done) == ("draft", "in_progress", Decimal("120"))
    assert QuantityProgress.objects.get(progress=report).amount_done == Decimal("0.4")
    assert not StateChange.objects.filter(object_id=report.pk).exists()

    post_entry(client, project, action="submit", amount="0.5", version=report.version)
    report.refresh_from_db()
    assert report.state == "submitted" and report.submitted_at and not report.late
    assert QuantityProgress.objects.get(progress=report).amount_done == Decimal("0.5")
    [step] = StateChange.objects.filter(object_id=report.pk, content_type__model="projectprogress")
    assert (step.action, step.to_state, step.user) == ("submit", "submitted", people["staff"])


def test_the_reviewer_approves_and_the_project_takes_the_reported_status(client, project, people):
    report = submitted(project, people)
    client.force_login(people["reviewer"])
    assert review(client, report, "approve").status_code == 302
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == "approved" and report.reviewed_by == people["reviewer"]
    assert project.status == Status.IN_PROGRESS
    note = Notification.objects.get(user=people["staff"])
    assert note.kind == "approved" and "人工造林" in note.message and note.url == f"/projects/{project.pk}/"


def test_a_return_needs_a_reason_and_the_reason_reaches_the_bureau(client, project, people):
    report = submitted(project, people)
    client.force_login(people["reviewer"])
    review(client, report, "return")
    report.refresh_from_db()
    assert report.state == "submitted"
    review(client, report, "return", "请补充造林验收材料")
    report.refresh_from_db()
    assert report.state == "returned" and report.return_reason == "请补充造林验收材料"
    assert "请补充造林验收材料" in Notification.objects.get(user=people["staff"], kind="returned").message

    client.force_login(people["staff"])
    post_entry(client, project, action="submit", amount="0.6")
    report.refresh_from_db()
    assert report.state == "submitted" and report.return_reason == ""
    assert [s.action for s in StateChange.objects.filter(object_id=report.pk).order_by("id")] == ["submit", "return", "submit"]


def test_an_approved_report_is_locked_until_the_reviewer_reopens_it_with_a_reason(client, project, people):
    report = submitted(project, people)
    client.force_login(people["reviewer"])
    review(client, report, "approve")
    client.force_login(people["staff"])
    response = post_entry(client, project, amount="0.9")
    assert response.status_code == 400 and "不能修改" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "approved"
    client.force_login(people["reviewer"])
    review(client, report, "reopen")
    report.refresh_from_db()
    assert report.state == "approved"
    review(client, report, "reopen", "数据有误")
    report.refresh_from_db()
    assert report.state == "reopened"


def test_a_city_reviewer_reviews_the_county_below(client, project, people):
    report = submitted(project, people)
    client.force_login(people["city_reviewer"])
    review(client, report, "approve")
    report.refresh_from_db()
    assert report.state == "approved"


@pytest.mark.parametrize("who", ["other_staff", "outside_reviewer", "outside_leader"])
def test_users_outside_the_projects_scope_get_404_everywhere(client, project, people, who):
    report = submitted(project, people)
    client.force_login(people[who])
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert post_entry(client, project).status_code == 404
    assert review(client, report, "approve").status_code == 404
    report.refresh_from_db()
    assert report.state == "submitted"


def test_a_leader_reads_but_cannot_enter_or_review(client, project, people):
    report = submitted(project, people)
    client.force_login(people["leader"])
    response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    assert response.context["form"] is None and not response.context["can_review"]
    assert "填报年度进展" not in response.content.decode()
    assert post_entry(client, project).status_code == 404
    assert review(client, report, "approve").status_code == 404
    report.refresh_from_db()
    assert report.state == "submitted"


def test_a_reviewer_cannot_enter_progress(client, project, people):
    client.force_login(people["reviewer"])
    assert post_entry(client, project).status_code == 404
    assert not ProjectProgress.objects.exists()


def test_every_change_is_kept_in_the_history_with_its_user(client, project, people):
    client.force_login(people["staff"])
    post_entry(client, project)
    post_entry(client, project, action="submit", amount="0.7")
    report = ProjectProgress.objects.get(project=project, year=YEAR)
    client.force_login(people["reviewer"])
    review(client, report, "approve")
    history = list(report.history.order_by("history_date"))
    assert [h.state for h in history] == ["draft", "submitted", "approved"]
    assert [h.history_user for h in history] == [people["staff"], people["staff"], people["reviewer"]]
    assert [h.history_change_reason for h in history] == ["保存草稿", "提交", "审核通过"]
    row = QuantityProgress.objects.get(progress=report)
    assert [h.amount_done for h in row.history.order_by("history_date")] == [Decimal("0.4"), Decimal("0.7")]
    assert project.history.filter(status="in_progress").exists()


def test_a_new_years_form_starts_from_last_years_cumulative_figures(client, project, people):
    report = submitted(project, people)
    client.force_login(people["reviewer"])
    review(client, report, "approve")
    open_period(project.plan, YEAR + 1)
    client.force_login(people["staff"])
    form = client.get(entry_url(project, YEAR + 1)).context["form"]
    assert form.initial["status"] == "in_progress"
    assert form.initial[f"q_{project.quantities.get().pk}"] == "0.4"
    assert "version" not in form.initial


def test_a_closed_period_refuses_entries(client, project, people):
    ReportingPeriod.objects.filter(plan=project.plan, year=YEAR).update(closed=True)
    with pytest.raises(ProgressRejected, match="填报期未开放或已截止"):
        submitted(project, people)
    client.force_login(people["staff"])
    assert client.get(entry_url(project)).context["open_years"] == []


def test_a_late_submission_in_a_period_kept_open_is_marked_late(project, people):
    today = datetime.date.today()
    ReportingPeriod.objects.filter(plan=project.plan, year=YEAR).update(deadline=today - datetime.timedelta(days=1), kept_open=True)
    assert submitted(project, people).late


def test_a_stale_version_is_refused_with_the_other_users_content(client, project, people):
    client.force_login(people["staff"])
    post_entry(client, project)
    report = ProjectProgress.objects.get(project=project, year=YEAR)
    post_entry(client, project, amount="0.5", version=report.version)
    response = post_entry(client, project, amount="0.6", version=report.version)
    assert response.status_code == 400 and "您的修改未保存" in response.content.decode()
    assert QuantityProgress.objects.get(progress=report).amount_done == Decimal("0.5")


def test_submitting_a_completed_project_needs_every_quantity(project, people):
    data = ProgressInput(status=Status.COMPLETED, quantities={})
    with pytest.raises(ProgressRejected, match="请填写各项工程量的累计完成量：人工造林"):
        save_progress(people["staff"], project, YEAR, data, submit=True)


def test_negative_amounts_are_refused_by_the_form(client, project, people):
    client.force_login(people["staff"])
    response = post_entry(client, project, amount="-1")
    assert response.status_code == 400
    assert not ProjectProgress.objects.exists()


def test_evidence_is_attached_and_served_only_within_scope(client, project, people):
    client.force_login(people["staff"])
    upload = SimpleUploadedFile("验收照片.png", PNG, content_type="image/png")
    post_entry(client, project, evidence=upload)
    report = ProjectProgress.objects.get(project=project, year=YEAR)
    [evidence] = report.evidence.all()
    assert (evidence.original_name, evidence.media_type) == ("验收照片.png", "image/png")
    client.force_login(people["reviewer"])
    response = client.get(f"/projects/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    client.force_login(people["outside_leader"])
    assert client.get(f"/projects/evidence/{evidence.pk}/").status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused(client, project, people):
    client.force_login(people["staff"])
    upload = SimpleUploadedFile("报告.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = post_entry(client, project, evidence=upload)
    assert response.status_code == 400 and "文件类型不受支持" in response.content.decode()
    assert not ProjectProgress.objects.exists()
