"""Every .xlsx upload path (年度填报 form upload, 规划 import, 下达目标 upload; 重点工程 have no
.xlsx upload) answers a malformed workbook with 400 and a Chinese message, never a 500, and saves
nothing. openpyxl's read-only mode parses sheet XML lazily inside iter_rows, so a DTD or a
truncated sheet only fails there (issue 17). Mutations are deterministic (seeded)."""
import io
import random
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import AssignedTarget, Bureau, IndicatorValue, Plan, Region
from indicators.plans.services import plan_table_from_db
from indicators.plans.xlsx import WorkbookRejected, read_plan_table, write_plan_table
from reporting.submission import open_period

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
JIANG, YEAR = "140826-2021-2025", 2023
DTD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n')


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _body(xml):
    """The XML without its declaration, so a DTD can go first."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _sheets(members):
    return sorted(name for name in members if name.startswith("xl/worksheets/sheet"))


def mutations(data):
    """(label, bytes) of workbooks broken in the ways openpyxl notices late or early."""
    members = _members(data)
    sheets = _sheets(members)
    out = []
    for sheet in sheets:
        xml = members[sheet]
        body = _body(xml)
        out.append((f"DTD in {sheet}", _zip({**members, sheet: DTD + body})))
        out.append((f"entity use in {sheet}", _zip({**members, sheet: DTD + body.replace(b"<sheetData>", b"<sheetData>&b;", 1)})))
        for cut in (0.3, 0.6, 0.95):
            out.append((f"{sheet} cut at {cut}", _zip({**members, sheet: xml[: int(len(xml) * cut)]})))
        out.append((f"{sheet} not XML", _zip({**members, sheet: b"\x00\xff garbage"})))
        out.append((f"{sheet} wrong root", _zip({**members, sheet: b"<html><body>hi</body></html>"})))
        out.append((f"{sheet} bad cell ref", _zip({**members, sheet: xml.replace(b' r="A', b' r="!!', 1)})))
        out.append((f"{sheet} bad number", _zip({**members, sheet: xml.replace(b"<v>", b"<v>1e99999x", 1)})))
        out.append((f"{sheet} removed", _zip({k: v for k, v in members.items() if k != sheet})))
    for part in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"):
        if part in members:
            out.append((f"{part} cut", _zip({**members, part: members[part][: len(members[part]) // 2]})))
            out.append((f"{part} DTD", _zip({**members, part: DTD + _body(members[part])})))
    rng = random.Random(17)
    for n in range(12):
        sheet = rng.choice(sheets)
        xml = bytearray(members[sheet])
        for _ in range(rng.randint(1, 6)):
            xml[rng.randrange(len(xml))] = rng.choice(b"<>&\"'/\x00\xff=")
        out.append((f"random flips {n} in {sheet}", _zip({**members, sheet: bytes(xml)})))
    raw = bytearray(data)  # flips in the compressed stream itself: CRC and inflate errors
    for n in range(6):
        broken = bytearray(raw)
        for _ in range(8):
            broken[rng.randrange(200, len(broken) - 200)] ^= 0xFF
        out.append((f"compressed flips {n}", bytes(broken)))
    out.append(("zip cut in half", data[: len(data) // 2]))
    return out


@pytest.fixture
def staff_client(client, real_plans):
    open_period(real_plans[JIANG], YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)
    staff = user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局"))
    client.force_login(staff)
    return client


def _entry_form_bytes(client):
    response = client.get(reverse("entry_download", args=[JIANG, YEAR]))
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_mutated_entry_form_is_refused_with_400_and_a_chinese_message(staff_client):
    original = _entry_form_bytes(staff_client)
    for label, data in mutations(original):
        response = staff_client.post(reverse("entry_upload", args=[JIANG, YEAR]),
                                     {"file": SimpleUploadedFile("填报表.xlsx", data), "action": "save"})
        assert response.status_code in (302, 400), label
        if response.status_code == 400:
            html = response.content.decode()
            assert any(word in html for word in ("工作簿", "工作表", ".xlsx", "表头", "文件")), label
    assert not IndicatorValue.objects.exists()


def test_a_dtd_or_a_truncated_sheet_in_the_entry_form_is_a_400_that_says_why(staff_client):
    members = _members(_entry_form_bytes(staff_client))
    sheet = _sheets(members)[0]
    xml = members[sheet]
    for data, reason in ((_zip({**members, sheet: DTD + _body(xml)}), "含有 DTD 声明"),
                         (_zip({**members, sheet: (DTD + _body(xml)).decode().encode("utf-16")}), "含有 DTD 声明"),
                         (_zip({**members, sheet: xml[: len(xml) // 2]}), "无法读取")):
        response = staff_client.post(reverse("entry_upload", args=[JIANG, YEAR]),
                                     {"file": SimpleUploadedFile("填报表.xlsx", data), "action": "save"})
        assert response.status_code == 400
        assert reason in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_every_mutated_plan_workbook_is_refused_by_the_reader_with_a_chinese_message(real_plans):
    original = write_plan_table(plan_table_from_db(real_plans[JIANG]))
    for label, data in mutations(original):
        try:
            table, errors = read_plan_table(data)
        except WorkbookRejected as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)), label
        else:
            assert table is None or errors or table.rows, label


def test_every_mutated_plan_workbook_uploaded_is_a_400_and_changes_no_plan(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    original = write_plan_table(plan_table_from_db(real_plans[JIANG]))
    before = Plan.objects.count()
    members = _members(original)
    sheet = _sheets(members)[0]
    xml = members[sheet]
    damaged = [("DTD", _zip({**members, sheet: DTD + _body(xml)})),
               ("truncated", _zip({**members, sheet: xml[: len(xml) // 2]}))] + mutations(original)[::5]
    for label, data in damaged:
        response = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.xlsx", data)})
        assert response.status_code in (302, 400), label
    for (label, data), reason in zip(damaged[:2], ("含有 DTD 声明", "无法读取")):
        response = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.xlsx", data)})
        assert response.status_code == 400 and reason in response.content.decode(), label
    assert Plan.objects.count() == before


def test_a_tiny_workbook_claiming_a_million_rows_is_refused_quickly(real_plans):
    import time

    members = _members(write_plan_table(plan_table_from_db(real_plans[JIANG])))
    for sheet in _sheets(members):
        far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        members[sheet] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                members[sheet].replace(b"</sheetData>", far, 1), count=1)
        assert b"A1:XFD1048576" in members[sheet]
    started = time.monotonic()
    with pytest.raises(WorkbookRejected, match="超过 10000 行"):
        read_plan_table(_zip(members))
    assert time.monotonic() - started < 10


def test_a_workbook_claiming_an_unknown_zip_version_is_refused_with_a_chinese_message(real_plans):
    data = bytearray(write_plan_table(plan_table_from_db(real_plans[JIANG])))
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    data[entry + 6:entry + 8] = (235).to_bytes(2, "little")  # "version needed to extract": 23.5
    with pytest.raises(WorkbookRejected, match="工作簿"):
        read_plan_table(bytes(data))


def test_every_mutated_assignment_sheet_is_refused_with_400_and_a_chinese_message(client, real_plans):
    yuncheng = Region.objects.get(code="140800")
    client.force_login(user_with_role(Role.REVIEWER, region=yuncheng, username="yuncheng-review"))
    original = client.get(reverse("assigned_targets_download", args=[yuncheng.code])).content
    members = _members(original)
    sheet = _sheets(members)[0]
    xml = members[sheet]
    damaged = [("DTD", _zip({**members, sheet: DTD + _body(xml)})),
               ("truncated", _zip({**members, sheet: xml[: len(xml) // 2]}))] + mutations(original)
    for label, data in damaged:
        response = client.post(reverse("assigned_targets", args=[yuncheng.code]),
                               {"file": SimpleUploadedFile("下达目标.xlsx", data)})
        assert response.status_code in (302, 400), label
        if response.status_code == 400:
            html = response.content.decode()
            assert any(word in html for word in ("工作簿", "工作表", ".xlsx", "表头", "文件")), label
    for (label, data), reason in zip(damaged[:2], ("含有 DTD 声明", "无法读取")):
        response = client.post(reverse("assigned_targets", args=[yuncheng.code]),
                               {"file": SimpleUploadedFile("下达目标.xlsx", data)})
        assert response.status_code == 400 and reason in response.content.decode(), label
    assert not AssignedTarget.objects.exists()
