"""The .xlsx download is also the upload template: export → import reproduces the table."""
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from indicators.models import Plan
from indicators.plans.services import PlanTableInvalid, plan_table_from_db, save_plan_table
from indicators.plans.xlsx import WorkbookRejected, read_plan_table, write_plan_table

from tests.factories import user_with_role


def workbook_bytes(table):
    return write_plan_table(table)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["140826-2021-2025", "140802-2021-2025", "140800-2021-2025", "140405-2021-2025", "141121-2024-2035"])
def test_export_then_import_of_each_real_plan_reproduces_the_same_table(real_plans, code):
    before = plan_table_from_db(Plan.objects.get(code=code))
    parsed, errors = read_plan_table(write_plan_table(before))
    assert errors == []
    for row in parsed.rows:
        row.source_row = None
    assert parsed == before
    save_plan_table(parsed)
    assert plan_table_from_db(Plan.objects.get(code=code)) == before


@pytest.mark.django_db
def test_the_export_has_the_published_columns_with_sub_rows_indented_and_notes_below(real_plans):
    plan = Plan.objects.get(code="140826-2021-2025")
    wb = load_workbook(io.BytesIO(write_plan_table(plan_table_from_db(plan))))
    ws = wb["指标体系"]
    headers = [c.value for c in ws[3]]
    assert headers[:9] == ["类别", "序号", "指标", "计量单位", "2020年现状", "2025年目标", "指标属性", "责任部门", "行键"]
    names = {ws.cell(row=r, column=3).value: ws.cell(row=r, column=3) for r in range(4, ws.max_row + 1)}
    assert names["氨氮排放总量减少"].alignment.indent == 2
    assert names["森林覆盖率"].alignment.indent == 0


@pytest.mark.django_db
def test_a_cell_starting_with_equals_is_stored_as_text_not_a_formula(real_plans):
    table = plan_table_from_db(Plan.objects.get(code="140826-2021-2025"))
    table.rows[0].note = '=HYPERLINK("http://evil","x")'
    wb = load_workbook(io.BytesIO(write_plan_table(table)))
    cell = next(c for row in wb["指标体系"].iter_rows() for c in row if c.value == table.rows[0].note)
    assert cell.data_type == "s"


@pytest.mark.django_db
def test_an_import_with_errors_reports_every_bad_row_and_saves_nothing(real_plans):
    plan = Plan.objects.get(code="140826-2021-2025")
    table = plan_table_from_db(plan)
    table.rows[1].name = ""
    table.rows[4].attribute = "必须"
    table.rows[6].key = table.rows[5].key
    parsed, errors = read_plan_table(write_plan_table(table))
    with pytest.raises(PlanTableInvalid) as raised:
        save_plan_table(parsed)
    messages = [str(e) for e in raised.value.errors]
    assert any(m.startswith("第 5 行「指标」") for m in messages), messages
    assert any(m.startswith("第 8 行「指标属性」") and "必须" in m for m in messages), messages
    assert any(m.startswith("第 10 行「行键」") for m in messages), messages
    assert plan_table_from_db(Plan.objects.get(code=plan.code)) == plan_table_from_db(plan)


def test_a_file_that_is_not_a_real_xlsx_is_refused_with_a_clear_message():
    with pytest.raises(WorkbookRejected, match="不是有效的 .xlsx"):
        read_plan_table(b"%PDF-1.4 not a workbook")
    with pytest.raises(WorkbookRejected, match="不是有效的 .xlsx"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "just a zip")
        read_plan_table(buffer.getvalue())


def test_a_file_over_five_megabytes_is_refused():
    with pytest.raises(WorkbookRejected, match="不能超过 5 MB"):
        read_plan_table(b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1))


def test_a_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(WorkbookRejected, match="压缩炸弹"):
        read_plan_table(buffer.getvalue())


@pytest.mark.django_db
def test_the_upload_page_lists_row_errors_in_chinese_and_saves_nothing(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    table = plan_table_from_db(Plan.objects.get(code="140802-2021-2025"))
    table.rows[2].baseline_year = 3000
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("plan.xlsx", write_plan_table(table))
    response = client.post(reverse("plan_import"), {"file": upload})
    assert response.status_code == 400
    assert "第 6 行「基期值年份」" in response.content.decode()


@pytest.mark.django_db
def test_the_upload_page_creates_a_new_plan_from_the_template(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    table = plan_table_from_db(Plan.objects.get(code="140826-2021-2025"))
    table.code, table.region_code, table.parent_plan = "140821-2026-2030", "140821", "140800-2021-2025"
    table.base_year, table.milestone_years, table.midterm_year = 2025, [2030], 2028
    for row in table.rows:
        row.targets = {2030: text for text in row.targets.values()}
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("new.xlsx", write_plan_table(table))})
    assert response.status_code == 200 and not Plan.objects.filter(code="140821-2026-2030").exists()  # a preview first
    response = client.post(reverse("plan_import"), {"action": "confirm", "token": client.session["plan_import"]["token"]})
    assert response.status_code == 302
    created = Plan.objects.get(code="140821-2026-2030")
    assert created.region.name == "临猗县" and created.indicators.count() == len(table.rows)


@pytest.mark.django_db
def test_only_administrators_may_open_the_upload_page(client, real_plans):
    client.force_login(user_with_role(Role.LEADER, region=Plan.objects.get(code="140800-2021-2025").region))
    assert client.get(reverse("plan_import")).status_code == 404


@pytest.mark.django_db
def test_import_plan_command_refuses_a_bad_file_and_names_the_rows(real_plans, tmp_path):
    table = plan_table_from_db(Plan.objects.get(code="140405-2021-2025"))
    table.rows[0].name = ""
    path = tmp_path / "bad.xlsx"
    path.write_bytes(write_plan_table(table))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未保存任何内容"):
        call_command("import_plan", str(path))
