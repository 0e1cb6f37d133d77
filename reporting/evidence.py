"""佐证材料: checking and attaching evidence files to any reviewed record.

A file is accepted by what it is, not by what it is called: the first bytes must be those of a
PDF, PNG, JPEG or an .xlsx workbook (a valid OOXML zip, not a zip bomb), and its name's extension
is made to follow that type (`pwn.html` holding JPEG bytes is kept and downloaded as `pwn.jpg`).
Files are stored under a random name outside the static root and served only through a
permission-checked view. Quotas (settings, with defaults): files and bytes per record (one value
or one year's project progress), and bytes per uploader.
"""
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext

from core import uploads
from reporting.models import Evidence

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (uploads.ZIP_SIGNATURE, XLSX_TYPE),
)
MAX_UNCOMPRESSED = 100 * 1024 * 1024


class EvidenceRejected(ValueError):
    """The message names the file and says why, in Chinese."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    media_type: str
    data: bytes


def clean_name(name):
    """A display name without paths, control characters or bidi overrides (kept only as data)."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base.strip()[:200] or "未命名文件"


def check_evidence(upload, max_bytes=None):
    """Read one uploaded file and return a CheckedFile, or raise EvidenceRejected."""
    max_bytes = max_bytes or settings.EVIDENCE_MAX_BYTES
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise EvidenceRejected(f"佐证材料「{name}」过大（{size / 1024 / 1024:.1f} MB），每个文件不能超过 {max_bytes // 1024 // 1024} MB。")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise EvidenceRejected(f"佐证材料「{name}」过大，每个文件不能超过 {max_bytes // 1024 // 1024} MB。")
    if not data:
        raise EvidenceRejected(f"佐证材料「{name}」是空文件。")
    media_type = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if media_type is None:
        raise EvidenceRejected(f"佐证材料「{name}」的文件类型不受支持，只接受 PDF、PNG、JPEG 图片和 .xlsx 工作簿。")
    if media_type == XLSX_TYPE:
        _check_workbook(name, data, max_bytes)
    return CheckedFile(name=name_for_type(name, media_type), media_type=media_type, data=data)


def _check_workbook(name, data, max_bytes):
    try:
        uploads.check_zip_package(data, uploads.XLSX, max_bytes=max_bytes, max_unpacked=MAX_UNCOMPRESSED)
    except uploads.PackageRejected as exc:
        raise EvidenceRejected(gettext("佐证材料「%(name)s」：%(problem)s") % {"name": name, "problem": exc}) from None


_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", XLSX_TYPE: ".xlsx"}
_ALSO_ACCEPTED = {"image/jpeg": {".jpeg"}}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def name_for_type(name, media_type):
    """`name` with the extension of the detected type: a browser opening the download goes by
    the extension, so `pwn.html` holding JPEG bytes must not come back as .html."""
    suffix = _SUFFIX[media_type]
    current = _EXTENSION.search(name)
    if current and current.group(0).lower() in {suffix} | _ALSO_ACCEPTED.get(media_type, set()):
        return name
    stem = name[: current.start()] if current else name
    return (stem or "未命名文件")[: 200 - len(suffix)] + suffix


def check_quotas(pairs, user):
    """Raise EvidenceRejected when adding the files would pass a quota. `pairs` is a list of
    (record, [CheckedFile, …]). Limits: files and bytes per record (settings.
    EVIDENCE_MAX_FILES_PER_RECORD / EVIDENCE_MAX_BYTES_PER_RECORD) and the uploader's total
    (EVIDENCE_MAX_BYTES_PER_USER). Callers check every record of a request before attaching any
    file, inside the saving transaction, so a refusal leaves nothing half-saved on disk either."""
    from django.db.models import Count, Sum

    pairs = [(record, files) for record, files in pairs if files]
    if not pairs:
        return
    max_files, max_record = settings.EVIDENCE_MAX_FILES_PER_RECORD, settings.EVIDENCE_MAX_BYTES_PER_RECORD
    for record, files in pairs:
        on_record = Evidence.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        existing = on_record.aggregate(count=Count("pk"), size=Sum("size"))
        if existing["count"] + len(files) > max_files:
            raise EvidenceRejected(
                f"每条数据最多附 {max_files} 个佐证材料（已有 {existing['count']} 个，本次 {len(files)} 个）。请删减后重试。")
        if (existing["size"] or 0) + sum(len(f.data) for f in files) > max_record:
            raise EvidenceRejected(f"每条数据的佐证材料合计不能超过 {max_record // 1024 // 1024} MB。请压缩或删减后重试。")
    max_user = settings.EVIDENCE_MAX_BYTES_PER_USER
    used = Evidence.objects.filter(uploaded_by=user).aggregate(size=Sum("size"))["size"] or 0
    if used + sum(len(f.data) for _, files in pairs for f in files) > max_user:
        raise EvidenceRejected(
            f"您上传的佐证材料合计已达上限 {max_user // 1024 // 1024} MB，本次未保存。请联系系统管理员。")


def attach(record, checked, user):
    """Store a checked file against `record`, within the quotas (check_quotas; callers check a
    whole request first). The stored name is random; the suffix is the real type's."""
    from django.core.files.base import ContentFile

    check_quotas([(record, [checked])], user)
    evidence = Evidence(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        original_name=checked.name, media_type=checked.media_type, size=len(checked.data), uploaded_by=user,
    )
    evidence.file.save("upload" + _SUFFIX[checked.media_type], ContentFile(checked.data), save=False)
    evidence.save()
    return evidence
