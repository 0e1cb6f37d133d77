"""佐证材料: files are accepted by what they are (magic bytes), not by their names; size and zip
bombs are refused; files attach only with a saved value; download only for those who may see
the record, 404 for everyone else."""
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Role
from indicators.models import Bureau, IndicatorValue
from reporting.evidence import XLSX_TYPE, EvidenceRejected, check_evidence, clean_name
from reporting.models import Evidence
from reporting.submission import open_period

from tests.factories import user_with_role

JIANG, YANHU, TUNLIU = "140826-2021-2025", "140802-2021-2025", "140405-2021-2025"
YEAR = 2023
MB = 1024 * 1024
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def xlsx_bytes():
    out = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "森林资源二类调查汇总"
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb():
    """A small .xlsx-looking zip that inflates past the 100 MB limit."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * MB
            for _ in range(101):
                member.write(chunk)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- checking a file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, media_type",
    [("年报.pdf", PDF, "application/pdf"), ("现场照片.png", PNG, "image/png"), ("现场照片.jpg", JPEG, "image/jpeg"),
     ("照片.jpeg", JPEG, "image/jpeg"), ("汇总.xlsx", None, XLSX_TYPE),
     ("photo.png", JPEG, "image/jpeg")],  # a JPEG called .png is still a JPEG: the bytes decide
)
def test_pdf_png_jpeg_and_xlsx_are_accepted_by_their_bytes(name, data, media_type):
    checked = check_evidence(SimpleUploadedFile(name, data if data is not None else xlsx_bytes()))
    assert checked.media_type == media_type
    assert checked.name == (name if name != "photo.png" else "photo.jpg")  # the name follows the bytes


@pytest.mark.parametrize(
    "given, data, kept",
    [("pwn.html", JPEG, "pwn.jpg"), ("pwn.HTML", PNG, "pwn.png"), ("年报.svg", PDF, "年报.pdf"),
     ("无扩展名", PDF, "无扩展名.pdf"), ("照片.JPEG", JPEG, "照片.JPEG"), (".htaccess", PNG, "未命名文件.png")],
)
def test_the_kept_name_gets_the_extension_of_the_detected_type(given, data, kept):
    assert check_evidence(SimpleUploadedFile(given, data)).name == kept


@pytest.mark.parametrize(
    "name, data",
    [("年报.pdf", b"<html><script>alert(1)</script></html>"),
     ("照片.png", b"MZ\x90\x00\x03\x00\x00\x00"),
     ("汇总.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel"),
     ("说明.txt", b"plain text")],
)
def test_a_file_with_a_fake_extension_is_refused(name, data):
    with pytest.raises(EvidenceRejected, match="文件类型不受支持"):
        check_evidence(SimpleUploadedFile(name, data))


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(EvidenceRejected, match="不是有效的 .xlsx 工作簿"):
        check_evidence(SimpleUploadedFile("材料.xlsx", out.getvalue()))
    with pytest.raises(EvidenceRejected, match="已损坏"):
        check_evidence(SimpleUploadedFile("材料.xlsx", b"PK\x03\x04truncated"))


def test_a_zip_bomb_is_refused(zip_bomb):
    assert len(zip_bomb) < MB
    with pytest.raises(EvidenceRejected, match="压缩炸弹"):
        check_evidence(SimpleUploadedFile("炸弹.xlsx", zip_bomb))


def test_a_file_over_ten_megabytes_is_refused_and_one_at_the_limit_is_accepted():
    at_limit = PDF + b"0" * (10 * MB - len(PDF))
    assert check_evidence(SimpleUploadedFile("大.pdf", at_limit)).media_type == "application/pdf"
    with pytest.raises(EvidenceRejected, match="不能超过 10 MB"):
        check_evidence(SimpleUploadedFile("太大.pdf", at_limit + b"0"))


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceRejected, match="空文件"):
        check_evidence(SimpleUploadedFile("空.pdf", b""))


@pytest.mark.parametrize(
    "given, kept",
    [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\王\\年报.pdf", "年报.pdf"), ("年\u202e报.pdf", "年报.pdf"), ("", "未命名文件")],
)
def test_the_file_name_is_kept_only_as_clean_data(given, kept):
    assert clean_name(given) == kept


# --- uploading with the entry form --------------------------------------------------------


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forest(jiang):
    return jiang.indicators.get(number="2")


@pytest.fixture
def staff(real_plans):
    return user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局"), username="linye")


@pytest.fixture
def staff_client(client, staff, jiang):
    open_period(jiang, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    client.force_login(staff)
    return client


def form_url():
    return reverse("entry_form", args=[JIANG, YEAR])


def test_evidence_files_are_attached_to_the_saved_value_under_a_random_name(staff_client, staff, forest, media_root):
    response = staff_client.post(form_url(), {
        "action": "save", f"i{forest.pk}-raw": "36.7",
        f"i{forest.pk}-evidence": [SimpleUploadedFile("林业年报.pdf", PDF), SimpleUploadedFile("现场.png", PNG)],
    })
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=forest)
    files = {e.original_name: e for e in value.evidence.all()}
    assert set(files) == {"林业年报.pdf", "现场.png"}
    pdf = files["林业年报.pdf"]
    assert (pdf.media_type, pdf.size, pdf.uploaded_by) == ("application/pdf", len(PDF), staff)
    assert pdf.file.name.endswith(".pdf") and "林业年报" not in pdf.file.name
    assert (media_root / pdf.file.name).read_bytes() == PDF
    html = staff_client.get(form_url()).content.decode()
    assert reverse("evidence_download", args=[pdf.pk]) in html and "林业年报.pdf" in html


def test_a_fake_evidence_file_saves_nothing_and_keeps_what_was_typed(staff_client, forest, media_root):
    response = staff_client.post(form_url(), {
        "action": "submit", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-source": "林业局",
        f"i{forest.pk}-evidence": SimpleUploadedFile("年报.pdf", b"<?php system($_GET['c']); ?>"),
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "「森林覆盖率」" in html and "「年报.pdf」" in html and "文件类型不受支持" in html
    assert 'value="36.7"' in html and 'value="林业局"' in html
    assert not IndicatorValue.objects.exists() and not Evidence.objects.exists()
    assert not any(media_root.rglob("*.*"))


def test_an_oversized_evidence_file_is_refused_through_the_form(staff_client, forest):
    too_big = PDF + b"0" * (10 * MB + 1 - len(PDF))
    response = staff_client.post(form_url(), {
        "action": "save", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-evidence": SimpleUploadedFile("扫描件.pdf", too_big),
    })
    assert response.status_code == 400 and "不能超过 10 MB" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_evidence_for_a_row_left_blank_is_refused_rather_than_lost(staff_client, jiang, forest):
    fire = jiang.indicators.get(number="3")
    response = staff_client.post(form_url(), {
        "action": "save", f"i{forest.pk}-raw": "36.7", f"i{fire.pk}-raw": "",
        f"i{fire.pk}-evidence": SimpleUploadedFile("火情通报.pdf", PDF),
    })
    assert response.status_code == 400 and "「林草火灾受害率」" in response.content.decode()
    assert not IndicatorValue.objects.exists() and not Evidence.objects.exists()


# --- downloading --------------------------------------------------------------------------


@pytest.fixture
def evidence(staff_client, forest):
    staff_client.post(form_url(), {"action": "submit", f"i{forest.pk}-raw": "36.7",
                                   f"i{forest.pk}-evidence": SimpleUploadedFile("林业年报.pdf", PDF)})
    return Evidence.objects.get()


def test_the_uploader_downloads_the_file_as_an_attachment(staff_client, evidence):
    response = staff_client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["city_reviewer", "county_leader", "colleague"])
def test_everyone_who_can_see_the_value_can_download_its_evidence(client, jiang, evidence, who):
    user = {
        "city_reviewer": lambda: user_with_role(Role.REVIEWER, region=jiang.region.parent),
        "county_leader": lambda: user_with_role(Role.LEADER, region=jiang.region),
        "colleague": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="林业局")),
    }[who]()
    client.force_login(user)
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "林业年报.pdf" in client.get(reverse("value_detail", args=[evidence.object_id])).content.decode()


@pytest.mark.parametrize("who", ["other_bureau_staff", "other_county_staff", "other_city_reviewer", "other_county_leader"])
def test_everyone_else_gets_404_for_the_evidence(client, real_plans, evidence, who):
    user = {
        "other_bureau_staff": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="水务局")),
        "other_county_staff": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140802", name="林草局")),
        "other_city_reviewer": lambda: user_with_role(Role.REVIEWER, region=real_plans[TUNLIU].region.parent),
        "other_county_leader": lambda: user_with_role(Role.LEADER, region=real_plans[YANHU].region),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("evidence_download", args=[evidence.pk + 1000])).status_code == 404


def test_anonymous_users_are_sent_to_log_in_for_evidence(client, evidence):
    client.logout()
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- issue 17: the name follows the type; quotas per value and per user ----------------------


def test_pwn_html_holding_jpeg_bytes_is_saved_and_downloaded_as_jpg(staff_client, forest):
    response = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7",
                                              f"i{forest.pk}-evidence": SimpleUploadedFile("pwn.html", JPEG)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "pwn.jpg" and evidence.file.name.endswith(".jpg")
    download = staff_client.get(reverse("evidence_download", args=[evidence.pk]))
    assert 'filename="pwn.jpg"' in download["Content-Disposition"] and ".html" not in download["Content-Disposition"]
    assert download["Content-Type"] == "image/jpeg"


def test_an_older_row_with_a_misleading_name_is_still_downloaded_under_its_real_type(staff_client, evidence):
    Evidence.objects.filter(pk=evidence.pk).update(original_name="年报.html")
    download = staff_client.get(reverse("evidence_download", args=[evidence.pk]))
    assert "年报.pdf" in download["Content-Disposition"] or "%E5%B9%B4%E6%8A%A5.pdf" in download["Content-Disposition"]


def test_a_value_holds_at_most_the_configured_number_of_files(staff_client, forest, settings, media_root):
    settings.EVIDENCE_MAX_FILES_PER_RECORD = 3
    files = [SimpleUploadedFile(f"照片{n}.png", PNG) for n in range(4)]
    response = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-evidence": files})
    assert response.status_code == 400 and "最多附 3 个佐证材料" in response.content.decode()
    assert not IndicatorValue.objects.exists() and not Evidence.objects.exists()
    assert not any(media_root.rglob("*.*"))  # nothing left on disk either
    # three go through; a fourth in a later request is refused, naming what is there already
    files = [SimpleUploadedFile(f"照片{n}.png", PNG) for n in range(3)]
    ok = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-evidence": files})
    assert ok.status_code == 302 and Evidence.objects.count() == 3
    value = IndicatorValue.objects.get()
    more = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.8",
                                          f"i{forest.pk}-version": str(value.version),
                                          f"i{forest.pk}-evidence": SimpleUploadedFile("第四张.png", PNG)})
    assert more.status_code == 400 and "已有 3 个" in more.content.decode()
    assert Evidence.objects.count() == 3 and IndicatorValue.objects.get().raw == "36.7"


def test_the_files_of_a_value_have_a_total_size_limit(staff_client, forest, settings):
    settings.EVIDENCE_MAX_BYTES_PER_RECORD = len(PDF) + 10
    response = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7",
                                              f"i{forest.pk}-evidence": [SimpleUploadedFile("a.pdf", PDF),
                                                                         SimpleUploadedFile("b.pdf", PDF)]})
    assert response.status_code == 400 and "合计不能超过" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_user_has_a_total_evidence_quota(staff_client, jiang, forest, settings):
    settings.EVIDENCE_MAX_BYTES_PER_USER = len(PDF) * 2
    fire = jiang.indicators.get(number="3")
    response = staff_client.post(form_url(), {
        "action": "save", f"i{forest.pk}-raw": "36.7", f"i{fire.pk}-raw": "0.5",
        f"i{forest.pk}-evidence": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        f"i{fire.pk}-evidence": SimpleUploadedFile("c.pdf", PDF),
    })
    assert response.status_code == 400 and "合计已达上限" in response.content.decode()
    assert not Evidence.objects.exists() and not IndicatorValue.objects.exists()


def test_too_many_files_in_one_request_are_refused_before_reading_them(staff_client, forest, settings):
    files = [SimpleUploadedFile(f"p{n}.png", PNG) for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7", f"i{forest.pk}-evidence": files})
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_request_body_over_the_cap_is_refused_with_413_before_it_is_read(staff_client, forest, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = staff_client.post(form_url(), {"action": "save", f"i{forest.pk}-raw": "36.7",
                                              f"i{forest.pk}-evidence": SimpleUploadedFile("a.pdf", PDF + b"0" * 2000)})
    assert response.status_code == 413 and "提交的内容过大" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    api = staff_client.post("/api/v1/values/", data="x" * 2000, content_type="application/json")
    assert api.status_code == 413 and "提交的内容过大" in api.json()["detail"]
