"""core.uploads: the one check an uploaded .docx or .xlsx passes before any parser sees it. Pure:
bytes in, parts or PackageRejected out; no database."""
import io
import zipfile

import pytest
from django.utils import translation

from core.uploads import DOCX, XLSX, PackageRejected, check_zip_package, read_zip_part

MB = 1024 * 1024
LIMITS = {"max_bytes": 5 * MB, "max_unpacked": 50 * MB}


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def package(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCUMENT = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
WORKBOOK = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def test_a_good_document_passes_and_its_parts_are_returned_by_name():
    parts = check_zip_package(package(DOCUMENT), DOCX, **LIMITS)
    assert set(parts) == set(DOCUMENT)
    assert parts["word/document.xml"].file_size == len(DOCUMENT["word/document.xml"])
    assert read_zip_part(package(DOCUMENT), "word/document.xml", DOCX) == b"<w:document/>"


def test_a_good_workbook_passes():
    assert set(check_zip_package(package(WORKBOOK), XLSX, **LIMITS)) == set(WORKBOOK)


def test_a_file_over_the_size_cap_is_refused_naming_its_size_and_the_cap():
    data = package(DOCUMENT) + b"\0" * (5 * MB)
    with pytest.raises(PackageRejected) as refused:
        check_zip_package(data, DOCX, **LIMITS)
    assert str(refused.value) == f"文件过大（{len(data) / MB:.1f} MB），不能超过 5 MB。"


def test_a_file_exactly_at_the_cap_is_not_refused_for_its_size():
    data = package(DOCUMENT)
    assert check_zip_package(data, DOCX, max_bytes=len(data), max_unpacked=50 * MB)


@pytest.mark.parametrize("kind, words", [(DOCX, "文件不是有效的 .docx 文档（请用 Word 或 WPS 另存为 .docx 格式）。"),
                                         (XLSX, "文件不是有效的 .xlsx 工作簿（请用 Excel 或 WPS 另存为 .xlsx 格式）。")])
def test_a_file_that_is_not_a_zip_is_refused_saying_how_to_save_it(kind, words):
    for data in (b"%PDF-1.7 a pdf", b"", "规划".encode()):
        with pytest.raises(PackageRejected) as refused:
            check_zip_package(data, kind, **LIMITS)
        assert str(refused.value) == words


def test_a_zip_signature_followed_by_garbage_is_refused_as_damaged():
    with pytest.raises(PackageRejected) as refused:
        check_zip_package(b"PK\x03\x04 not really a zip", XLSX, **LIMITS)
    assert str(refused.value) == "文件已损坏或不是有效的 .xlsx 工作簿。"


def test_a_zip_cut_in_half_is_refused_as_damaged():
    data = package({**DOCUMENT, "word/media/image.bin": bytes(range(256)) * 400})
    with pytest.raises(PackageRejected, match="已损坏"):
        check_zip_package(data[: len(data) // 2], DOCX, **LIMITS)


def test_a_zip_bomb_is_refused_by_its_unpacked_size_without_unpacking_it():
    bomb = package({**DOCUMENT, "word/media/huge.bin": b"\0" * (51 * MB)})
    assert len(bomb) < 5 * MB
    with pytest.raises(PackageRejected) as refused:
        check_zip_package(bomb, DOCX, **LIMITS)
    assert str(refused.value) == "文件解压后过大，疑似压缩炸弹，已拒绝。"


def test_the_unpacked_cap_counts_every_part_together():
    parts = {**WORKBOOK, **{f"xl/media/{n}.bin": b"\0" * (2 * MB) for n in range(3)}}
    assert check_zip_package(package(parts), XLSX, max_bytes=5 * MB, max_unpacked=7 * MB)
    with pytest.raises(PackageRejected, match="压缩炸弹"):
        check_zip_package(package(parts), XLSX, max_bytes=5 * MB, max_unpacked=6 * MB)


def test_a_document_without_its_body_part_is_refused_naming_the_part():
    with pytest.raises(PackageRejected) as refused:
        check_zip_package(package({"[Content_Types].xml": b"<Types/>", "word/styles.xml": b"<x/>"}), DOCX, **LIMITS)
    assert str(refused.value) == "文件不是有效的 .docx 文档（缺少正文 word/document.xml）。"


@pytest.mark.parametrize("members", [
    {"xl/workbook.xml": b"<workbook/>"},                      # no [Content_Types].xml
    {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"},  # a Word document, not a workbook
    {"[Content_Types].xml": b"<Types/>", "xl/": b""},         # an empty xl/ folder holds no part
])
def test_a_workbook_without_its_required_parts_is_refused(members):
    with pytest.raises(PackageRejected) as refused:
        check_zip_package(package(members), XLSX, **LIMITS)
    assert str(refused.value) == "文件不是有效的 .xlsx 工作簿（缺少工作簿内容）。"


def test_a_part_whose_bytes_fail_their_checksum_is_refused_as_damaged_when_read():
    data = bytearray(package(DOCUMENT, compression=zipfile.ZIP_STORED))
    at = data.index(b"<w:document/>")
    data[at + 1] ^= 0xFF  # the stored bytes change, the CRC in the headers does not
    parts = check_zip_package(bytes(data), DOCX, **LIMITS)  # the directory is intact
    assert "word/document.xml" in parts
    with pytest.raises(PackageRejected, match="文件已损坏或不是有效的 .docx 文档"):
        read_zip_part(bytes(data), "word/document.xml", DOCX)


def test_the_messages_follow_the_active_language():
    with translation.override("en"):
        with pytest.raises(PackageRejected) as refused:
            check_zip_package(b"%PDF-1.7", XLSX, **LIMITS)
        assert str(refused.value) == "The file is not a valid .xlsx workbook (save it as .xlsx from Excel or WPS)."
        with pytest.raises(PackageRejected) as refused:
            check_zip_package(package({"[Content_Types].xml": b"<Types/>"}), DOCX, **LIMITS)
        assert str(refused.value) == "The file is not a valid .docx document (the body, word/document.xml, is missing)."
