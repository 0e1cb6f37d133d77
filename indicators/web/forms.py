from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("规划指标表（.xlsx 模板，或规划的 Word 文档 .docx）"),
        help_text=_("可上传规划页面下载的 .xlsx 模板，或印发的规划 Word 文档（.docx；服务器装有 LibreOffice 时也可上传 .doc、.wps），不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.docx,.doc,.wps"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件过大，不能超过 5 MB。"))
        return upload
