"""API representations of projects. Read-only shapes built from the models; no rules here."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import Project, ProjectProgress, Quantity


def _decimal(value):
    return None if value is None else float(value)


class QuantitySerializer(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField()
    amount_max = serializers.SerializerMethodField()

    class Meta:
        model = Quantity
        fields = ["id", "measure", "amount", "amount_max", "unit", "qualifier", "source_text"]

    def get_amount(self, obj) -> float:
        return _decimal(obj.amount)

    def get_amount_max(self, obj) -> float | None:
        return _decimal(obj.amount_max)


class ProgressSerializer(serializers.ModelSerializer):
    investment_done = serializers.SerializerMethodField()
    quantities = serializers.SerializerMethodField()

    class Meta:
        model = ProjectProgress
        fields = ["year", "status", "state", "late", "investment_done", "narrative", "quantities"]

    def get_investment_done(self, obj) -> float | None:
        return _decimal(obj.investment_done)

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "quantity": {"type": "integer"}, "amount_done": {"type": "number"}}}})
    def get_quantities(self, obj):
        return [{"quantity": r.quantity_id, "amount_done": _decimal(r.amount_done)} for r in obj.quantity_rows.all()]


class ProjectSerializer(serializers.ModelSerializer):
    box = serializers.SerializerMethodField()
    counties = serializers.SerializerMethodField()
    bureau = serializers.SerializerMethodField()
    investment_wan = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()
    quantities = QuantitySerializer(many=True, read_only=True)
    latest_progress = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "box", "group", "name", "content", "counties", "responsible", "bureau", "investment_wan",
                  "start_year", "end_year", "status", "indicators", "quantities", "latest_progress"]

    @extend_schema_field({"type": "object", "properties": {"number": {"type": "string"}, "title": {"type": "string"}}})
    def get_box(self, obj):
        return {"number": obj.box.number, "title": obj.box.title}

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}}}})
    def get_counties(self, obj):
        return [{"code": r.code, "name": r.name} for r in obj.counties.all()]

    def get_bureau(self, obj) -> str | None:
        return obj.bureau.name if obj.bureau_id else None

    def get_investment_wan(self, obj) -> float | None:
        return _decimal(obj.investment_wan)

    def get_indicators(self, obj) -> list[str]:
        return [i.key for i in obj.indicators.all()]

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_latest_progress(self, obj):
        reports = getattr(obj, "recent_progress", None)
        if reports is None:
            reports = list(obj.progress.order_by("-year")[:1])
        return ProgressSerializer(reports[0]).data if reports else None
