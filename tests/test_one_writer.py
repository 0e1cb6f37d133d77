"""Stored evaluation results have one writer, `recompute()`, called explicitly by every write path
once per batch; no model hook or catch-all signal does it (issue 13). Each path is driven the way
its users drive it, and the stored status must follow the change at once."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from indicators.models import EvaluationResult, Indicator, IndicatorTarget, IndicatorValue, Region
from reporting import workflow
from tests.factories import user_with_role

JIANG = "140826-2021-2025"


@pytest.fixture
def forest(real_plans):
    """绛县 2 森林覆盖率: baseline 36.07, target 37.07 (2025)."""
    return Indicator.objects.get(plan__code=JIANG, key="2")


@pytest.fixture
def bureau(real_plans):
    return user_with_role(Role.BUREAU_STAFF, region=real_plans[JIANG].region)


@pytest.fixture
def reviewer(real_plans):
    return user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))


def _submitted(indicator, year, raw, by):
    return IndicatorValue.objects.create(indicator=indicator, year=year, raw=raw, number=raw or None,
                                         state=workflow.SUBMITTED, created_by=by, updated_by=by)


def _status(indicator, year=2023):
    return EvaluationResult.objects.get(indicator=indicator, year=year).status


def _approved(indicator, year, raw, bureau, reviewer):
    from indicators.review.services import review_value

    return review_value(_submitted(indicator, year, raw, bureau), workflow.APPROVE, reviewer)


def test_approving_through_the_value_page_form_stores_the_new_status(client, forest, bureau, reviewer):
    value = _submitted(forest, 2023, "36.70", bureau)
    assert _status(forest) == "no_data"
    client.force_login(reviewer)
    client.post(f"/values/{value.pk}/review/", {"action": "approve", "version": value.version})
    assert _status(forest) == "on_track"


def test_approving_through_the_api_stores_the_new_status(client, forest, bureau, reviewer):
    value = _submitted(forest, 2023, "36.70", bureau)
    client.force_login(reviewer)
    response = client.post(f"/api/v1/values/{value.pk}/approve", {"version": value.version},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert _status(forest) == "on_track"


def test_reopening_takes_the_value_out_of_the_stored_status(client, forest, bureau, reviewer):
    value = _approved(forest, 2023, "36.70", bureau, reviewer)
    assert _status(forest) == "on_track"
    client.force_login(reviewer)
    client.post(f"/values/{value.pk}/review/", {"action": "reopen", "reason": "数据需核实", "version": value.version})
    assert _status(forest) == "no_data"


def test_batch_approval_stores_every_new_status(client, real_plans, forest, bureau, reviewer):
    grass = Indicator.objects.get(plan__code=JIANG, key="3")
    values = [_submitted(forest, 2023, "36.70", bureau), _submitted(grass, 2023, "1", bureau)]
    client.force_login(reviewer)
    client.post("/review/approve/", {"select": [v.pk for v in values]})
    assert set(IndicatorValue.objects.filter(pk__in=[v.pk for v in values]).values_list("state", flat=True)) == {
        workflow.APPROVED}
    assert _status(forest) == "on_track" and _status(grass) != "no_data"


def test_a_reviewers_judgement_is_counted_at_once(client, real_plans, bureau, reviewer):
    qualitative = next(i for i in Indicator.objects.filter(plan__code=JIANG).prefetch_related("targets")
                       if any(t.kind == "qualitative" for t in i.targets.all()))
    value = _approved(qualitative, 2023, "", bureau, reviewer)
    IndicatorValue.objects.filter(pk=value.pk).update(raw="已完成")
    value.refresh_from_db()
    client.force_login(reviewer)
    client.post(f"/values/{value.pk}/judgement/", {"judgement": "done", "reason": "现场核查", "version": value.version})
    assert _status(qualitative) == "met"


def test_an_entry_upload_changes_no_stored_status_because_only_approved_values_count(forest, bureau):
    """Submitting (form, .xlsx, API) writes no result: the evaluation reads approved values only."""
    before = list(EvaluationResult.objects.filter(indicator=forest).values_list("year", "status", "computed_at"))
    _submitted(forest, 2023, "36.70", bureau)
    after = list(EvaluationResult.objects.filter(indicator=forest).values_list("year", "status", "computed_at"))
    assert after == before


def test_changing_a_target_in_the_admin_stores_the_new_status(client, forest, bureau, reviewer):
    """37.07 → 36.5 on 绛县 森林覆盖率: 36.70 then meets the target (the stored status followed
    no admin change before)."""
    _approved(forest, 2023, "36.70", bureau, reviewer)
    assert _status(forest) == "on_track"
    admin = user_with_role(Role.ADMIN)
    client.force_login(admin)
    url = f"/admin/indicators/indicator/{forest.pk}/change/"
    data = _admin_form_data(client.get(url))
    target = IndicatorTarget.objects.get(indicator=forest, year=2025)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(target.pk)).rsplit("-", 1)[0]
    data[f"{prefix}-raw"] = "36.5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert IndicatorTarget.objects.get(pk=target.pk).raw == "36.5"
    assert _status(forest) == "met"


def test_changing_the_plan_in_the_admin_stores_results_for_its_new_years(client, real_plans):
    plan = real_plans[JIANG]
    admin = user_with_role(Role.ADMIN)
    client.force_login(admin)
    EvaluationResult.objects.filter(plan=plan).delete()
    url = f"/admin/indicators/plan/{plan.pk}/change/"
    response = client.post(url, _admin_form_data(client.get(url)))
    assert response.status_code == 302
    assert EvaluationResult.objects.filter(plan=plan).count() == plan.indicators.count() * len(range(2021, 2026))


def test_a_plan_import_with_a_changed_target_stores_the_new_status(forest, bureau, reviewer):
    from indicators.plans.services import plan_table_from_db, save_plan_table

    _approved(forest, 2023, "36.70", bureau, reviewer)
    table = plan_table_from_db(forest.plan)
    row = next(r for r in table.rows if r.key == "2")
    row.targets = {**row.targets, 2025: "36.5"}
    save_plan_table(table)
    assert _status(forest) == "met"


def test_no_model_hook_or_signal_receiver_writes_results_or_renews_summaries():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from reporting.models import ReviewedRecord

    assert not hasattr(ReviewedRecord, "after_review") and not hasattr(IndicatorValue, "after_review")
    for signal in (post_save, post_delete, m2m_changed):
        receivers = [str(r) for r in signal.receivers]
        assert not any("generations" in r for r in receivers), receivers


def test_a_bulk_delete_of_evaluation_results_is_a_fast_delete(real_plans):
    """No receiver listens to EvaluationResult, so Django deletes without loading the rows."""
    plan = real_plans[JIANG]
    for rows in (EvaluationResult.objects.filter(plan=plan, year=2021), EvaluationResult.objects.filter(plan=plan)):
        assert rows.exists()
        with CaptureQueriesContext(connection) as queries:
            rows.delete()
        statements = [q["sql"] for q in queries.captured_queries]
        assert len(statements) == 1 and statements[0].startswith("DELETE"), statements


def _approval_queries(client, values):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/review/approve/", {"select": [v.pk for v in values]})
    assert response.status_code == 302
    assert all(v.state == workflow.APPROVED for v in IndicatorValue.objects.filter(pk__in=[v.pk for v in values]))
    return len(queries)


def test_approving_ten_values_costs_at_most_one_and_a_half_times_approving_one(client, real_plans, bureau, reviewer):
    rows = list(Indicator.objects.filter(plan__code=JIANG, parent__isnull=True).order_by("pk")[:11])
    client.force_login(reviewer)
    one = _approval_queries(client, [_submitted(rows[0], 2022, "1", bureau)])
    ten = _approval_queries(client, [_submitted(row, 2022, "1", bureau) for row in rows[1:]])
    assert ten <= 1.5 * one, (one, ten)
    print(f"approval queries: one value {one}, ten values {ten}")


def test_nobody_approves_a_value_they_last_edited(client, forest, reviewer):
    value = _submitted(forest, 2023, "36.70", reviewer)
    client.force_login(reviewer)
    response = client.post(f"/values/{value.pk}/review/", {"action": "approve", "version": value.version}, follow=True)
    assert "四眼原则" in response.content.decode()
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED and _status(forest) == "no_data"
    other = user_with_role(Role.REVIEWER, region=reviewer.profile.region)
    client.force_login(other)
    client.post(f"/values/{value.pk}/review/", {"action": "approve", "version": value.version})
    value.refresh_from_db()
    assert value.state == workflow.APPROVED


def _admin_form_data(response):
    """The POST body the admin change page would send unchanged: main form plus inline formsets."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add(form)
    return data


def test_indicators_holds_only_its_models_admin_urls_and_concept_packages():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "indicators"
    modules = {p.name for p in root.glob("*.py")}
    assert modules <= {"__init__.py", "apps.py", "admin.py", "urls.py"}, modules
    packages = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"models", "plans", "entry", "evaluation", "results", "review", "web"} <= packages


def test_the_pure_evaluation_package_imports_no_django():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "indicators" / "evaluation"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("django", "rest_framework") for n in names), (path.name, names)


def test_nothing_in_the_repository_reads_files_from_beside_the_clone():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    hits = subprocess.run(["git", "grep", "-nE", r"\.\./shared|parent / \"shared\"", "--", "*.py", "Makefile", ".ci/*"],
                          cwd=root, capture_output=True, text=True).stdout
    assert hits == ""


def test_no_production_module_imports_the_development_only_demo_app():
    """`demo` is left out of INSTALLED_APPS in production (DJANGO_DEMO=0): nothing else may need it."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for package in ("accounts", "config", "core", "indicators", "projects", "reporting"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                assert not any(n == "demo" or n.startswith("demo.") for n in names), path
