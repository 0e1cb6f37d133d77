"""报告文件格式: the one table of the formats a frozen report is written in.

Each format names its writer (a function of `indicators.reports.services`, looked up by name at
call time so a test or a deployment can replace it), the content type it is served with, the
report's file field that stores it, and the download file name. The generating task and the
download view read only this table: a new format is a row here, its writer, and its test.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportFormat:
    code: str
    label: str
    writer: str          # name of a function in indicators.reports.services: report → bytes
    content_type: str
    field: str           # EvaluationReport file field holding the written file

    def stored_name(self, report):
        """Name under MEDIA_ROOT/reports/ (ASCII: safe on every storage)."""
        return f"{report.plan.code}-{report.year}-{report.kind}.{self.code}"

    def download_name(self, report):
        """What the browser saves: 140826-2021-2025-2025年终期评估.docx."""
        return f"{report.plan.code}-{report.year}年{report.get_kind_display()}.{self.code}"

    def write(self, report):
        from indicators.reports import services

        return getattr(services, self.writer)(report)


FORMATS = {
    fmt.code: fmt for fmt in (
        ReportFormat("docx", "Word 报告", "write_docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ReportFormat("xlsx", "评估表", "write_xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    )
}


def get(code):
    """The format registered under `code`, or None."""
    return FORMATS.get(code)
