"""API representations. Read-only shapes built from the models; no business rules here."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.http import MAX_VERSION
from indicators.assignments.selectors import assigned_json, assignment_for, target_text
from indicators.evaluation import STATUSES
from indicators.models import Indicator, Plan


def _decimal(value):
    return None if value is None else float(value)


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PlanSummarySerializer(serializers.ModelSerializer):
    region = RegionRefSerializer()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Plan
        fields = ["code", "title", "region", "issuer", "issue_date", "base_year", "milestone_years", "midterm_year",
                  "vision_years", "parent", "synthetic"]


class IndicatorSerializer(serializers.ModelSerializer):
    parent_number = serializers.SerializerMethodField()
    parent_key = serializers.SerializerMethodField()
    attribute = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    baseline = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()
    measure = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["key", "number", "category", "name", "parent_number", "parent_key", "unit", "attribute", "responsible",
                  "baseline", "targets", "direction", "value_type", "note", "measure", "shares_parent_target"]

    def get_parent_number(self, obj) -> str | None:
        return obj.parent.number if obj.parent_id else None

    def get_parent_key(self, obj) -> str | None:
        return obj.parent.key if obj.parent_id else None

    def get_attribute(self, obj) -> str | None:
        return obj.attribute or None

    def get_responsible(self, obj) -> list[str]:
        return [b.name for b in obj.bureaus.all()]

    @extend_schema_field({"type": "object", "properties": {"raw": {"type": "string"}, "value": {"type": "number", "nullable": True}, "year": {"type": "integer"}}})
    def get_baseline(self, obj):
        return {"raw": obj.baseline_raw, "value": _decimal(obj.baseline_value), "year": obj.baseline_year}

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "object", "properties": {
        "assigned": {"type": "object", "nullable": True, "properties": {
            "number": {"type": "number"}, "document": {"type": "string"}, "year": {"type": "integer"}}}}}})
    def get_targets(self, obj):
        """Each target with `assigned` (下达目标: number, document, year) or null while none is recorded.
        A sub-row sharing its parent's cell carries the number assigned under the parent's target."""
        parent_targets = {t.year: t for t in obj.parent.targets.all()} if obj.shares_parent_target and obj.parent_id else {}
        targets = {}
        for t in obj.targets.all():
            source = parent_targets.get(t.year) if not t.raw and t.year in parent_targets else t
            targets[str(t.year)] = {
                "raw": t.raw, "kind": t.kind, "value": _decimal(t.value), "low": _decimal(t.low), "high": _decimal(t.high),
                "description": target_text(t, obj) if t.raw else t.describe(),
                "assigned": assigned_json(assignment_for(source, obj)),
            }
        return targets

    def get_measure(self, obj) -> str | None:
        return obj.measure.code if obj.measure_id else None


class PlanDetailSerializer(PlanSummarySerializer):
    indicators = serializers.SerializerMethodField()

    class Meta(PlanSummarySerializer.Meta):
        fields = [*PlanSummarySerializer.Meta.fields, "table_title", "notes", "source_document", "indicators"]

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, obj):
        return IndicatorSerializer(self.context["indicators"], many=True).data


class ValueItemSerializer(serializers.Serializer):
    """One item of a write-API batch. `number` is the 序号 as printed (or the row key of a sub-row)."""

    number = serializers.CharField(max_length=20)
    year = serializers.IntegerField(min_value=1949, max_value=2100)
    value = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    judgement = serializers.ChoiceField(choices=["", "done", "mostly_done", "not_done"], required=False, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    explanation = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    rate_mode = serializers.ChoiceField(choices=["", "yearly", "cumulative"], required=False, default="")
    version = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None,
        help_text="The stored value's version as last read (GET …/values/); omit or 0 when none was stored. "
                  "A stale version is refused with 409, so a colleague's save is never overwritten unseen.")
    submit = serializers.BooleanField(required=False, default=False)


class StateChangeSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    user = serializers.CharField(source="user.get_username")
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class ValueSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    plan = serializers.CharField(source="indicator.plan.code")
    number = serializers.CharField(source="indicator.number")
    key = serializers.CharField(source="indicator.key")
    indicator = serializers.CharField(source="indicator.name")
    year = serializers.IntegerField()
    value = serializers.CharField(source="raw")
    number_value = serializers.SerializerMethodField()
    judgement = serializers.CharField()
    source = serializers.CharField()
    note = serializers.CharField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    late = serializers.BooleanField()
    synthetic = serializers.BooleanField()
    return_reason = serializers.CharField()

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_number_value(self, value):
        return _decimal(value.number)


class ValueDetailSerializer(ValueSerializer):
    history = serializers.SerializerMethodField()

    @extend_schema_field(StateChangeSerializer(many=True))
    def get_history(self, value):
        return StateChangeSerializer(value.state_changes.select_related("user"), many=True).data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # Required: the value's version as last read (GET …/values/{id}). Missing, out of range
    # (10^23) or not a number is a 400 — none of them may skip the optimistic-lock check.
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)


class EvaluationItemSerializer(serializers.Serializer):
    number = serializers.CharField()
    key = serializers.CharField()
    name = serializers.CharField()
    binding = serializers.BooleanField()
    status = serializers.ChoiceField(choices=list(STATUSES))
    completion = serializers.FloatField(allow_null=True)
    time_progress = serializers.FloatField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    value_year = serializers.IntegerField(allow_null=True)
    stale = serializers.BooleanField()
    binding_failed = serializers.BooleanField()
    target = serializers.DictField(child=serializers.CharField())
    forecast = serializers.FloatField(allow_null=True)
    forecast_status = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()


class EvaluationSummarySerializer(serializers.Serializer):
    """总体情况: counts as the plan numbers its indicators, and the plan's verdict."""
    indicators = serializers.IntegerField(help_text="规划所列指标数（子项不另计）")
    binding = serializers.IntegerField(help_text="约束性指标数")
    binding_met = serializers.IntegerField(help_text="已完成的约束性指标数")
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="状态 → 指标数")
    grade = serializers.ChoiceField(choices=["pass", "fail"], help_text="合格 / 不合格")
    grade_provisional = serializers.BooleanField(help_text="终期评估年之前为预评")
    grade_reason = serializers.CharField(help_text="判定理由")


class EvaluationSerializer(serializers.Serializer):
    plan = serializers.CharField()
    year = serializers.IntegerField()
    indicators = EvaluationItemSerializer(many=True)
    totals = serializers.DictField()
    summary = EvaluationSummarySerializer()
