"""Hostile input at every form, import and API field: markup, SQL fragments, NUL characters,
10 MB strings, right-to-left marks, odd digits and formulas. Each must end in a clear error
(4xx with a message) or safe storage — never a 5xx — and whatever is shown again is escaped.

Also: uploads (size limits, real content checks, zip bombs, file names, storage outside static,
permission-checked serving) and exports (formula injection neutralised).

Every probe goes through `Probe`, which collects all problems of a surface and reports them at
once, so one run shows every field that misbehaves, not just the first."""
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from core.models import ApiToken

from accounts.models import Role
from indicators.models import EvaluationReport, Indicator, IndicatorTarget, IndicatorValue, Region
from reporting import workflow
from reporting.models import Evidence
from reporting.submission import open_period

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db
PLAN = "HOSTILE-2021-2025"
YEAR = 2023
TEN_MB = 10 * 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

# (name, payload). The 10 MB string is itself script-bearing, so escaping is checked at size too.
PAYLOADS = [
    ("script", SCRIPT),
    ("img-onerror", IMG),
    ("sql-drop", "1'; DROP TABLE indicators_indicatorvalue; --"),
    ("sql-or", "' OR '1'='1"),
    ("nul", "36\x00.5"),
    ("10MB", (SCRIPT * (TEN_MB // len(SCRIPT) + 1))[:TEN_MB]),
    ("rtl", "\u202e5.63\u200f\u2066"),
    ("formula", '=HYPERLINK("http://evil.example/","点我")'),
    ("superscript-digit", "²"),
    ("5000-digits", "9" * 5000),
    ("fullwidth", "３６．５％"),
    ("emoji", "🌲" * 30),
    ("negative-exp", "-1e999"),
    ("crlf-offsite", "/x\r\nSet-Cookie: a=b\r\n\r\n//evil.example/"),
    ("offsite-url", "https://evil.example/phish"),
]
# Query strings and paths: servers refuse request lines much longer than a few KB (gunicorn:
# 4094 bytes), so the oversized case there is 64 KB rather than 10 MB.
GET_PAYLOADS = [(n, p) if n != "10MB" else ("64KB", p[: 64 * 1024]) for n, p in PAYLOADS]
UNESCAPED = ("<script>alert(1)", "<img src=x onerror")


def offsite(location):
    parts = urlsplit(location)
    return parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http")


class Probe:
    def __init__(self, client):
        self.client = client
        self.problems = []
        self.tried = 0

    def check(self, response, where, *, expect_message=True):
        self.tried += 1
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{where}: HTTP {status}")
            return response
        body = self.html(response)
        for marker in UNESCAPED:
            if marker in body:
                self.problems.append(f"{where}: unescaped {marker!r} in the page")
        if status == 400 and expect_message and body and not any(
                m in body for m in ('class="error', 'class="errorlist', 'role="alert"', "messages")):
            self.problems.append(f"{where}: 400 without a visible message")
        return response

    @staticmethod
    def html(response):
        if "text/html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
            return ""
        return response.content.decode("utf-8", "replace")

    def post(self, url, data, where, **extra):
        return self.check(self.client.post(url, data, **extra), where)

    def get(self, url, where, **extra):
        return self.check(self.client.get(url, **extra), where)

    def show_again(self, urls, where):
        for url in urls:
            response = self.client.get(url)
            self.check(response, f"{where} → GET {url}")

    def done(self, surface):
        print(f"PROBED {surface}: {self.tried} requests")
        assert self.problems == [], "\n".join(self.problems)
        assert self.tried > 0


# --- a small world: one city, one county plan, one bureau, one project ------------------------
# Built with factories rather than the five real plans so that the several thousand requests
# below stay quick; the real plans' pages are covered by the header and permission tests.


@pytest.fixture
def world(db):
    from projects.models import Box, Project, Quantity

    city = RegionFactory(code="149900", name="测试市", level=Region.Level.CITY)
    county = RegionFactory(code="149901", name="测试县", level=Region.Level.COUNTY, parent=city)
    forestry = BureauFactory(region=county, name="林业局")
    plan = PlanFactory(code=PLAN, region=county, base_year=2020, milestone_years=[2025], midterm_year=2023)
    forest = IndicatorFactory(plan=plan, key="1", number="1", name="森林覆盖率", unit="%", baseline_raw="36.07",
                              target="40", bureaus=[forestry], category="生态保护")
    energy = IndicatorFactory(plan=plan, key="2", number="2", name="单位地区生产总值能耗降低", unit="%", baseline_raw="—",
                              target="完成市下达指标", bureaus=[forestry], category="绿色发展")
    open_period(plan, YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    open_period(plan, 2024, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    box = Box.objects.create(plan=plan, number="1", title="生态修复工程", text="专栏原文")
    project = Project.objects.create(plan=plan, box=box, name="人工造林", content="人工造林1万亩", bureau=forestry,
                                     start_year=2021, end_year=2025)
    Quantity.objects.create(project=project, measure="人工造林", amount=1, unit="万亩")
    return SimpleNamespace(
        city=city, county=county, forestry=forestry, plan=plan, forest=forest, energy=energy, project=project,
        staff=user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="hostile-staff"),
        reviewer=user_with_role(Role.REVIEWER, region=city, username="hostile-reviewer"),
        admin=user_with_role(Role.ADMIN, username="hostile-admin"),
    )


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def submitted(indicator, raw="36.5"):
    value, _ = IndicatorValue.objects.update_or_create(indicator=indicator, year=YEAR, defaults=dict(
        raw=raw, number=raw, state=workflow.SUBMITTED, submitted_at=timezone.now()))
    return value


# --- forms -----------------------------------------------------------------------------------

ENTRY_FIELDS = ["raw", "judgement", "source", "note", "explanation", "rate_mode", "version", "action"]


def entry_url(year=YEAR):
    return reverse("entry_form", args=[PLAN, year])


def test_the_entry_form_survives_every_payload_in_every_field(client, world):
    client.force_login(world.staff)
    probe = Probe(client)
    pk = world.forest.pk
    for field in ENTRY_FIELDS:
        for name, payload in PAYLOADS:
            value = IndicatorValue.objects.filter(indicator=world.forest, year=YEAR).first()
            data = {"action": "save", f"i{pk}-raw": "36.5", f"i{pk}-version": str(value.version if value else 0)}
            data["action" if field == "action" else f"i{pk}-{field}"] = payload
            response = probe.post(entry_url(), data, f"entry form {field}={name}")
            if response.status_code == 302:
                value = IndicatorValue.objects.get(indicator=world.forest, year=YEAR)
                probe.show_again([entry_url(), reverse("value_detail", args=[value.pk])], f"entry form {field}={name}")
                if value.state != workflow.DRAFT:  # a payload in `action` must never submit
                    probe.problems.append(f"entry form action={name} changed the state to {value.state}")
    probe.done("entry form")


def test_oversized_notes_are_refused_with_a_message_not_stored(client, world):
    client.force_login(world.staff)
    pk = world.forest.pk
    response = client.post(entry_url(), {"action": "save", f"i{pk}-raw": "36.5", f"i{pk}-note": "长" * 2001})
    assert response.status_code == 400 and "备注过长" in response.content.decode()
    response = client.post(entry_url(), {"action": "save", f"i{pk}-raw": "36.5", f"i{pk}-rate_mode": "x" * 13})
    assert response.status_code == 400 and "降低率口径" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=world.forest, year=YEAR).exists()


def test_script_bearing_values_are_stored_as_typed_and_shown_escaped(client, world):
    client.force_login(world.staff)
    pk = world.forest.pk
    response = client.post(entry_url(), {"action": "save", f"i{pk}-raw": "36.5", f"i{pk}-source": IMG, f"i{pk}-note": SCRIPT})
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=world.forest, year=YEAR)
    assert (value.source, value.note) == (IMG, SCRIPT)  # safe storage: kept exactly, as data
    html = client.get(reverse("value_detail", args=[value.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and SCRIPT not in html


def with_cells(wb, cells):
    """Save `wb` with {(sheet, row, column): text} written in. Text openpyxl will not write (control
    characters, more than Excel's 32,767 characters) is put into the XML afterwards, as a crafted
    file would carry it; a NUL becomes OOXML's escape _x0000_, the only way a cell can hold one."""
    markers = {}
    for index, ((sheet, row, column), text) in enumerate(cells.items()):
        cell = wb[sheet].cell(row=row, column=column)
        text = text.replace("\x00", "_x0000_")
        if len(text) > 32767 or any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
            markers[f"HOSTILEMARKER{index}X"] = text
            text = f"HOSTILEMARKER{index}X"
        cell.value = text
        cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    if not markers:
        return out.getvalue()
    from xml.sax.saxutils import escape

    crafted = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xml"):
                for marker, text in markers.items():
                    data = data.replace(marker.encode(), escape(text).encode("utf-8", "surrogatepass"))
            target.writestr(info, data)
    return crafted.getvalue()


def entry_workbook(client, forest, cells):
    """The downloaded form with the forest row's cells replaced: {column number: text}."""
    data = client.get(reverse("entry_download", args=[PLAN, YEAR])).content
    wb = load_workbook(io.BytesIO(data))
    ws = wb["年度填报"]
    row = next(r[0].row for r in ws.iter_rows(min_row=4) if r[0].value == forest.key)
    return with_cells(wb, {("年度填报", row, column): text for column, text in cells.items()})


def test_the_entry_upload_survives_every_payload_in_every_cell(client, world):
    client.force_login(world.staff)
    probe = Probe(client)
    url = reverse("entry_upload", args=[PLAN, YEAR])
    columns = {"行键": 1, "本年数值": 8, "完成情况": 9, "数据来源": 10, "备注": 11, "变化说明": 12, "版本": 13}
    for label, column in columns.items():
        for name, payload in PAYLOADS:
            content = entry_workbook(client, world.forest, {8: "36.5", column: payload})
            response = probe.post(url, {"file": SimpleUploadedFile("填报表.xlsx", content), "action": "save"},
                                  f"entry upload {label}={name}")
            if response.status_code == 302:
                probe.show_again([entry_url()], f"entry upload {label}={name}")
    probe.done("entry upload")


def plan_workbook(client, changes):
    """The plan's own export with cells replaced: {(sheet, row, column): text}."""
    wb = load_workbook(io.BytesIO(client.get(reverse("plan_export", args=[PLAN])).content))
    return with_cells(wb, changes)


def test_the_plan_import_survives_every_payload_in_every_column(client, world):
    client.force_login(world.admin)
    probe = Probe(client)
    exported = load_workbook(io.BytesIO(client.get(reverse("plan_export", args=[PLAN])).content))
    headers = [c.value for c in exported["指标体系"][3]]
    info = exported["规划信息"]
    info_rows = {info.cell(row=r, column=1).value: r for r in range(1, info.max_row + 1)}
    targets = [("指标体系", 4, headers.index(h) + 1, h) for h in headers if h]
    targets += [("规划信息", info_rows[label], 2, label) for label in ("规划编码", "区划代码", "规划名称", "印发单位", "印发日期",
                                                                    "基期年", "目标年", "中期评估年", "来源文件", "上级规划", "指标表标题")]
    for sheet, row, column, label in targets:
        for name, payload in PAYLOADS:
            content = plan_workbook(client, {(sheet, row, column): payload})
            response = probe.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.xlsx", content)},
                                  f"plan import {sheet}/{label}={name}")
            if response.status_code == 302:
                probe.show_again([response["Location"]], f"plan import {sheet}/{label}={name}")
    probe.done("plan import")


def test_assigned_targets_survive_every_payload_in_every_field(client, world):
    target = IndicatorTarget.objects.assignable_by(world.reviewer).get(indicator=world.energy)
    client.force_login(world.reviewer)
    probe = Probe(client)
    url = reverse("assigned_targets", args=[world.city.code])
    pk = target.pk
    for field in ("value", "document", "date", "version"):
        for name, payload in PAYLOADS:
            current = target.assignments.first()
            data = {f"t{pk}-value": "5", f"t{pk}-document": "测政发〔2022〕1号", f"t{pk}-date": "2022-03-01",
                    f"t{pk}-version": str(current.version if current else 0)}
            data[f"t{pk}-{field}"] = payload
            response = probe.post(url, data, f"assigned targets {field}={name}")
            if response.status_code == 302:
                probe.show_again([url, world.energy.get_absolute_url()], f"assigned targets {field}={name}")
    probe.done("assigned targets")


def test_review_actions_survive_every_payload_in_every_field(client, world):
    client.force_login(world.reviewer)
    probe = Probe(client)
    value = submitted(world.forest)
    for field in ("action", "reason", "version", "next"):
        for name, payload in PAYLOADS:
            IndicatorValue.objects.filter(pk=value.pk).update(state=workflow.SUBMITTED)
            value.refresh_from_db()
            data = {"action": "return", "reason": "请核实", "version": str(value.version)}
            data[field] = payload
            probe.post(reverse("value_review", args=[value.pk]), data, f"value review {field}={name}")
        # the page lists every step with its reason: one look shows all that was stored
        probe.show_again([reverse("value_detail", args=[value.pk])], f"value review {field}")
    for field in ("judgement", "reason", "version"):
        for name, payload in PAYLOADS:
            value.refresh_from_db()
            data = {"judgement": "done", "reason": "已现场核查", "version": str(value.version)}
            data[field] = payload
            response = probe.post(reverse("value_judgement", args=[value.pk]), data, f"value judgement {field}={name}")
            if field == "reason" and response.status_code == 302:
                probe.show_again([reverse("value_detail", args=[value.pk])], f"value judgement {field}={name}")
    for field in ("select", "next"):
        for name, payload in PAYLOADS:
            IndicatorValue.objects.filter(pk=value.pk).update(state=workflow.SUBMITTED)
            data = {"select": [str(value.pk)], "next": "/review/"}
            data[field] = [payload] if field == "select" else payload
            response = probe.post(reverse("approve_selected"), data, f"approve selected {field}={name}")
            if response.status_code == 302 and offsite(response["Location"]):
                probe.problems.append(f"approve selected next={name}: open redirect to {response['Location'][:80]}")
    probe.show_again([reverse("review_queue")], "review queue")
    probe.done("review actions")


def test_reports_and_periods_survive_every_payload(client, world):
    client.force_login(world.reviewer)
    probe = Probe(client)
    reports = reverse("report_list", args=[PLAN])
    for field in ("kind", "refreeze"):
        for name, payload in PAYLOADS:
            data = {"kind": "midterm", "refreeze": ""}
            data[field] = payload
            probe.post(reports, data, f"report freeze {field}={name}")
    report = EvaluationReport.objects.get(plan=world.plan)
    for name, payload in PAYLOADS:
        for key in ("narrative-总体", f"narrative-{payload[:200]}"):
            probe.post(reverse("report_regenerate", args=[PLAN, report.pk]), {key: payload}, f"report narrative {key[:20]}={name}")
    probe.show_again([reverse("report_detail", args=[PLAN, report.pk]), reports], "report pages")
    periods = reverse("period_list", args=[PLAN])
    for field in ("year", "deadline", "kept_open", "closed"):
        for name, payload in PAYLOADS:
            data = {"year": str(YEAR), "deadline": "2024-03-31", "kept_open": "on"}
            data[field] = payload
            probe.post(periods, data, f"period {field}={name}")
    probe.show_again([periods], "period list")
    probe.done("reports and periods")


def test_project_progress_and_its_review_survive_every_payload(client, world):
    from projects.models import ProjectProgress

    project = world.project
    quantity = project.quantities.get()
    client.force_login(world.staff)
    probe = Probe(client)
    url = f"/projects/{project.pk}/progress/2024/"
    for field in ("status", "investment_done", "narrative", "version", f"q_{quantity.pk}", "action"):
        for name, payload in PAYLOADS:
            report = ProjectProgress.objects.filter(project=project, year=2024).first()
            data = {"status": "in_progress", "investment_done": "120", "narrative": "已完成造林4000亩",
                    f"q_{quantity.pk}": "0.4", "action": "save", "version": str(report.version) if report else ""}
            data[field] = payload
            response = probe.post(url, data, f"project progress {field}={name}")
            if response.status_code == 302:
                probe.show_again([f"/projects/{project.pk}/"], f"project progress {field}={name}")
    report = ProjectProgress.objects.get(project=project, year=2024)
    client.force_login(world.reviewer)
    for field in ("action", "reason", "version"):
        for name, payload in PAYLOADS:
            ProjectProgress.objects.filter(pk=report.pk).update(state=workflow.SUBMITTED)
            report.refresh_from_db()
            data = {"action": "return", "reason": "请补充", "version": str(report.version)}
            data[field] = payload
            probe.post(f"/projects/progress/{report.pk}/review/", data, f"progress review {field}={name}")
    probe.show_again([f"/projects/{project.pk}/"], "project page")
    probe.done("project progress")


def test_query_strings_of_every_page_survive_every_payload(client, world):
    client.force_login(world.admin)
    submitted(world.forest)
    probe = Probe(client)
    pages = {
        f"/plans/{PLAN}/evaluation/": ["year", "status", "category", "bureau", "format"],
        f"/plans/{PLAN}/dashboard/": ["year"],
        f"/plans/{PLAN}/indicators/{world.forest.key}/": ["year"],
        f"/regions/{world.city.code}/compare/": ["year", "measure"],
        f"/regions/{world.city.code}/summary/": ["year"],
        "/review/": ["region", "bureau", "year", "state", "page", "sort"],
        "/projects/": ["plan", "county", "status", "bureau", "q", "page", "sort"],
        "/projects/timeline/": ["plan", "county", "box", "status", "progress", "bureau", "year_from", "year_to", "q"],
        "/projects/export.xlsx": ["plan", "q"],
        f"/projects/{world.project.pk}/": ["year"],
        f"/entry/{PLAN}/{YEAR}/form.xlsx": ["x"],
        "/api/v1/plans/": ["format"],
        f"/api/v1/plans/{PLAN}/evaluation": ["year"],
        "/accounts/login/": ["next"],
        "/notifications/": ["page"],
    }
    for url, params in pages.items():
        for param in params:
            for name, payload in GET_PAYLOADS:
                probe.get(url, f"GET {url}?{param}={name}", data={param: payload})
    probe.done("query strings")


def test_path_segments_survive_every_payload(client, world):
    client.force_login(world.admin)
    probe = Probe(client)
    templates = ["/plans/{}/", "/plans/{}/evaluation/", "/plans/{}/dashboard/", "/plans/{}/reports/", "/plans/{}/periods/",
                 "/plans/{}/export.xlsx", f"/plans/{PLAN}/indicators/{{}}/", "/regions/{}/compare/", "/regions/{}/summary/",
                 "/regions/{}/assigned-targets/", "/entry/{}/2023/", "/api/v1/plans/{}/", "/api/v1/plans/{}/evaluation",
                 "/api/v1/plans/{}/projects/", f"/plans/{PLAN}/reports/1/report.{{}}"]
    for template in templates:
        for name, payload in GET_PAYLOADS:
            segment = quote(payload.replace("/", "_")[:4096], safe="")
            response = client.get(template.format(segment))
            probe.check(response, f"GET {template} with {name}", expect_message=False)
            if response.status_code not in (400, 404):
                probe.problems.append(f"GET {template} with {name}: {response.status_code}, expected 404 or 400")
    probe.done("path segments")


def test_login_language_and_token_forms_survive_every_payload(client, world):
    probe = Probe(client)
    for field in ("username", "password", "next"):
        for index, (name, payload) in enumerate(PAYLOADS):
            data = {"username": "nobody", "password": "wrong-password-1", "next": "/"}
            data[field] = payload
            response = probe.post("/accounts/login/", data, f"login {field}={name}", REMOTE_ADDR=f"198.51.100.{index + 1}")
            if response.status_code == 302 and offsite(response["Location"]):
                probe.problems.append(f"login next={name}: open redirect to {response['Location'][:80]}")
    for field in ("language", "next"):
        for name, payload in PAYLOADS:
            data = {"language": "en", "next": "/"}
            data[field] = payload
            response = probe.post("/i18n/setlang/", data, f"set language {field}={name}")
            if response.status_code == 302 and offsite(response["Location"]):
                probe.problems.append(f"set language next={name}: open redirect to {response['Location'][:80]}")
    client.force_login(world.admin)
    for name, payload in PAYLOADS:
        probe.post("/account/token/", {"action": payload}, f"token action={name}")
    probe.done("login, language, token")


# --- API -------------------------------------------------------------------------------------


API_FIELDS = ["number", "year", "value", "judgement", "source", "note", "explanation", "rate_mode", "version", "submit"]


def test_the_write_api_survives_every_payload_in_every_field(client, world):
    token = ApiToken.issue(world.staff)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    probe = Probe(client)
    url = f"/api/v1/plans/{PLAN}/values/"
    for field in API_FIELDS:
        for name, payload in PAYLOADS:
            item = {"number": "1", "year": YEAR, "value": "36.5", "source": "统计年鉴"}
            item[field] = payload
            response = client.post(url, [item], content_type="application/json", **auth)
            probe.check(response, f"API values {field}={name}")
            if response.status_code == 400 and "errors" not in response.json():
                probe.problems.append(f"API values {field}={name}: 400 without an errors list")
    for body_name, body in [("object", {"number": "1"}), ("empty", []), ("scalar", "x"), ("nested", [[{"a": 1}]]),
                            ("501 items", [{"number": "1", "year": YEAR}] * 501), ("null", None)]:
        probe.check(client.post(url, body, content_type="application/json", **auth), f"API values body={body_name}")
    for raw_name, raw in [("malformed", b"{[}"), ("nul-escape", b'[{"number": "1\\u0000"}]'), ("latin1", b"\xff\xfe[]"),
                          ("10MB", b'[{"number": "' + b"9" * TEN_MB + b'"}]')]:
        probe.check(client.generic("POST", url, raw, content_type="application/json", **auth), f"API values raw={raw_name}")
    value = submitted(world.forest)
    reviewer_token = ApiToken.issue(world.reviewer)
    for action in ("approve", "return", "reopen"):
        for field in ("reason", "version"):
            for name, payload in PAYLOADS:
                IndicatorValue.objects.filter(pk=value.pk).update(state=workflow.SUBMITTED)
                response = client.post(f"/api/v1/values/{value.pk}/{action}", {field: payload}, content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Token {reviewer_token.key}")
                probe.check(response, f"API {action} {field}={name}")
    probe.done("API")


# --- NUL characters: a clear 400, never psycopg's ValueError -----------------------------------


def test_nul_in_a_form_is_refused_with_a_message(client, world):
    client.force_login(world.staff)
    pk = world.forest.pk
    response = client.post(entry_url(), {"action": "save", f"i{pk}-raw": "36.5", f"i{pk}-note": "备注\x00"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=world.forest).exists()


def test_nul_in_the_api_is_refused_with_an_errors_list(client, world):
    token = ApiToken.issue(world.staff)
    response = client.post(f"/api/v1/plans/{PLAN}/values/", [{"number": "1", "year": YEAR, "value": "1", "note": "a\x00b"}],
                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400
    assert "空字符" in response.json()["errors"][0]["message"]


def test_nul_in_a_path_or_query_string_is_refused(client, world):
    client.force_login(world.admin)
    assert client.get("/plans/%00/").status_code == 400
    assert client.get(f"/plans/{PLAN}/evaluation/", {"category": "\x00"}).status_code == 400


# --- uploads -----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def xlsx_bytes():
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def zip_bomb(declared_mb=120):
    """A real OOXML-looking zip whose one member inflates to `declared_mb` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(declared_mb):
                member.write(chunk)
    return out.getvalue()


def upload_evidence(client, world, name, content):
    pk = world.forest.pk
    return client.post(entry_url(), {
        "action": "save", f"i{pk}-raw": "36.5",
        f"i{pk}-evidence": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    })


@pytest.mark.parametrize(("name", "content", "why"), [
    ("报告.pdf", b"MZ\x90\x00 this is an exe", "文件类型不受支持"),
    ("photo.png", b"<html><script>alert(1)</script></html>", "文件类型不受支持"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "文件类型不受支持"),
    ("anim.gif", b"GIF89a" + b"\x00" * 32, "文件类型不受支持"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 .xlsx"),
    ("other.xlsx", "plain-zip", "不是有效的 .xlsx"),  # a valid zip that is not a workbook
    ("bomb.xlsx", "bomb", "压缩炸弹"),
])
def test_evidence_is_checked_by_content_not_by_name(client, world, name, content, why):
    if content == "plain-zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "hello")
        content = out.getvalue()
    elif content == "bomb":
        content = zip_bomb()
    client.force_login(world.staff)
    response = upload_evidence(client, world, name, content)
    assert response.status_code == 400
    assert why in response.content.decode()
    assert not Evidence.objects.exists() and not IndicatorValue.objects.filter(indicator=world.forest).exists()


def test_evidence_over_the_size_limit_is_refused(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(world.staff)
    response = upload_evidence(client, world, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400 and "过大" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("content", [PDF, PNG, JPEG, "xlsx"])
def test_real_files_are_accepted_under_a_random_name_outside_static(client, world, content):
    content = xlsx_bytes() if content == "xlsx" else content
    client.force_login(world.staff)
    hostile_name = "../../static/js/\u202echarts<script>.js\x7f.pdf"
    assert upload_evidence(client, world, hostile_name, content).status_code == 302
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert stored.is_relative_to(media) and stored.read_bytes() == content
    for static_dir in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not stored.is_relative_to(Path(static_dir).resolve())
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name
    assert "\u202e" not in evidence.original_name and "\x7f" not in evidence.original_name
    assert "charts" not in stored.name and stored.suffix in (".pdf", ".png", ".jpg", ".xlsx")
    # nothing serves MEDIA_ROOT directly, whatever MEDIA_URL says
    for prefix in ("/media/", settings.MEDIA_URL or "/media/"):
        assert client.get(f"{prefix}{evidence.file.name}").status_code == 404


def test_evidence_is_served_only_through_the_permission_checked_view(client, world):
    client.force_login(world.staff)
    upload_evidence(client, world, "<img src=x onerror=alert(1)>.pdf", PDF)
    evidence = Evidence.objects.get()
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    html = client.get(reverse("value_detail", args=[evidence.object_id])).content.decode()
    assert "<img src=x onerror" not in html
    outsider = user_with_role(Role.BUREAU_STAFF, bureau=BureauFactory(region=RegionFactory(code="149950"), name="水利局"))
    client.force_login(outsider)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 302
    assert client.get(f"{settings.MEDIA_URL or '/media/'}{evidence.file.name}").status_code == 404


@pytest.mark.parametrize(("content", "why"), [
    (b"not a zip at all", "不是有效的 .xlsx"),
    (b"PK\x03\x04garbage", "损坏"),
    ("bomb", "压缩炸弹"),
    ("big", "过大"),
    ("bad-xml", "无法读取"),
])
def test_plan_and_entry_imports_refuse_what_is_not_a_safe_workbook(client, world, content, why):
    if content == "bad-xml":  # a NUL character reference: not well-formed XML
        wb = Workbook()
        wb.active["A1"] = "MARKER"
        content = with_cells(wb, {})
        content = with_cells(load_workbook(io.BytesIO(content)), {})
        source = zipfile.ZipFile(io.BytesIO(content))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info, source.read(info.filename).replace(b"MARKER", b"&#0;"))
        content = out.getvalue()
    content = {"bomb": zip_bomb(60), "big": b"PK\x03\x04" + b"0" * (settings.PLAN_IMPORT_MAX_BYTES + 1)}.get(content, content)
    client.force_login(world.admin)
    response = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.xlsx", content)})
    text = response.content.decode()
    assert response.status_code == 400 and (why in text or "不能超过 5 MB" in text or "工作簿必须包含" in text)
    client.force_login(world.staff)
    response = client.post(reverse("entry_upload", args=[PLAN, YEAR]), {"file": SimpleUploadedFile("form.xlsx", content)})
    text = response.content.decode()
    assert response.status_code == 400 and (why in text or "工作表" in text)


# --- exports: formula injection ------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def assert_neutral(rows, where):
    """No cell is a formula, and no text cell starts with a character that makes one."""
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", (where, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (where, cell.coordinate, cell.value)


def test_the_evaluation_export_neutralises_formulas(client, world):
    from indicators.results.services import recompute

    for formula in FORMULAS:
        Indicator.objects.filter(pk=world.forest.pk).update(name=formula, unit=formula[:30], category=formula, baseline_raw=formula,
                                                            number=formula[:20])
        IndicatorValue.objects.update_or_create(indicator=world.forest, year=2022, defaults={"raw": formula, "state": workflow.APPROVED})
        recompute(plans=[world.plan])
        client.force_login(world.admin)
        response = client.get(reverse("plan_evaluation", args=[PLAN]), {"format": "xlsx", "year": "2022"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert_neutral(sheet.iter_rows(), f"evaluation export {formula!r}")
        assert "'" + formula in {row[3].value for row in sheet.iter_rows(min_row=3)}  # kept, with the quote in front


def test_the_entry_form_download_neutralises_formulas_and_reads_them_back(client, world):
    client.force_login(world.staff)
    for index, formula in enumerate(FORMULAS):
        raw = "-2" if index == 2 else "36.5"
        IndicatorValue.objects.update_or_create(indicator=world.forest, year=YEAR, defaults={
            "raw": raw, "number": raw, "source": formula, "note": formula, "explanation": formula})
        content = client.get(reverse("entry_download", args=[PLAN, YEAR])).content
        sheet = load_workbook(io.BytesIO(content))["年度填报"]
        assert_neutral(sheet.iter_rows(min_row=4), f"entry download {formula!r}")
        # uploading the untouched download saves the same texts, without the quote
        response = client.post(reverse("entry_upload", args=[PLAN, YEAR]),
                               {"file": SimpleUploadedFile("f.xlsx", content), "action": "save"})
        assert response.status_code == 302, response.content.decode()[:2000]
        value = IndicatorValue.objects.get(indicator=world.forest, year=YEAR)
        assert value.note == formula.strip() and value.source == formula.strip()[:200] and value.raw == raw


def test_the_project_list_export_neutralises_formulas(client, world):
    from projects.models import Project

    client.force_login(world.admin)
    for formula in FORMULAS:
        Project.objects.filter(pk=world.project.pk).update(name=formula, content=formula, group=formula, responsible=formula)
        sheet = load_workbook(io.BytesIO(client.get("/projects/export.xlsx", {"plan": PLAN}).content)).active
        assert_neutral(sheet.iter_rows(), f"project export {formula!r}")
