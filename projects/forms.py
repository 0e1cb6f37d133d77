from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reporting import workflow
from reporting.labels import action_choices

from projects.models import Status, plain_number
from projects.progress import ProgressInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    """One project's progress for one year. Amounts are cumulative, to the end of that year."""

    status = forms.ChoiceField(label=_("进展状态"), choices=Status.choices)
    investment_done = forms.DecimalField(label=_("累计完成投资（万元）"), required=False, min_value=Decimal("0"),
                                         max_digits=16, decimal_places=4, help_text=_("截至当年年底"))
    narrative = forms.CharField(label=_("进展情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False,
        help_text=_("可选多个文件：PDF、PNG、JPEG 图片或 .xlsx 工作簿，每个不超过 %(mb)d MB。")
        % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, quantities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quantities = list(quantities)
        for quantity in self.quantities:
            self.fields[f"q_{quantity.pk}"] = forms.DecimalField(
                label=quantity.measure, required=False, min_value=Decimal("0"), max_digits=20, decimal_places=6,
                help_text=_("计划 %(amount)s；单位：%(unit)s") % {"amount": quantity.display_amount(), "unit": quantity.unit},
            )

    @classmethod
    def initial_from(cls, report):
        if report is None:
            return {}
        initial = {"status": report.status, "investment_done": plain_number(report.investment_done), "narrative": report.narrative,
                   "version": report.version}
        for row in report.quantity_rows.all():
            initial[f"q_{row.quantity_id}"] = plain_number(row.amount_done)
        return initial

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):  # a hidden field: the page was tampered with or is broken
            self.add_error(None, _("页面数据无效，请刷新页面后重新填写。"))
        return cleaned

    def quantity_fields(self):
        return [self[f"q_{q.pk}"] for q in self.quantities]

    def to_input(self):
        data = self.cleaned_data
        return ProgressInput(
            status=data["status"], investment_done=data.get("investment_done"), narrative=data.get("narrative") or "",
            quantities={q.pk: data.get(f"q_{q.pk}") for q in self.quantities}, version=data.get("version"),
            files=data.get("evidence") or [],
        )


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=action_choices(workflow.APPROVE, workflow.RETURN, workflow.REOPEN))
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
