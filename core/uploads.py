"""Uploaded Office packages (.docx, .xlsx): what is refused before any parser sees the bytes.

An Office file is a zip package. Every upload of one goes through `check_zip_package`: not over
`max_bytes`; the zip signature (`PK\\x03\\x04`); a zip that opens; the parts its kind requires;
not more than `max_unpacked` bytes once unpacked (a zip bomb is a few KB that unpack to GBs). Its
one error, `PackageRejected`, carries a message in the active language naming the problem.
`read_zip_part` reads one part of a package that passed.

The sizes checked are the ones the zip's directory declares; Python's zipfile never unpacks more
than a part's declared size (and fails on a CRC mismatch), so the declared total bounds the work.
Pure functions: no database, no request; what a format needs beyond this (the .docx body's own
size cap, the .xlsx DTD scan) stays with its reader.
"""
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

ZIP_SIGNATURE = b"PK\x03\x04"
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError)


class PackageRejected(ValueError):
    """The upload cannot be a safe package of its kind; the message says why."""


@dataclass(frozen=True)
class PackageKind:
    """A package format: its name for messages, how to save a file in it, and its required parts —
    (part name, or a folder ending in "/" that must hold a part, what is missing without it)."""
    label: str
    save_as: str
    required: tuple[tuple[str, str], ...]


DOCX = PackageKind(gettext_noop(".docx 文档"), gettext_noop("请用 Word 或 WPS 另存为 .docx 格式"),
                   (("word/document.xml", gettext_noop("缺少正文 word/document.xml")),))
XLSX = PackageKind(gettext_noop(".xlsx 工作簿"), gettext_noop("请用 Excel 或 WPS 另存为 .xlsx 格式"),
                   (("[Content_Types].xml", gettext_noop("缺少工作簿内容")), ("xl/", gettext_noop("缺少工作簿内容"))))


def _not_valid(kind, reason):
    return PackageRejected(gettext("文件不是有效的 %(kind)s（%(reason)s）。") % {
        "kind": gettext(kind.label), "reason": gettext(reason)})


def _damaged(kind):
    return PackageRejected(gettext("文件已损坏或不是有效的 %(kind)s。") % {"kind": gettext(kind.label)})


def _has_part(names, part):
    return any(name.startswith(part) and name != part for name in names) if part.endswith("/") else part in names


def check_zip_package(data, kind, *, max_bytes, max_unpacked):
    """The package's parts by name ({name: ZipInfo}) when `data` (bytes) is a safe package of
    `kind` (DOCX, XLSX), or PackageRejected saying what is wrong: too large, not a zip, damaged,
    a required part missing, or too large unpacked."""
    if len(data) > max_bytes:
        raise PackageRejected(gettext("文件过大（%(size)s MB），不能超过 %(limit)s MB。") % {
            "size": f"{len(data) / 1024 / 1024:.1f}", "limit": max_bytes // 1024 // 1024})
    if not data.startswith(ZIP_SIGNATURE):
        raise _not_valid(kind, kind.save_as)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {info.filename: info for info in archive.infolist()}
    except _UNREADABLE:
        raise _damaged(kind) from None
    for part, missing in kind.required:
        if not _has_part(parts, part):
            raise _not_valid(kind, missing)
    if sum(info.file_size for info in parts.values()) > max_unpacked:
        raise PackageRejected(gettext("文件解压后过大，疑似压缩炸弹，已拒绝。"))
    return parts


def read_zip_part(data, name, kind):
    """The bytes of part `name` of a package that passed check_zip_package, or PackageRejected when
    the part cannot be unpacked (a CRC mismatch, a broken deflate stream, an encrypted part)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(name)
    except (*_UNREADABLE, KeyError, RuntimeError):
        raise _damaged(kind) from None
