from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from indicators.entry.selectors import worklist
from indicators.models import IndicatorValue, Plan
from accounts.roles import user_role
from reporting import workflow

from core import health

HOME_PLANS = 12


@login_required
def home(request):
    """Each role's starting point: what to report, what to review, what to read."""
    role = user_role(request.user)
    plans = Plan.objects.visible_to(request.user).select_related("region")
    # An administrator of a national install sees thousands of plans: the first few here, the
    # rest on the (paginated, searchable) plan list.
    context = {"plans": plans[:HOME_PLANS], "plan_count": plans.count(), "role": role}
    if role == "staff":
        context["worklist"] = worklist(request.user)
    if role in ("reviewer", "admin"):
        context["pending_reviews"] = IndicatorValue.objects.reviewable_by(request.user).filter(state=workflow.SUBMITTED).count()
    context["unread"] = request.user.notifications.filter(read_at__isnull=True).count()
    return render(request, "core/home.html", context)


def trivial(request):
    """The benchmark yardstick: full middleware and auth, one tiny template, no queries of ours.
    Only with settings.BENCHMARK (benchmarks/run.py turns it on); a 404 for everyone else."""
    if not settings.BENCHMARK:
        raise Http404
    return _trivial_page(request)


@login_required
def _trivial_page(request):
    return render(request, "core/trivial.html")


@never_cache
@require_GET
def healthz(request):
    """200 or 503 for load balancers and container checks. Which dependency failed, and its
    error text, is told to administrators only: an outsider learns nothing about the internals."""
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    ok = all(passed for passed, _ in checks.values())
    body = {"status": "ok" if ok else "unavailable"}
    if _is_administrator(request):
        body["checks"] = {k: {"ok": p, "detail": d} for k, (p, d) in checks.items()}
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def _is_administrator(request):
    """Whether the session belongs to staff; False when that cannot be read (database down)."""
    try:
        return bool(request.user.is_authenticated and request.user.is_staff)
    except Exception:  # the session or user lookup needs the database that may be the one down
        return False


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
