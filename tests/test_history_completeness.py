"""Audit completeness (issue 17): every user-facing write path leaves a django-simple-history row
naming who did it, and no production code writes a history-tracked model around the history
(queryset .update(), bulk_create, bulk_update skip it; instance save() and delete(), also
queryset .delete(), record it)."""
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau, Indicator, IndicatorTarget, IndicatorValue, Plan
from indicators.plans.services import plan_table_from_db
from indicators.plans.xlsx import write_plan_table
from reporting import workflow
from reporting.submission import open_period

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
JIANG, YEAR = "140826-2021-2025", 2023

# Models without history: derived (results), their own log (notifications, state changes — the
# review trail itself),
# counters and credentials. Writing them in bulk loses no audit trail.
UNTRACKED = ("DataGeneration", "ApiToken", "EvaluationResult", "EvaluationReport", "Notification", "notifications",
             "StateChange")


def test_no_production_code_writes_a_tracked_model_around_the_history():
    bulk = re.compile(r"\)\.update\(|\.bulk_create\(|\.bulk_update\(|\.raw\(")
    offenders = []
    for package in ("accounts", "core", "indicators", "projects", "reporting"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if bulk.search(line) and not any(name in line for name in UNTRACKED):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.fixture
def staff(real_plans):
    open_period(real_plans[JIANG], YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    return user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局"))


@pytest.fixture
def reviewer(real_plans):
    return user_with_role(Role.REVIEWER, region=real_plans[JIANG].region.parent)


def _last(record):
    return record.history.order_by("-history_id").first()


def test_entry_form_api_review_judgement_and_batch_approval_each_leave_a_history_row(client, staff, reviewer, real_plans):
    forest = real_plans[JIANG].indicators.get(number="2")
    fire = real_plans[JIANG].indicators.get(number="3")
    client.force_login(staff)
    assert client.post(reverse("entry_form", args=[JIANG, YEAR]),
                       {"action": "save", f"i{forest.pk}-raw": "36.7"}).status_code == 302
    value = IndicatorValue.objects.get(indicator=forest)
    assert value.history.count() == 1 and _last(value).history_user == staff

    api = client.post(f"/api/v1/plans/{JIANG}/values/", data=json.dumps(
        [{"number": "3", "year": YEAR, "value": "0.2", "source": "县林业局", "note": "", "submit": True},
         {"number": "2", "year": YEAR, "value": "36.8", "source": "县林业局", "note": "", "submit": True,
          "version": value.version}]), content_type="application/json")
    assert api.status_code == 201, api.content
    value.refresh_from_db()
    assert value.history.count() == 2 and _last(value).raw == "36.8"
    other = IndicatorValue.objects.get(indicator=fire)
    assert other.history.count() == 1 and _last(other).history_user == staff

    client.force_login(reviewer)
    assert client.post(reverse("value_review", args=[value.pk]),
                       {"action": "return", "reason": "请核实", "version": value.version}).status_code == 302
    value.refresh_from_db()
    assert value.history.count() == 3 and _last(value).history_user == reviewer and _last(value).state == workflow.RETURNED
    assert client.post(reverse("value_judgement", args=[value.pk]),
                       {"judgement": "done", "reason": "已核查", "version": value.version}).status_code == 302
    value.refresh_from_db()
    assert value.history.count() == 4 and _last(value).reviewer_judgement == "done"
    assert client.post(reverse("approve_selected"), {"select": [str(other.pk)]}).status_code == 302
    other.refresh_from_db()
    assert other.state == workflow.APPROVED and other.history.count() == 2 and _last(other).history_user == reviewer


def test_the_entry_xlsx_upload_leaves_a_history_row(client, staff, real_plans):
    import io

    from openpyxl import load_workbook

    from indicators.entry.xlsx import SHEET

    client.force_login(staff)
    response = client.get(reverse("entry_download", args=[JIANG, YEAR]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    ws = wb[SHEET]
    forest = real_plans[JIANG].indicators.get(number="2")
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value == forest.key)
    ws.cell(row=row, column=8, value="36.9")
    out = io.BytesIO()
    wb.save(out)
    assert client.post(reverse("entry_upload", args=[JIANG, YEAR]),
                       {"file": SimpleUploadedFile("f.xlsx", out.getvalue()), "action": "save"}).status_code == 302
    value = IndicatorValue.objects.get(indicator=forest)
    assert value.history.count() == 1 and _last(value).history_user == staff


def test_an_assigned_target_and_a_plan_import_leave_history_rows(client, real_plans, reviewer):
    target = IndicatorTarget.objects.get(indicator__plan__code=JIANG, indicator__key="20")
    client.force_login(reviewer)
    client.post("/regions/140800/assigned-targets/", {
        f"t{target.pk}-value": "15", f"t{target.pk}-document": "运政发〔2022〕1号", f"t{target.pk}-date": "2022-03-01",
        f"t{target.pk}-version": "0"})
    assignment = target.assignments.get()
    assert assignment.history.count() == 1 and _last(assignment).history_user == reviewer

    admin = user_with_role(Role.ADMIN)
    client.force_login(admin)
    table = plan_table_from_db(real_plans[JIANG])
    table.rows[0].name = table.rows[0].name + "（修订）"
    before = Indicator.history.count()
    preview = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("p.xlsx", write_plan_table(table))})
    assert preview.status_code == 200 and Indicator.history.count() == before  # the preview saves nothing
    response = client.post(reverse("plan_import"), {"action": "confirm", "token": client.session["plan_import"]["token"]})
    assert response.status_code == 302, response.content.decode()[:500]
    changed = Indicator.objects.get(plan__code=JIANG, key=table.rows[0].key)
    assert Indicator.history.count() > before and _last(changed).name.endswith("（修订）")
    assert Plan.history.filter(code=JIANG).exists()


def test_the_demo_generators_record_history_too(real_plans):
    import io

    from django.core.management import call_command

    call_command("generate_demo_values", stdout=io.StringIO())
    demo = IndicatorValue.objects.filter(synthetic=True)
    assert demo.exists()
    assert IndicatorValue.history.filter(synthetic=True).count() == demo.count()
