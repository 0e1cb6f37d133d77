"""Bulk entry through the .xlsx form: download the year's form, fill it in, upload it. The same
checks as the entry form, errors naming the sheet row, and all-or-nothing."""
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from indicators.entry.xlsx import HEADERS, SHEET
from indicators.models import Bureau, IndicatorValue
from reporting import workflow
from reporting.submission import open_period

from tests.factories import user_with_role

JIANG = "140826-2021-2025"
YEAR = 2023
COL = {name: i + 1 for i, name in enumerate(HEADERS)}
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forestry(real_plans):
    return Bureau.objects.get(region__code="140826", name="林业局")


@pytest.fixture
def staff(forestry):
    return user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="linye")


@pytest.fixture
def period(jiang):
    return open_period(jiang, YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)


@pytest.fixture
def staff_client(client, staff, period):
    client.force_login(staff)
    return client


@pytest.fixture
def indicators(jiang):
    return {n: jiang.indicators.get(number=n) for n in ("2", "3", "4")}


def download(client):
    response = client.get(reverse("entry_download", args=[JIANG, YEAR]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def sheet_rows(wb):
    """row key → sheet row number."""
    ws = wb[SHEET]
    return {ws.cell(row=r, column=COL["行键"]).value: r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def fill(wb, key, **cells):
    ws = wb[SHEET]
    row = sheet_rows(wb)[key]
    for header, value in cells.items():
        ws.cell(row=row, column=COL[header], value=value)
    return row


def upload(client, wb_or_bytes, action="save", name="填报表.xlsx"):
    if isinstance(wb_or_bytes, bytes):
        data = wb_or_bytes
    else:
        out = io.BytesIO()
        wb_or_bytes.save(out)
        data = out.getvalue()
    return client.post(reverse("entry_upload", args=[JIANG, YEAR]),
                       {"file": SimpleUploadedFile(name, data), "action": action})


def test_the_downloaded_form_holds_the_bureaus_rows_with_baseline_target_and_last_years_value(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["2"], year=YEAR - 1, raw="36.50", number=Decimal("36.5"),
                                  state=workflow.APPROVED)
    response = staff_client.get(reverse("entry_download", args=[JIANG, YEAR]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    wb = download(staff_client)
    ws = wb[SHEET]
    assert [c.value for c in ws[3]][: len(HEADERS)] == HEADERS
    rows = sheet_rows(wb)
    assert set(rows) == {"2", "3", "4"}
    cells = ws[rows["2"]]
    forest = [c.value for c in cells]
    assert forest[COL["指标"] - 1] == "森林覆盖率" and forest[COL["基期值"] - 1] == 36.07  # figures are numbers
    assert forest[COL["目标"] - 1] == "2025年 37.07" and forest[COL["上年审核值"] - 1] == 36.5
    assert cells[COL["上年审核值"] - 1].number_format == "0.00"  # shown as typed: 36.50
    assert forest[COL["版本"] - 1] == "0"


def test_a_filled_form_is_imported_as_drafts(staff_client, indicators):
    wb = download(staff_client)
    fill(wb, "2", 本年数值=36.7, 数据来源="二类调查", 备注="含灌木林")
    fill(wb, "3", 本年数值="0.25‰")
    response = upload(staff_client, wb)
    assert response.status_code == 302
    values = {v.indicator.number: v for v in IndicatorValue.objects.select_related("indicator")}
    assert set(values) == {"2", "3"}
    assert (values["2"].number, values["2"].source, values["2"].note, values["2"].state) == (
        Decimal("36.7"), "二类调查", "含灌木林", workflow.DRAFT)
    assert values["3"].number == Decimal("0.25")
    assert "已从表格导入 2 项" in staff_client.get(response.url).content.decode()


def test_a_filled_form_can_be_imported_and_submitted(staff_client, indicators):
    wb = download(staff_client)
    fill(wb, "2", 本年数值="３６．７")
    fill(wb, "4", 本年数值=3, 变化说明="")
    assert upload(staff_client, wb, action="submit").status_code == 302
    assert set(IndicatorValue.objects.values_list("state", flat=True)) == {workflow.SUBMITTED}


def test_an_invalid_row_saves_nothing_and_names_its_sheet_row(staff_client, indicators):
    wb = download(staff_client)
    fill(wb, "2", 本年数值="36.7")
    bad_row = fill(wb, "3", 本年数值="约0.3")
    percent_row = fill(wb, "4", 本年数值="2000")
    response = upload(staff_client, wb)
    assert response.status_code == 400
    errors = response.context["form_errors"]
    assert any(e.startswith(f"第 {bad_row} 行") and "「林草火灾受害率」" in e and "不是有效的数字" in e for e in errors)
    assert any(e.startswith(f"第 {percent_row} 行") and "不能超过 1000" in e for e in errors)
    assert "未保存" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_rows_of_other_bureaus_and_repeated_rows_are_refused(staff_client, jiang):
    wb = download(staff_client)
    ws = wb[SHEET]
    fill(wb, "2", 本年数值="36.7")
    last = ws.max_row
    ws.cell(row=last + 1, column=COL["行键"], value="1")  # 生态保护红线 belongs to 自然资源局
    ws.cell(row=last + 1, column=COL["本年数值"], value="38")
    ws.cell(row=last + 2, column=COL["行键"], value="2")
    ws.cell(row=last + 2, column=COL["本年数值"], value="36.9")
    response = upload(staff_client, wb)
    assert response.status_code == 400
    errors = response.context["form_errors"]
    assert f"第 {last + 1} 行：行键「1」不是您部门本年需填报的指标。" in errors
    assert f"第 {last + 2} 行：指标「森林覆盖率」重复出现。" in errors
    assert not IndicatorValue.objects.exists()


def test_a_wrong_judgement_label_is_refused(staff_client):
    wb = download(staff_client)
    row = fill(wb, "2", **{"完成情况（定性指标）": "差不多"})
    response = upload(staff_client, wb)
    assert response.status_code == 400
    assert f"第 {row} 行「完成情况」：应为 完成、基本完成 或 未完成。" in response.context["form_errors"]


def test_a_submission_needing_follow_up_reads_the_explanation_column(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["3"], year=YEAR - 1, raw="0.2", number=Decimal("0.2"),
                                  state=workflow.APPROVED)
    wb = download(staff_client)
    row = fill(wb, "3", 本年数值="0.6")
    response = upload(staff_client, wb, action="submit")
    assert response.status_code == 400
    assert any(e.startswith(f"第 {row} 行") and "超过 30%" in e for e in response.context["form_errors"])
    fill(wb, "3", 变化说明="发生一起较大火灾")
    assert upload(staff_client, wb, action="submit").status_code == 302
    assert IndicatorValue.objects.get(year=YEAR).explanation == "发生一起较大火灾"


def test_a_form_downloaded_before_someone_elses_save_is_refused_as_stale(client, staff, forestry, period, indicators):
    client.force_login(staff)
    wb = download(client)  # version 0: nothing entered yet
    colleague = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="wanglin")
    client.force_login(colleague)
    client.post(reverse("entry_form", args=[JIANG, YEAR]), {"action": "save", f"i{indicators['2'].pk}-raw": "36.8"})
    client.force_login(staff)
    row = fill(wb, "2", 本年数值="36.1")
    response = upload(client, wb)
    assert response.status_code == 400
    error = next(e for e in response.context["form_errors"] if e.startswith(f"第 {row} 行"))
    assert "wanglin" in error and "36.8" in error
    assert IndicatorValue.objects.get().raw == "36.8"


def test_the_version_in_the_sheet_lets_the_same_user_update_a_draft(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["2"], year=YEAR, raw="36.0", number=36)
    wb = download(staff_client)
    assert wb[SHEET].cell(row=sheet_rows(wb)["2"], column=COL["版本"]).value == "1"
    fill(wb, "2", 本年数值="36.4")
    assert upload(staff_client, wb).status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.raw, value.version) == ("36.4", 2)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"%PDF-1.7 not a workbook", "不是有效的 .xlsx 工作簿"),
        (b"PK\x03\x04 broken zip", "不是有效的 .xlsx 工作簿"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(staff_client, data, words):
    response = upload(staff_client, data)
    assert response.status_code == 400
    assert any(words in e for e in response.context["form_errors"])


def test_a_zip_bomb_or_an_oversized_file_is_refused_before_it_is_opened(staff_client):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(51):
                member.write(b"\0" * 1024 * 1024)
    response = upload(staff_client, bomb.getvalue())
    assert response.status_code == 400 and "压缩炸弹" in response.context["form_errors"][0]
    response = upload(staff_client, b"PK\x03\x04" + b"0" * (5 * 1024 * 1024))
    assert response.status_code == 400 and "文件过大" in response.context["form_errors"][0]
    assert not IndicatorValue.objects.exists()


def test_a_workbook_with_changed_columns_is_refused(staff_client):
    wb = download(staff_client)
    wb[SHEET].delete_cols(COL["备注"])
    response = upload(staff_client, wb)
    assert response.status_code == 400 and "表头与下载的填报表不一致" in response.context["form_errors"][0]


def test_an_upload_without_a_file_is_refused(staff_client):
    response = staff_client.post(reverse("entry_upload", args=[JIANG, YEAR]), {"action": "save"})
    assert response.status_code == 400 and "请选择要上传的 .xlsx 文件" in response.content.decode()


def test_an_upload_into_a_closed_period_is_refused(client, staff, jiang, period):
    client.force_login(staff)
    wb = download(client)
    fill(wb, "2", 本年数值="36.7")
    open_period(jiang, YEAR, None, closed=True)
    response = upload(client, wb)
    assert response.status_code == 400
    assert "2023 年的填报期未开放或已截止，请联系审核员开放补报。" in response.context["form_errors"]
    assert not IndicatorValue.objects.exists()


def test_an_approved_row_in_the_sheet_is_left_unchanged(staff_client, indicators):
    IndicatorValue.objects.create(indicator=indicators["2"], year=YEAR, raw="36.9", number=Decimal("36.9"),
                                  state=workflow.APPROVED)
    wb = download(staff_client)
    fill(wb, "2", 本年数值="10")
    fill(wb, "3", 本年数值="0.1")
    assert upload(staff_client, wb).status_code == 302
    assert IndicatorValue.objects.get(indicator=indicators["2"]).raw == "36.9"
    assert IndicatorValue.objects.get(indicator=indicators["3"]).raw == "0.1"


def test_a_long_text_in_a_qualitative_row_is_refused_not_truncated(client, real_plans):
    yanhu = real_plans["140802-2021-2025"]
    index = yanhu.indicators.get(name="生态功能指数", value_type="text")
    open_period(yanhu, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=index.bureaus.get()))
    response = client.get(reverse("entry_download", args=[yanhu.code, YEAR]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb[SHEET]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value == index.key)
    ws.cell(row=row, column=COL["本年数值"], value="生态功能指数保持稳定" * 8)
    ws.cell(row=row, column=COL["完成情况（定性指标）"], value="完成")
    out = io.BytesIO()
    wb.save(out)
    response = client.post(reverse("entry_upload", args=[yanhu.code, YEAR]),
                           {"file": SimpleUploadedFile("f.xlsx", out.getvalue()), "action": "save"})
    assert response.status_code == 400
    assert any(e.startswith(f"第 {row} 行") and "内容过长" in e for e in response.context["form_errors"])
    assert not IndicatorValue.objects.exists()
