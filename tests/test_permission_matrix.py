"""Access matrix generated from the URLconf: every view, export and API endpoint × every role ×
inside / outside scope (and a guessed id). A URL without a rule here fails the suite.

Scope: a 绛县 user's scope is 绛县; its out-of-scope objects are 盐湖区's (same city, other county).
A 运城市 user covers 绛县 and 盐湖区; its out-of-scope objects are 屯留区's (another city).
"""
from dataclasses import dataclass, field

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from core.models import ApiToken

from accounts.models import Role
from indicators.models import Bureau, EvaluationReport, Indicator, IndicatorValue, Plan, Region
from reporting import workflow
from reporting.models import Evidence
from reporting.submission import open_period
from tests.factories import user_with_role

# Names under these namespaces or prefixes are Django's own or served without our views.
SKIPPED_PREFIXES = ("admin:", "set_language", "javascript-catalog")
ROLES = ("staff", "reviewer", "leader", "city_reviewer", "city_leader", "admin", "anonymous")
HOME = {"staff": "jiang", "reviewer": "jiang", "leader": "jiang", "city_reviewer": "jiang", "city_leader": "jiang",
        "admin": "jiang", "anonymous": "jiang"}
OUTSIDE = {"staff": "yanhu", "reviewer": "yanhu", "leader": "yanhu", "city_reviewer": "tunliu", "city_leader": "tunliu"}
LOGIN = 302


@dataclass
class Rule:
    """How to call one URL and what each role gets for an object inside its scope."""

    kwargs: callable = None               # (world, region) → URL kwargs; None for URLs without objects
    expected: dict = field(default_factory=dict)  # role → status inside scope
    method: str = "get"
    data: callable = None                 # (world, region) → POST body
    scoped: bool = True                   # does an out-of-scope object give 404?
    api: bool = False


def _version(value_pk):
    return str(IndicatorValue.objects.get(pk=value_pk).version)


def _progress_version(progress_pk):
    from projects.models import ProjectProgress

    return str(ProjectProgress.objects.get(pk=progress_pk).version)


def plan(w, r):
    return {"code": w[r]["plan"]}


def year(w, r):
    return {"code": w[r]["plan"], "year": 2023}


def value(w, r):
    return {"pk": w[r]["value"]}


def report(w, r):
    return {"code": w[r]["plan"], "pk": w[r]["report"]}


def region(w, r):
    return {"region_code": w[r]["city"]}


def project(w, r):
    return {"pk": w[r]["project"]}


READ = {"staff": 200, "reviewer": 200, "leader": 200, "city_reviewer": 200, "city_leader": 200, "admin": 200, "anonymous": LOGIN}
STAFF_ONLY = {"staff": 200, "reviewer": 404, "leader": 404, "city_reviewer": 404, "city_leader": 404, "admin": 404, "anonymous": LOGIN}
REVIEWERS = {"staff": 404, "reviewer": 200, "leader": 404, "city_reviewer": 200, "city_leader": 404, "admin": 200, "anonymous": LOGIN}
API_READ = {**READ, "anonymous": 401}
CITY_READ = {**READ, "staff": 404, "reviewer": 404, "leader": 404}

