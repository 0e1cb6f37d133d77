"""下达目标: a city reviewer records each county's number for each target year and each sub-row of
a shared target, with its document and date, on the page or from an .xlsx for all counties;
per-row Chinese errors with single brackets, nothing half-saved, history kept; the evaluation
of a sub-row uses its own number."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from indicators.assignments.selectors import assignable_rows, assignment_for, target_text
from indicators.models import AssignedTarget, Region
from indicators.results.services import indicator_facts

from tests.factories import user_with_role

JIANG, WENSHUI = "140826-2021-2025", "141121-2024-2035"
pytestmark = pytest.mark.django_db


@pytest.fixture
def yuncheng(real_plans):
    return Region.objects.get(code="140800")


@pytest.fixture
def city_reviewer(yuncheng):
    return user_with_role(Role.REVIEWER, region=yuncheng, username="yuncheng-review")


@pytest.fixture
def pm25(real_plans):
    return real_plans[JIANG].indicators.get(name="细颗粒物（PM2.5）浓度")


@pytest.fixture
def cod(real_plans):
    """绛县 15 化学需氧量排放总量减少 with 15.1–15.4 sharing its 完成市下达指标 cell."""
    return real_plans[JIANG].indicators.get(key="15")


def post_rows(client, region, data):
    return client.post(reverse("assigned_targets", args=[region.code]), data)


def test_the_page_has_a_row_per_county_target_year_and_sub_row(client, yuncheng, city_reviewer, pm25, cod):
    rows = assignable_rows(city_reviewer, yuncheng)
    keys = {row.key for row in rows}
    assert f"t{pm25.targets.get().pk}" in keys
    shared = cod.targets.get()
    assert {f"t{shared.pk}"} | {f"t{shared.pk}-i{c.pk}" for c in cod.children.all()} <= keys
    client.force_login(city_reviewer)
    html = client.get(reverse("assigned_targets", args=[yuncheng.code])).content.decode()
    assert "氨氮排放总量减少" in html and "细颗粒物（PM2.5）浓度" in html


def test_wenshui_has_a_row_for_2027_and_for_2035(real_plans):
    luliang = Region.objects.get(code="141100")
    reviewer = user_with_role(Role.REVIEWER, region=luliang)
    years = {row.target.year for row in assignable_rows(reviewer, luliang)
             if row.target.indicator.plan.code == WENSHUI}
    assert years == {2027, 2035}


def test_a_city_reviewer_assigns_40_with_document_and_date_and_the_target_reads_it(client, yuncheng, city_reviewer, pm25):
    target = pm25.targets.get()
    client.force_login(city_reviewer)
    response = post_rows(client, yuncheng, {f"t{target.pk}-value": "40", f"t{target.pk}-document": "运环发〔2022〕8号",
                                            f"t{target.pk}-date": "2022-03-01", f"t{target.pk}-version": "0"})
    assert response.status_code == 302
    assignment = AssignedTarget.objects.get(target=target)
    assert (assignment.value, assignment.document, str(assignment.document_date), assignment.year) == (
        Decimal("40"), "运环发〔2022〕8号", "2022-03-01", 2025)
    assert target_text(target, pm25) == "完成市下达指标（下达 40，运环发〔2022〕8号）"
    assert assignment.history.first().history_user == city_reviewer


def test_each_pollutant_gets_its_own_number_and_its_evaluation_uses_it(client, yuncheng, city_reviewer, cod):
    target = cod.targets.get()
    ammonia = cod.children.get(name="氨氮排放总量减少")
    client.force_login(city_reviewer)
    response = post_rows(client, yuncheng, {
        f"t{target.pk}-value": "10", f"t{target.pk}-document": "运环发〔2022〕9号", f"t{target.pk}-version": "0",
        f"t{target.pk}-i{ammonia.pk}-value": "8", f"t{target.pk}-i{ammonia.pk}-document": "运环发〔2022〕9号",
        f"t{target.pk}-i{ammonia.pk}-version": "0"})
    assert response.status_code == 302
    assert AssignedTarget.objects.filter(target=target).count() == 2
    target = type(target).objects.prefetch_related("assignments").get(pk=target.pk)
    assert assignment_for(target, ammonia).value == Decimal("8")
    assert assignment_for(target, cod).value == Decimal("10")
    cod_facts = indicator_facts(cod, 2025, [])
    ammonia_facts = indicator_facts(ammonia, 2025, [], target_source=cod)
    assert (cod_facts.assigned_value, ammonia_facts.assigned_value) == (Decimal("10"), Decimal("8"))


def test_a_bad_number_is_refused_naming_the_row_with_single_brackets_and_nothing_is_saved(client, yuncheng, city_reviewer,
                                                                                          pm25, cod):
    good, bad = pm25.targets.get(), cod.targets.get()
    client.force_login(city_reviewer)
    response = post_rows(client, yuncheng, {
        f"t{good.pk}-value": "40", f"t{good.pk}-document": "运环发〔2022〕8号", f"t{good.pk}-version": "0",
        f"t{bad.pk}-value": "十", f"t{bad.pk}-document": "运环发〔2022〕9号", f"t{bad.pk}-version": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "绛县「化学需氧量排放总量减少」2025 年的下达数值：「十」不是有效的数字。" in html
    assert "「「" not in html and "」」" not in html
    assert not AssignedTarget.objects.exists()


def test_a_number_without_a_document_is_refused(client, yuncheng, city_reviewer, pm25):
    target = pm25.targets.get()
    client.force_login(city_reviewer)
    response = post_rows(client, yuncheng, {f"t{target.pk}-value": "40", f"t{target.pk}-version": "0"})
    assert response.status_code == 400 and "请填写下达文件（文号）" in response.content.decode()


def _filled(client, region, fill):
    workbook = load_workbook(io.BytesIO(client.get(reverse("assigned_targets_download", args=[region.code])).content))
    sheet = workbook["下达目标"]
    for row in sheet.iter_rows(min_row=4):
        fill(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "下达目标.xlsx"
    return out


def test_an_xlsx_for_all_counties_is_downloaded_filled_and_uploaded(client, yuncheng, city_reviewer, pm25, cod):
    client.force_login(city_reviewer)
    ammonia = cod.children.get(name="氨氮排放总量减少")
    wanted = {f"t{pm25.targets.get().pk}": 40, f"t{cod.targets.get().pk}-i{ammonia.pk}": 8.5}

    def fill(row):
        if row[0].value in wanted:
            row[7].value, row[8].value, row[9].value = wanted[row[0].value], "运环发〔2022〕8号", "2022-03-01"

    response = client.post(reverse("assigned_targets", args=[yuncheng.code]), {"file": _filled(client, yuncheng, fill)})
    assert response.status_code == 302
    saved = {(a.target.indicator_id, a.indicator_id): a.value for a in AssignedTarget.objects.select_related("target")}
    assert saved == {(pm25.pk, None): Decimal("40"), (cod.pk, ammonia.pk): Decimal("8.5")}
    again = load_workbook(io.BytesIO(client.get(reverse("assigned_targets_download", args=[yuncheng.code])).content))
    numbers = [r[7].value for r in again["下达目标"].iter_rows(min_row=4) if r[0].value in wanted]
    assert sorted(numbers) == [8.5, 40]  # numbers as numbers


def test_an_uploaded_sheet_with_one_bad_row_names_the_sheet_row_and_saves_nothing(client, yuncheng, city_reviewer, pm25, cod):
    client.force_login(city_reviewer)
    good, bad = f"t{pm25.targets.get().pk}", f"t{cod.targets.get().pk}"
    rows = {}

    def fill(row):
        if row[0].value in (good, bad):
            rows[row[0].value] = row[0].row
            row[7].value = 40 if row[0].value == good else "abc"
            row[8].value = "运环发〔2022〕8号"

    response = client.post(reverse("assigned_targets", args=[yuncheng.code]), {"file": _filled(client, yuncheng, fill)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"第 {rows[bad]} 行：绛县「化学需氧量排放总量减少」2025 年的下达数值：「abc」不是有效的数字。" in html
    assert not AssignedTarget.objects.exists()


def test_a_county_reviewer_cannot_assign_its_own_targets(client, real_plans, pm25):
    county = user_with_role(Role.REVIEWER, region=real_plans[JIANG].region)
    assert assignable_rows(county, real_plans[JIANG].region) == []


def test_the_page_runs_the_same_number_of_queries_with_one_assignment_or_many(client, yuncheng, city_reviewer, pm25,
                                                                              django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("assigned_targets", args=[yuncheng.code])
    client.force_login(city_reviewer)
    AssignedTarget.objects.create(target=pm25.targets.get(), value=40, year=2025, document="一号", recorded_by=city_reviewer)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    few = len(queries)
    for row in assignable_rows(city_reviewer, yuncheng):
        if row.assignment is None:
            AssignedTarget.objects.create(target=row.target, indicator=row.indicator, value=5, year=row.target.year,
                                          document="二号", recorded_by=city_reviewer)
    assert AssignedTarget.objects.count() > 10
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
