"""Every .xlsx and .docx the site writes, generated on the real plans with some values: figures
are numbers (not text) in .xlsx cells, with the number format of their precision (the decimals
they were typed or printed with; completion shares as 0.0%), never -0; the .docx prints no
3.500000-like figure and no -0. Exports: the plan table, a bureau's entry form, the evaluation,
the assigned targets, the project list and a frozen report (.docx and .xlsx)."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.models import Role
from core.figures import number_format, put_figure, shown_text, xlsx_figure
from indicators.models import AssignedTarget, Bureau, Indicator, Region
from projects.models import Project, ProjectProgress, QuantityProgress, Status
from reporting import workflow
from reporting.submission import open_period

from tests.report_support import download_report, freeze_final_report
from tests.factories import user_with_role
from tests.test_projects_support import _real_projects_committed, real_projects  # noqa: F401
from tests.test_report_files import _approved

JIANG = "140826-2021-2025"
pytestmark = pytest.mark.django_db
PLAIN_FIGURE = re.compile(r"^-?\d+(\.\d+)?$")
LONG_DECIMALS = re.compile(r"\d\.\d{4,}")
NEGATIVE_ZERO = re.compile(r"(?<![\d.])[-−]0(?:\.0+)?(?![\d.])")


# ----- the one helper ---------------------------------------------------------------------------
@pytest.mark.parametrize("value, places, cell", [
    ("36.70", None, (36.7, "0.00")), ("40", None, (40, "0")), (Decimal("150.500000"), None, (150.5, "0.0")),
    (Decimal("1000.0000"), None, (1000, "0")), ("-0.00", None, (0.0, "0.00")), (Decimal("-0.0004"), 3, (0.0, "0.000")),
    (0.857142, 3, (0.857, "0.000")), ("≥40", None, ("≥40", None)), ("Ⅲ类", None, ("Ⅲ类", None)), ("012", None, ("012", None)),
    (None, None, (None, None)),
])
def test_a_figure_goes_into_a_cell_as_a_number_with_the_format_of_its_precision(value, places, cell):
    number, fmt = xlsx_figure(value, places)
    assert (number, fmt) == cell and type(number) is type(cell[0])
    if isinstance(number, float):
        assert str(number) != "-0.0"


def test_a_figure_reads_back_as_it_was_typed():
    for typed in ("36.70", "40", "0.5", "6.0", "-3.25"):
        assert shown_text(*xlsx_figure(typed)) == typed
    assert shown_text(36.7, "General") is None and shown_text("36.7", "0.00") is None
    assert number_format(0) == "0" and number_format(2) == "0.00"


def test_put_figure_types_text_as_text_through_the_callers_guard():
    class Cell:
        value, number_format, data_type = None, "General", "n"

    number, text = put_figure(Cell(), "37.20"), put_figure(Cell(), "=1+1", text=lambda t: "'" + t)
    assert (number.value, number.number_format) == (37.2, "0.00")
    assert (text.value, text.data_type, text.number_format) == ("'=1+1", "s", "General")


# ----- the exports on the real plans ----------------------------------------------------------
@pytest.fixture
def world(real_projects, settings, tmp_path):
    """绛县 with approved 2022–2025 values (37.20 typed with two decimals), an entry period, a
    project with investment and progress, an assigned target."""
    settings.MEDIA_ROOT = tmp_path
    jiang = real_projects[JIANG]
    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))
    forest = Indicator.objects.get(plan=jiang, key="2")
    _approved(forest, 2022, "36.90", reviewer)
    _approved(forest, 2025, "37.20", reviewer)
    numeric = [i for i in jiang.indicators.filter(value_type="number").exclude(pk=forest.pk)[:6]]
    for n, indicator in enumerate(numeric):
        _approved(indicator, 2025, ("3.500000", "0", "12.5", "-0.00", "100", "0.25")[n], reviewer)
    forestry = Bureau.objects.get(region__code="140826", name="林业局")
    staff = user_with_role(Role.BUREAU_STAFF, bureau=forestry)
    open_period(jiang, 2023, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    project = Project.objects.get(plan=jiang, name="人工造林")
    project.investment_wan = Decimal("1250.5000")
    project.save()
    progress = ProjectProgress.objects.create(project=project, year=2023, status=Status.IN_PROGRESS,
                                              state=workflow.APPROVED, investment_done=Decimal("300.2500"))
    QuantityProgress.objects.create(progress=progress, quantity=project.quantities.first(), amount_done=Decimal("0.5"))
    pm25 = jiang.indicators.get(name="细颗粒物（PM2.5）浓度")
    target = pm25.targets.get()
    AssignedTarget.objects.create(target=target, year=target.year, value=Decimal("40.500000"), document="运环发〔2022〕8号",
                                  recorded_by=reviewer)
    return {"plan": jiang, "reviewer": reviewer, "staff": staff, "forest": forest}


def workbook(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, content[:300]
    return load_workbook(io.BytesIO(content))


def columns(sheet, header_row, wanted):
    headers = [c.value for c in sheet[header_row]]
    found = {h: i for i, h in enumerate(headers) if h is not None and any(re.fullmatch(w, str(h)) for w in wanted)}
    assert len(found) >= len(wanted), (headers, wanted)
    return found


def check_sheet(sheet, header_row, measured):
    """(numbers, problems): every figure in the measured columns is a number with a number format;
    no cell anywhere is -0 or a text figure with a long tail of decimals."""
    found = columns(sheet, header_row, measured)
    problems, numbers = [], []
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if cell.data_type == "n" and isinstance(cell.value, float) and str(cell.value) == "-0.0":
                problems.append(f"{cell.coordinate} is -0")
            if isinstance(cell.value, str) and (LONG_DECIMALS.search(cell.value) and PLAIN_FIGURE.match(cell.value)
                                                or NEGATIVE_ZERO.search(cell.value)):
                problems.append(f"{cell.coordinate} text {cell.value!r}")
        for header, index in found.items():
            cell = row[index] if index < len(row) else None
            if cell is None or cell.value in (None, ""):
                continue
            if isinstance(cell.value, str):
                if PLAIN_FIGURE.match(cell.value.strip()):
                    problems.append(f"{cell.coordinate} ({header}) figure as text {cell.value!r}")
                continue
            numbers.append(cell)
            if cell.data_type != "n" or cell.number_format == "General":
                problems.append(f"{cell.coordinate} ({header}) {cell.value!r} format {cell.number_format}")
    return numbers, problems


def by_value(numbers, value):
    return [c for c in numbers if c.value == value]


def test_the_plan_table_download_writes_its_figures_as_numbers(client, world):
    client.force_login(world["reviewer"])
    sheet = workbook(client.get(reverse("plan_export", args=[JIANG])))["指标体系"]
    numbers, problems = check_sheet(sheet, 3, [r"\d{4}年现状", r"\d{4}年目标"])
    assert problems == []
    assert numbers and all(re.fullmatch(r"0(\.0+)?", c.number_format) for c in numbers)
    published = {i.baseline_raw for i in world["plan"].indicators.all() if PLAIN_FIGURE.match(i.baseline_raw or "")}
    assert {shown_text(c.value, c.number_format) for c in numbers} >= published  # printed as published


def test_the_entry_form_writes_baselines_and_values_as_numbers(client, world):
    client.force_login(world["staff"])
    sheet = workbook(client.get(reverse("entry_download", args=[JIANG, 2023])))["年度填报"]
    numbers, problems = check_sheet(sheet, 3, ["基期值", "上年审核值", "本年数值"])
    assert problems == []
    assert [(c.value, c.number_format) for c in by_value(numbers, 36.9)] == [(36.9, "0.00")]  # 2022's 36.90


def test_the_evaluation_xlsx_writes_values_and_shares_as_formatted_numbers(client, world):
    client.force_login(world["reviewer"])
    sheet = workbook(client.get(reverse("plan_evaluation", args=[JIANG]), {"year": 2025, "format": "xlsx"}))["评估结果"]
    numbers, problems = check_sheet(sheet, 2, ["基期值", "评价年份数值", "数值年份", "完成进度", "序时进度"])
    assert problems == []
    headers = [c.value for c in sheet[2]]
    forest = next(r for r in sheet.iter_rows(min_row=3) if r[headers.index("指标")].value == world["forest"].name)
    value = forest[headers.index("评价年份数值")]
    assert (value.value, value.number_format) == (37.2, "0.00")
    assert forest[headers.index("序时进度")].number_format == "0.0%"
    assert forest[headers.index("数值年份")].number_format == "0"


def test_the_assigned_targets_xlsx_writes_the_assigned_number_with_its_precision(client, world):
    client.force_login(world["reviewer"])
    sheet = workbook(client.get(reverse("assigned_targets_download", args=["140800"])))["下达目标"]
    numbers, problems = check_sheet(sheet, 3, ["下达数值"])
    assert problems == [] and [(c.value, c.number_format) for c in numbers] == [(40.5, "0.0")]


def test_the_project_list_xlsx_writes_investments_and_years_as_formatted_numbers(client, world):
    client.force_login(world["reviewer"])
    sheet = workbook(client.get("/projects/export.xlsx", {"plan": JIANG}))["重点工程"]
    numbers, problems = check_sheet(sheet, 1, [r"计划投资（万元）", r"累计完成投资（万元）", "最近进展年份"])
    assert problems == []
    assert {(c.value, c.number_format) for c in numbers} == {(1250.5, "0.0"), (300.25, "0.00"), (2023, "0")}


@pytest.fixture
def frozen(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["reviewer"])
    return freeze_final_report(client, JIANG, django_capture_on_commit_callbacks)


def _report_file(client, report, fmt):
    return download_report(client, report, fmt)[1]


def test_the_report_xlsx_writes_figures_to_their_precision(client, frozen, world):
    book = load_workbook(io.BytesIO(_report_file(client, frozen, "xlsx")))
    numbers, problems = check_sheet(book["评估结果"], 3, ["基期值", "实际值", "数值年份", "累计降低率", "完成进度", "序时进度"])
    assert problems == []
    assert ("0.00", 37.2) in {(c.number_format, c.value) for c in numbers}
    assert not [c for c in numbers if c.number_format in ("0.####", "0.#")]  # "36." for a whole number
    totals, problems = check_sheet(book["汇总"], 3, ["数值"])
    assert problems == [] and totals


def test_the_report_docx_prints_no_long_decimals_and_no_negative_zero(client, frozen, world):
    document = Document(io.BytesIO(_report_file(client, frozen, "docx")))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("37.2" in t for t in texts)
    assert [t for t in texts if LONG_DECIMALS.search(t)] == []
    assert [t for t in texts if NEGATIVE_ZERO.search(t)] == []