RULES = {
    "home": Rule(expected=READ, scoped=False),
    "healthz": Rule(expected={role: 200 for role in ROLES}, scoped=False),
    "robots": Rule(expected={role: 200 for role in ROLES}, scoped=False),
    "trivial": Rule(expected={role: 404 for role in ROLES}, scoped=False),  # only with settings.BENCHMARK
    "login": Rule(expected={role: 200 for role in ROLES}, scoped=False),
    "logout": Rule(method="post", expected={role: 302 for role in ROLES}, scoped=False),
    "plan_list": Rule(expected=READ, scoped=False),
    "plan_import": Rule(expected={**{r: 404 for r in ROLES}, "admin": 200, "anonymous": LOGIN}, scoped=False),
    "plan_detail": Rule(plan, READ),
    "plan_setup": Rule(plan, {**{r: 404 for r in ROLES}, "admin": 200, "anonymous": LOGIN}),
    "plan_export": Rule(plan, READ),
    "indicator_detail": Rule(lambda w, r: {"code": w[r]["plan"], "key": w[r]["key"]}, READ),
    "plan_evaluation": Rule(plan, READ),
    "plan_dashboard": Rule(plan, READ),
    "report_list": Rule(plan, READ),
    "report_detail": Rule(report, READ),
    "report_template": Rule(plan, READ),
    "report_regenerate": Rule(report, {**REVIEWERS, "reviewer": 302, "city_reviewer": 302, "admin": 302},
                              method="post", data=lambda w, r: {}),
    "api_token": Rule(expected=READ, scoped=False),
    "report_download": Rule(lambda w, r: {**report(w, r), "fmt": "xlsx"}, READ),
    "city_comparison": Rule(region, CITY_READ),
    "leader_summary": Rule(region, CITY_READ),
    "assigned_targets": Rule(region, {**REVIEWERS, "reviewer": 404}),
    "assigned_targets_download": Rule(region, {**REVIEWERS, "reviewer": 404}),
    "entry_form": Rule(year, STAFF_ONLY),
    "entry_download": Rule(year, STAFF_ONLY),
    "entry_upload": Rule(year, {**STAFF_ONLY, "staff": 400}, method="post", data=lambda w, r: {}),
    "review_queue": Rule(expected=REVIEWERS, scoped=False),
    "approve_selected": Rule(expected={**REVIEWERS, "reviewer": 302, "city_reviewer": 302, "admin": 302},
                             method="post", data=lambda w, r: {"select": [w[r]["value"]]}, scoped=False),
    "plan_year_review": Rule(year, REVIEWERS),
    "value_detail": Rule(value, READ),
    "value_review": Rule(value, {**REVIEWERS, "reviewer": 302, "city_reviewer": 302, "admin": 302}, method="post",
                         data=lambda w, r: {"action": "return", "reason": "请核对", "version": _version(w[r]["value"])}),
    "value_judgement": Rule(value, {**REVIEWERS, "reviewer": 302, "city_reviewer": 302, "admin": 302}, method="post",
                            data=lambda w, r: {"judgement": "done", "reason": "理由", "version": _version(w[r]["value"])}),
    "evidence_download": Rule(lambda w, r: {"pk": w[r]["evidence"]}, READ),
    "period_list": Rule(plan, REVIEWERS),
    "notification_list": Rule(expected=READ, scoped=False),
    "notifications_read": Rule(expected={**{r: 302 for r in ROLES}}, method="post", scoped=False),
    "project_list": Rule(expected=READ, scoped=False),
    "project_export": Rule(expected=READ, scoped=False),
    "project_timeline": Rule(expected=READ, scoped=False),
    "project_detail": Rule(project, READ),
    # GET shows the project page (read-only unless the user may enter); POST is covered by the projects tests.
    "project_progress_entry": Rule(lambda w, r: {"pk": w[r]["project"], "year": 2023}, READ),
    "project_progress_review": Rule(lambda w, r: {"pk": w[r]["progress"]},
                                    {**REVIEWERS, "reviewer": 302, "city_reviewer": 302, "admin": 302}, method="post",
                                    data=lambda w, r: {"action": "approve", "version": _progress_version(w[r]["progress"])}),
    "project_evidence": Rule(lambda w, r: {"pk": w[r]["project_evidence"]}, READ),
    # API
    "api_schema": Rule(expected=API_READ, scoped=False, api=True),
    "api_plan_list": Rule(expected=API_READ, scoped=False, api=True),
    "api_plan_detail": Rule(plan, API_READ, api=True),
    "api_plan_evaluation": Rule(plan, API_READ, api=True),
    "api_plan_projects": Rule(plan, API_READ, api=True),
    "api_plan_values": Rule(plan, {**API_READ, "staff": 201, "reviewer": 400, "leader": 400, "city_reviewer": 400,
                                   "city_leader": 400, "admin": 400}, method="post", api=True,
                            data=lambda w, r: [{"number": w[r]["number"], "year": 2024, "value": "36.8"}]),
    "api_value": Rule(value, API_READ, api=True),
    "api_value_approve": Rule(value, {**{r: 404 for r in ROLES}, "reviewer": 200, "city_reviewer": 200, "admin": 200,
                                      "anonymous": 401}, method="post", api=True,
                              data=lambda w, r: {"version": int(_version(w[r]["value"]))}),
    "api_value_return": Rule(value, {**{r: 404 for r in ROLES}, "reviewer": 200, "city_reviewer": 200, "admin": 200,
                                     "anonymous": 401}, method="post", api=True,
                             data=lambda w, r: {"reason": "请核对", "version": int(_version(w[r]["value"]))}),
    "api_value_reopen": Rule(value, {**{r: 404 for r in ROLES}, "reviewer": 400, "city_reviewer": 400, "admin": 400,
                                     "anonymous": 401}, method="post", api=True,
                             data=lambda w, r: {"reason": "重新核对", "version": int(_version(w[r]["value"]))}),
}


