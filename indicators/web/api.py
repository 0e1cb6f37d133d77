"""Read API for plans. Scope comes from the same queryset methods as the pages."""
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.labels import phrase
from reporting.services import StaleRecord
from reporting.workflow import TransitionError

from indicators.review.services import review_value
from indicators.results.selectors import parse_year, plan_rows, plan_summary
from indicators.models import Indicator, IndicatorValue, Plan, targets_prefetch
from indicators.web.serializers import (
    EvaluationSerializer,
    PlanDetailSerializer,
    PlanSummarySerializer,
    ReasonSerializer,
    ValueDetailSerializer,
    ValueItemSerializer,
    ValueSerializer,
)
from indicators.entry.services import EntryInput, SubmissionRejected, save_entries

MAX_BATCH = 500


class PlanListApi(ListAPIView):
    serializer_class = PlanSummarySerializer
    pagination_class = None

    def get_queryset(self):
        return Plan.objects.visible_to(self.request.user).select_related("region", "parent")


class PlanDetailApi(APIView):
    @extend_schema(responses=PlanDetailSerializer)
    def get(self, request, code):
        plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region", "parent"), code=code)
        indicators = (
            plan.indicators.visible_to(request.user).select_related("parent", "measure")
            .prefetch_related(targets_prefetch("targets", "assignments"), targets_prefetch("parent__targets", "assignments"), "bureaus").order_by("order")
        )
        return Response(PlanDetailSerializer(plan, context={"indicators": indicators}).data)


def _indicator_lookup(plan, user):
    """序号 or row key → indicator, for the rows this user may enter."""
    lookup = {}
    for indicator in Indicator.objects.editable_by(user).filter(plan=plan):
        lookup.setdefault(indicator.key, indicator)
        if indicator.number:
            lookup.setdefault(indicator.number, indicator)
    return lookup


class PlanValuesApi(APIView):
    """Write yearly values in one batch: all are saved, or none and every error is returned."""

    @extend_schema(request=ValueItemSerializer(many=True), responses={201: ValueSerializer(many=True)})
    def post(self, request, code):
        plan = get_object_or_404(Plan.objects.visible_to(request.user), code=code)
        if not isinstance(request.data, list) or not request.data:
            return Response({"errors": [{"index": None, "field": "body", "message": "请求体应为非空的 JSON 数组。"}]}, status=400)
        if len(request.data) > MAX_BATCH:
            return Response({"errors": [{"index": None, "field": "body", "message": f"每次最多提交 {MAX_BATCH} 项。"}]}, status=400)
        items = ValueItemSerializer(data=request.data, many=True)
        if not items.is_valid():
            # DRF reports a list's errors as a list (one entry per item) or, in newer versions, as {index: errors}
            per_item = items.errors.items() if isinstance(items.errors, dict) else enumerate(items.errors)
            errors = [{"index": i, "field": field, "message": "；".join(str(m) for m in messages)}
                      for i, item_errors in sorted(per_item, key=lambda pair: pair[0]) for field, messages in item_errors.items()]
            return Response({"errors": errors}, status=400)
        lookup = _indicator_lookup(plan, request.user)
        errors, groups, seen = [], {}, set()
        for index, item in enumerate(items.validated_data):
            indicator = lookup.get(item["number"].strip())
            if indicator is None:
                errors.append({"index": index, "field": "number", "message": f"序号「{item['number']}」不存在或不属于您部门填报的指标。"})
                continue
            if (indicator.pk, item["year"]) in seen:
                errors.append({"index": index, "field": "number",
                               "message": f"序号「{item['number']}」的 {item['year']} 年数据在本批中重复出现。"})
                continue
            seen.add((indicator.pk, item["year"]))
            entry = EntryInput(indicator_id=indicator.pk, raw=item["value"], judgement=item["judgement"], source=item["source"],
                               note=item["note"], explanation=item["explanation"], rate_mode=item["rate_mode"],
                               version=item["version"], label=item["number"])
            groups.setdefault((item["year"], item["submit"]), []).append((index, entry))
        saved = {}
        try:
            with transaction.atomic():
                for (year, submit), members in groups.items():
                    try:
                        values = save_entries(request.user, plan, year, [entry for _, entry in members], submit=submit)
                    except SubmissionRejected as rejected:
                        errors.extend({"index": members[e.index][0] if e.index >= 0 else None, "field": e.field,
                                       "message": e.message} for e in rejected.errors)
                        continue
                    by_indicator = {v.indicator_id: v for v in values}
                    for index, entry in members:
                        if entry.indicator_id in by_indicator:
                            saved[index] = by_indicator[entry.indicator_id]
                if errors:
                    raise SubmissionRejected([])
        except SubmissionRejected:
            conflict = all(e["field"] == "version" for e in errors)
            return Response({"errors": sorted(errors, key=lambda e: (e["index"] is None, e["index"] or 0))},
                            status=409 if conflict else 400)
        results = [{"index": i, **ValueSerializer(v).data} for i, v in sorted(saved.items())]
        return Response({"results": results}, status=201)


