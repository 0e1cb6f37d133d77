from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("规划指标表（.xlsx）"), help_text=_("请使用规划页面下载的模板格式，不超过 5 MB。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件过大，不能超过 5 MB。"))
        return upload