def url_names():
    """Every named URL of the project, with namespaces, except Django's own."""
    names = set()

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns)
    return {n for n in names if not n.startswith(SKIPPED_PREFIXES)}


def test_every_url_of_the_project_has_a_rule():
    assert url_names() - set(RULES) == set(), "add a rule for each new URL to RULES"
    assert set(RULES) - url_names() == set(), "remove rules of URLs that no longer exist"


def _reporter():
    """Who entered the world's records: not any role under test, since nobody may review what
    they entered themselves (四眼原则)."""
    from django.contrib.auth.models import User

    return User.objects.get_or_create(username="matrix_reporter")[0]


def _value_for(indicator, year, state, user):
    return IndicatorValue.objects.create(indicator=indicator, year=year, raw="36.5", number="36.5", state=state,
                                         created_by=user, updated_by=user)


def _region_objects(plan_code, key, bureau_name, city_code, admin):
    plan = Plan.objects.get(code=plan_code)
    indicator = Indicator.objects.get(plan=plan, key=key)
    value = _value_for(indicator, 2023, workflow.SUBMITTED, _reporter())
    evidence = Evidence(content_type=ContentType.objects.get_for_model(IndicatorValue), object_id=value.pk,
                        original_name="证明.pdf", media_type="application/pdf", size=9, uploaded_by=admin)
    evidence.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    report = EvaluationReport.objects.create(plan=plan, kind="midterm", year=2023, created_by=admin, state="done",
                                             snapshot={"totals": {}}, narrative={})
    report.xlsx.save("r.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    for year in (2023, 2024):
        open_period(plan, year, None, kept_open=True)
    objects = {"plan": plan_code, "key": key, "number": indicator.number or key, "value": value.pk,
               "evidence": evidence.pk, "report": report.pk, "city": city_code,
               "bureau": Bureau.objects.filter(region=plan.region, name=bureau_name).first() if bureau_name else None}
    objects.update(_project_objects(plan, objects["bureau"], admin))
    return objects


def _project_objects(plan, bureau, admin):
    from projects.models import Project, ProjectProgress

    project = Project.objects.filter(plan=plan).order_by("pk").first()
    if project is None:
        return {"project": 999999, "progress": 999999, "project_evidence": 999999}
    original_bureau = project.bureau_id
    if bureau is not None:
        Project.objects.filter(pk=project.pk).update(bureau=bureau)
    progress = ProjectProgress.objects.create(project=project, year=2023, state=workflow.SUBMITTED,
                                              created_by=_reporter(), updated_by=_reporter())
    evidence = Evidence(content_type=ContentType.objects.get_for_model(ProjectProgress), object_id=progress.pk,
                        original_name="照片.png", media_type="image/png", size=8, uploaded_by=admin)
    evidence.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    evidence.save()
    return {"project": project.pk, "progress": progress.pk, "project_evidence": evidence.pk,
            "project_bureau": original_bureau}


@pytest.fixture(scope="module")
def _world_committed(_real_plans_committed, django_db_blocker, tmp_path_factory):
    """Built once per module and committed (tests roll back their own changes), then removed."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        from projects.seed import load_projects

        load_projects()
        admin = user_with_role(Role.ADMIN, username="matrix-admin")
        w = {
            "jiang": _region_objects("140826-2021-2025", "2", "林业局", "140800", admin),
            "yanhu": _region_objects("140802-2021-2025", "2", "林草局", "140800", admin),
            "tunliu": _region_objects("140405-2021-2025", "2", None, "140400", admin),
        }
        jiang, city = Region.objects.get(code="140826"), Region.objects.get(code="140800")
        w["users"] = {
            "staff": user_with_role(Role.BUREAU_STAFF, bureau=w["jiang"]["bureau"]),
            "reviewer": user_with_role(Role.REVIEWER, region=jiang,
                                       bureau=Bureau.objects.get_or_create(region=jiang, name="生态环境分局")[0]),
            "leader": user_with_role(Role.LEADER, region=jiang),
            "city_reviewer": user_with_role(Role.REVIEWER, region=city),
            "city_leader": user_with_role(Role.LEADER, region=city),
            "admin": admin,
            "anonymous": None,
        }
    yield w, media
    with django_db_blocker.unblock():
        _remove_world(w)


def _remove_world(w):
    from django.contrib.auth.models import User
    from projects.models import ProjectProgress

    from reporting.models import ReportingPeriod, StateChange

    values = [w[r]["value"] for r in ("jiang", "yanhu", "tunliu")]
    Evidence.objects.all().delete()
    StateChange.objects.all().delete()
    ProjectProgress.objects.all().delete()
    EvaluationReport.objects.all().delete()
    IndicatorValue.objects.filter(pk__in=values).delete()
    IndicatorValue.history.filter(id__in=values).delete()  # after the delete, which records a row too
    from projects.models import Project

    for region in ("jiang", "yanhu", "tunliu"):  # the committed real projects get their bureau back
        if "project_bureau" in w[region]:
            Project.objects.filter(pk=w[region]["project"]).update(bureau_id=w[region]["project_bureau"])
    ReportingPeriod.objects.all().delete()
    ApiToken.objects.all().delete()
    users = [u.pk for u in w["users"].values() if u is not None]
    User.objects.filter(pk__in=users).delete()


@pytest.fixture
def world(_world_committed, db, settings):
    w, media = _world_committed
    settings.MEDIA_ROOT = media
    return w


def _call(client, rule, name, kwargs, data):
    url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
    if rule.method == "get":
        return client.get(url)
    if rule.api:
        return client.post(url, data=data if data is not None else {}, content_type="application/json")
    return client.post(url, data=data or {})


def _client_for(client, world, role, api):
    user = world["users"][role]
    if user is None:
        return client
    if api:
        token, _ = (ApiToken.issue(user), True)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    else:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(RULES))
def test_each_role_gets_what_its_scope_allows(client, world, name, role):
    rule = RULES[name]
    client = _client_for(client, world, role, rule.api)
    home = HOME[role]
    kwargs = rule.kwargs(world, home) if rule.kwargs else None
    data = rule.data(world, home) if rule.data else None
    response = _call(client, rule, name, kwargs, data)
    assert response.status_code == rule.expected[role], (name, role, getattr(response, "content", b"")[:300])

    if not rule.scoped or role in ("admin", "anonymous") or rule.kwargs is None:
        return
    outside = OUTSIDE[role]
    out_kwargs = rule.kwargs(world, outside)
    if out_kwargs == kwargs:
        return  # the URL does not name an object of the other region (e.g. both in 运城市)
    response = _call(client, rule, name, out_kwargs, rule.data(world, outside) if rule.data else None)
    assert response.status_code in (404, LOGIN if not rule.api else 404), (name, role, "outside scope")
    guessed = {k: (999999 if isinstance(v, int) else f"{v}-x") for k, v in out_kwargs.items()}
    response = _call(client, rule, name, guessed, None if rule.data is None else rule.data(world, outside))
    assert response.status_code == 404, (name, role, "guessed id")


@pytest.mark.parametrize("name", ["home", "plan_list", "review_queue", "api_plan_list", "project_list", "notification_list"])
@pytest.mark.parametrize("role", ["staff", "reviewer", "leader"])
def test_lists_show_nothing_of_another_county(client, world, name, role):
    rule = RULES[name]
    client = _client_for(client, world, role, rule.api)
    response = client.get(reverse(name))
    if response.status_code != 200:
        return
    body = response.content.decode()
    assert "盐湖区" not in body and "140802-2021-2025" not in body
