"""Reporting periods (reviewers open and close them) and the user's notifications."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.decorators import role_required
from core.http import redirect_back
from indicators.models import Plan

from reporting.models import Notification
from reporting.submission import open_period


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("数据年份"))
    deadline = forms.DateField(label=gettext_lazy("截止日期"), required=False, help_text=gettext_lazy("留空则为次年 3 月 31 日"))
    kept_open = forms.BooleanField(label=gettext_lazy("截止后保持开放（补报）"), required=False, initial=True)
    closed = forms.BooleanField(label=gettext_lazy("关闭"), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not self.plan.first_year <= year <= self.plan.final_year:
            raise forms.ValidationError(_("年份应在规划期 %(period)s 内。") % {"period": self.plan.period_label})
        return year


@role_required("reviewer", "admin")
def period_list(request, code):
    plan = get_object_or_404(Plan.objects.reviewable_by(request.user).select_related("region"), code=code)
    form = PeriodForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        open_period(plan, data["year"], request.user, deadline=data["deadline"], kept_open=data["kept_open"], closed=data["closed"])
        messages.success(request, _("已更新 %(year)s 年填报期。") % {"year": data["year"]})
        return redirect("period_list", code=plan.code)
    periods = plan.periods.all()
    return render(request, "reporting/period_list.html", {"plan": plan, "periods": periods, "form": form},
                  status=400 if form.errors else 200)


@login_required
def notification_list(request):
    notifications = request.user.notifications.all()[:100]
    return render(request, "reporting/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect_back(request, "notification_list")


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
