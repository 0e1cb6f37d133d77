"""Which bureau users still owe values as a deadline approaches."""
from datetime import timedelta

from django.contrib.auth import get_user_model

from reporting.models import Notification, ReportingPeriod, default_deadline


def due_dates(today, days):
    """deadline date → days left, for each reminder distance."""
    return {today + timedelta(days=d): d for d in days}


def _periods_due(deadlines):
    """Stored periods with one of `deadlines`, plus the implied default periods (31 March) of
    plans that have no stored period for that year — most years are never stored."""
    from indicators.models import Plan

    periods = list(ReportingPeriod.objects.filter(deadline__in=deadlines, closed=False).select_related("plan__region"))
    for deadline in deadlines:
        year = deadline.year - 1
        if default_deadline(year) != deadline:
            continue
        stored = ReportingPeriod.objects.filter(year=year).values_list("plan_id", flat=True)
        for plan in Plan.objects.exclude(pk__in=stored).select_related("region"):
            if plan.first_year <= year <= plan.final_year:
                periods.append(ReportingPeriod.default_for(plan, year))
    return periods


def deadline_reminders(today, days):
    from indicators.models import Indicator, IndicatorValue

    reminders = []
    deadlines = due_dates(today, days)
    for period in _periods_due(deadlines):
        days_left = deadlines[period.deadline]
        done = set(
            IndicatorValue.objects.filter(indicator__plan=period.plan, year=period.year, state__in=["submitted", "approved"])
            .values_list("indicator_id", flat=True)
        )
        missing_by_bureau = {}
        for indicator in Indicator.objects.filter(plan=period.plan).prefetch_related("bureaus", "parent__bureaus"):
            if indicator.pk in done:
                continue
            # a sub-row is entered by its own bureaus and by those of its parent row (see scoping)
            bureaus = {b.pk for b in indicator.bureaus.all()}
            if indicator.parent_id:
                bureaus |= {b.pk for b in indicator.parent.bureaus.all()}
            for bureau_id in bureaus:
                missing_by_bureau[bureau_id] = missing_by_bureau.get(bureau_id, 0) + 1
        users = get_user_model().objects.filter(profile__bureau_id__in=missing_by_bureau, profile__role="staff", is_active=True)
        for user in users.select_related("profile"):
            count = missing_by_bureau[user.profile.bureau_id]
            reminders.append(Notification(
                user=user, kind=Notification.Kind.DEADLINE,
                message=f"{period.plan.region.name} {period.year} 年数据将于 {period.deadline:%Y-%m-%d} 截止（还有 {days_left} 天），您部门尚有 {count} 项指标未提交。",
                url=f"/entry/{period.plan.code}/{period.year}/",
                # plan and year, not the period's id: an implied period has none
                dedupe_key=f"deadline:{period.plan_id}:{period.year}:{period.deadline:%Y%m%d}:{days_left}:{user.pk}",
            ))
    before = Notification.objects.filter(kind=Notification.Kind.DEADLINE).count()
    Notification.objects.bulk_create(reminders, ignore_conflicts=True)
    return Notification.objects.filter(kind=Notification.Kind.DEADLINE).count() - before