class ValueApi(APIView):
    @extend_schema(responses=ValueDetailSerializer)
    def get(self, request, pk):
        value = get_object_or_404(IndicatorValue.objects.visible_to(request.user).select_related("indicator__plan"), pk=pk)
        return Response(ValueDetailSerializer(value).data)


class ValueActionApi(APIView):
    """approve / return / reopen one value (reason required for return and reopen)."""

    action = None

    @extend_schema(request=ReasonSerializer, responses=ValueDetailSerializer)
    def post(self, request, pk):
        value = get_object_or_404(IndicatorValue.objects.reviewable_by(request.user).select_related("indicator__plan__region"), pk=pk)
        body = ReasonSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        try:
            value = review_value(value, self.action, request.user, reason=body.validated_data["reason"],
                                 expected_version=body.validated_data["version"])
        except TransitionError as exc:
            return Response({"errors": [{"field": "state", "message": str(exc)}]}, status=400)
        except StaleRecord as exc:
            return Response({"errors": [{"field": "version", "message": str(exc)}]}, status=409)
        return Response(ValueDetailSerializer(value).data)


class PlanEvaluationApi(APIView):
    """GET ?year=Y: each visible indicator's status with the numbers and rule behind it, and the
    plan's `summary` (counts as the plan numbers them, the verdict and its reason; see
    `results.selectors.plan_summary`). `explanation` and `grade_reason` are in the request's
    language: Chinese by default, English with Accept-Language: en."""

    @extend_schema(parameters=[OpenApiParameter("year", int, required=False)], responses=EvaluationSerializer)
    def get(self, request, code):
        plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("region"), code=code)
        year = parse_year(plan, request.query_params.get("year"))
        rows, totals, _categories, _bureaus = plan_rows(plan, request.user, year)
        indicators = []
        for row in rows:
            result, indicator = row.result, row.indicator
            indicators.append({
                "number": indicator.number, "key": indicator.key, "name": indicator.name, "binding": indicator.is_binding,
                "status": row.status, "completion": result.completion if result else None,
                "time_progress": result.time_progress if result else None,
                "value": result.value if result and result.value else None,
                "value_year": result.value_year if result else None, "stale": bool(result and result.stale),
                "binding_failed": bool(result and result.binding_failed),
                "target": {str(t.year): t.raw for t in indicator.targets.all()},
                "forecast": result.forecast if result else None,
                "forecast_status": (result.forecast_status or None) if result else None,
                # In the request's language (Chinese unless Accept-Language asks otherwise).
                "explanation": "\n".join(result.explanation_lines) if result else "",
            })
        summary = plan_summary(plan, year)
        summary["grade_reason"] = phrase(summary["grade_reason"])
        return Response({"plan": plan.code, "year": year, "indicators": indicators, "totals": totals,
                         "summary": summary})
