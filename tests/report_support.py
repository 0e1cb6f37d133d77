"""Helpers shared by the tests that freeze an evaluation report and read its files (this module
holds no tests)."""
from django.urls import reverse

from indicators.models import EvaluationReport


def freeze_final_report(client, code, capture_on_commit):
    """Freeze `code`'s final report as the client's user, confirming undecided items, with the
    generation task run (on commit, captured); the report, which must have been made."""
    with capture_on_commit(execute=True):
        client.post(reverse("report_list", args=[code]), {"kind": "final", "confirm": "1"})
    report = EvaluationReport.objects.get(plan__code=code, kind="final")
    assert report.state == "done", report.error
    return report


def download_report(client, report, fmt):
    """(response, bytes) of one of the report's files."""
    response = client.get(reverse("report_download", args=[report.plan.code, report.pk, fmt]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)
