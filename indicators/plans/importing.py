"""One way in for a plan file, whatever its format: .xlsx (our template), .docx (the plan document
itself), .doc / .wps (converted to .docx by LibreOffice when it is installed).

`read_plan_file` returns a `PlanImport` — the PlanTable with its errors and warnings, as plain data;
`describe_import` turns it into the JSON shape of `manage.py import_plan --dry-run --json` and the
preview. Nothing here writes to the database. No Django imports.
"""
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from indicators.plans import docx as docx_reader
from indicators.plans.table import PlanTable, TableError, gettext_noop
from indicators.plans.targets import parse_target, parse_value
from indicators.plans.xlsx import WorkbookRejected, read_plan_table

logger = logging.getLogger(__name__)
CONVERSION_SECONDS = 60
CONVERTED_FORMATS = (".doc", ".wps")


class UploadRejected(Exception):
    """The file cannot be read as a plan at all; the message says why, in Chinese (`str`), or in
    the reader's language (`text(gettext)`): made from a msgid and its named placeholders, or from
    a reader's message, translated when the catalog holds it."""

    def __init__(self, msgid, **params):
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    def text(self, gettext):
        message = gettext(self.msgid)
        return message % self.params if self.params else message


@dataclass
class PlanImport:
    table: PlanTable | None
    errors: list[TableError]
    warnings: list[TableError] = field(default_factory=list)
    boxes: list = field(default_factory=list)          # 专栏 boxes of a .docx (docx.Box)
    source_format: str = ""                            # "xlsx" / "docx" / "doc" / "wps"


def read_plan_file(filename, data, max_bytes, *, regions=None, gettext=None):
    """Read an uploaded plan file by its extension. Raises UploadRejected. The problems keep their
    msgids, which a page translates when it shows them (`TableError.text`); `gettext` given here
    translates the .docx reader's split-row warning already while reading."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx":
        try:
            table, errors = read_plan_table(data, max_bytes)
        except WorkbookRejected as exc:
            raise UploadRejected(str(exc)) from None
        return PlanImport(table, errors, row_warnings(table) if table else [], source_format="xlsx")
    if suffix in CONVERTED_FORMATS:
        if len(data) > max_bytes:
            raise UploadRejected(gettext_noop("文件过大，不能超过 %(mb)s MB。"), mb=max_bytes // 1024 // 1024)
        data = convert_to_docx(data, suffix)
        filename = str(Path(filename).with_suffix(".docx"))
    elif suffix != ".docx":
        raise UploadRejected(gettext_noop("只能导入 .xlsx 模板或规划的 Word 文档（.docx；安装了 LibreOffice 时也可导入 .doc、.wps）。"))
    try:
        result = docx_reader.read_plan_docx(data, max_bytes, filename=filename, regions=regions, gettext=gettext)
    except docx_reader.DocumentRejected as exc:
        raise UploadRejected(str(exc)) from None
    except (ValueError, IndexError, KeyError, TypeError, RecursionError, MemoryError):
        # An upload is untrusted: a structure the reader did not foresee is the file's problem to
        # the administrator (400 with a message), and ours in the log.
        logger.exception("plan document could not be read: %s", filename)
        raise UploadRejected(gettext_noop("无法读取该文档的表格结构，请用 Word 打开后另存为 .docx 再上传，或改用 .xlsx 模板。")) from None
    warnings = result.warnings + (row_warnings(result.table) if result.table else [])
    return PlanImport(result.table, result.errors, warnings, result.boxes, source_format=suffix.lstrip(".") or "docx")


def convert_to_docx(data, suffix):
    """A .doc / .wps converted by LibreOffice headless, each run with its own profile and a time limit."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UploadRejected(gettext_noop("服务器未安装 LibreOffice，无法读取 %(suffix)s 文件。请在 Word 或 WPS 中将文档“另存为” .docx 格式后再上传。"),
                             suffix=suffix)
    with tempfile.TemporaryDirectory(prefix="plan-convert-") as work:
        source = Path(work) / f"plan{suffix}"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                   "--convert-to", "docx", "--outdir", work, str(source)]
        try:
            # Its own session, so that on a timeout the whole process group (soffice.bin included) is ended.
            process = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env={**os.environ, "HOME": work}, start_new_session=True)
        except OSError:
            raise UploadRejected(gettext_noop("无法启动 LibreOffice 转换文档，请另存为 .docx 后再上传。")) from None
        try:
            process.wait(timeout=CONVERSION_SECONDS)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
            raise UploadRejected(gettext_noop("文档转换超时（超过 %(seconds)s 秒），请另存为 .docx 后再上传。"),
                                 seconds=CONVERSION_SECONDS) from None
        converted = Path(work) / "plan.docx"
        if not converted.exists():
            raise UploadRejected(gettext_noop("无法转换该 %(suffix)s 文件（文件可能已损坏），请另存为 .docx 后再上传。"), suffix=suffix)
        return converted.read_bytes()


def row_warnings(table):
    """What a person should look at before confirming: cells the parser could not read."""
    warnings = []
    for row in table.rows:
        baseline = parse_value(row.baseline)
        if baseline.kind == "text":
            warnings.append(TableError.of(row.source_row, gettext_noop("基期现状"),
                                          gettext_noop("「%(raw)s」不是数值，评估时按文字处理。"), raw=row.baseline))
        for year, raw in sorted(row.targets.items()):
            spec = parse_target(raw)
            if spec.kind == "qualitative":
                warnings.append(TableError.of(row.source_row, gettext_noop("%(year)s年目标"),
                                              gettext_noop("「%(raw)s」无法自动识别，需人工判断。"), year=year, raw=raw))
            elif spec.kind == "none" and not row.shares_parent_target and raw == "":
                warnings.append(TableError.of(row.source_row, gettext_noop("%(year)s年目标"), gettext_noop("目标为空。"),
                                              year=year))
    return warnings


def _number(value):
    return None if value is None else float(value)


def describe_row(row, numbers_by_key):
    baseline = parse_value(row.baseline)
    targets = {}
    for year, raw in sorted(row.targets.items()):
        spec = parse_target(raw)
        targets[str(year)] = {"raw": raw, "kind": spec.kind, "number": _number(spec.value),
                              "low": _number(spec.low), "high": _number(spec.high)}
    return {
        "number": row.number,
        "name": row.name,
        "unit": row.unit,
        "baseline": {"raw": row.baseline, "kind": baseline.kind, "number": _number(baseline.number)},
        "targets": targets,
        "attribute": row.attribute_code or None,
        "responsible": row.responsible_names,
        "parent": numbers_by_key.get(row.parent) or row.parent or None,
    }


def describe_import(table, errors):
    """The dry-run contract: {"plan": {…}, "rows": [...], "errors": [...]}."""
    plan = None
    rows = []
    if table is not None:
        plan = {
            "code": table.code, "region_code": table.region_code, "region_name": table.region_name,
            "title": table.title, "issuer": table.issuer, "issue_date": table.issue_date,
            "base_year": table.base_year, "milestone_years": sorted(table.milestone_years),
            "midterm_year": table.midterm_year, "table_title": table.table_title, "notes": list(table.notes),
            "source_document": table.source_document,
        }
        numbers = {row.key: row.number or row.key for row in table.rows}
        rows = [describe_row(row, numbers) for row in table.rows]
    return {"plan": plan, "rows": rows,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in errors]}

