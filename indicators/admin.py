from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from core.admin import RenewsSummaries

from indicators.models import Bureau, BureauAlias, Indicator, IndicatorTarget, Measure, Plan, Region
from indicators.results.services import recompute


@admin.register(Region)
class RegionAdmin(RenewsSummaries, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "synthetic"]
    list_filter = ["level", "synthetic"]
    search_fields = ["code", "name"]


class BureauAliasInline(admin.TabularInline):
    model = BureauAlias
    fk_name = "bureau"
    extra = 1
    fields = ["region", "alias"]


@admin.register(Bureau)
class BureauAdmin(RenewsSummaries, admin.ModelAdmin):
    list_display = ["name", "region", "is_ecology_environment"]
    list_filter = ["is_ecology_environment", "region__level"]
    search_fields = ["name", "region__name"]
    inlines = [BureauAliasInline]


@admin.register(BureauAlias)
class BureauAliasAdmin(RenewsSummaries, admin.ModelAdmin):
    list_display = ["alias", "bureau", "region"]
    search_fields = ["alias", "bureau__name"]
    autocomplete_fields = ["bureau"]


class TargetInlineForm(forms.ModelForm):
    """Optimistic lock: the version the administrator loaded rides along in a hidden field; saving
    over a target changed since (by another administrator or a plan import) is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = IndicatorTarget
        fields = ["year", "raw"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean_raw(self):
        from indicators.plans.table import MAX_NUMBER
        from indicators.plans.targets import parse_target

        raw = self.cleaned_data.get("raw") or ""
        spec = parse_target(raw)
        if any(n is not None and abs(n) >= MAX_NUMBER for n in (spec.value, spec.low, spec.high)):
            raise ValidationError("目标中的数值超出合理范围。")
        return raw

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            current = IndicatorTarget.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != cleaned.get("loaded_version"):
                raise ValidationError("该目标值已被他人修改（可能是重新导入了规划），您的修改未保存，请刷新页面后重试。")
        return cleaned

    def save(self, commit=True):
        if self.instance.pk and self.has_changed():
            self.instance.version += 1
        return super().save(commit)


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    form = TargetInlineForm
    extra = 0
    fields = ["year", "raw", "kind", "value", "low", "high", "loaded_version"]
    readonly_fields = ["kind", "value", "low", "high"]


@admin.register(Indicator)
class IndicatorAdmin(RenewsSummaries, SimpleHistoryAdmin):
    list_display = ["plan", "number", "name", "attribute", "direction", "measure"]
    list_filter = ["plan", "attribute", "direction", "value_type", ("measure", admin.EmptyFieldListFilter)]
    search_fields = ["name", "plan__code"]
    autocomplete_fields = ["measure", "bureaus", "predecessor"]
    readonly_fields = ["baseline_value", "baseline_kind", "baseline_cumulative"]
    inlines = [TargetInline]

    def save_model(self, request, obj, form, change):
        if "direction" in form.changed_data:
            obj.direction_manual = True
        if "predecessor" in form.changed_data:
            obj.predecessor_confirmed = True  # chosen by hand: no longer the automatic catalog match
        obj.refresh_derived()
        super().save_model(request, obj, form, change)

    def after_change(self, request, indicator):
        """The targets (inlines) are saved by now: derive what depends on them again, then store
        the indicator's evaluation anew — a target changed here counts at once, like everywhere."""
        before = (indicator.value_type, indicator.direction)
        indicator.refresh_derived()
        if (indicator.value_type, indicator.direction) != before:
            indicator.save(update_fields=["value_type", "direction"])
        recompute([indicator.pk])


@admin.register(Plan)
class PlanAdmin(RenewsSummaries, SimpleHistoryAdmin):
    list_display = ["code", "region", "title", "base_year", "synthetic"]
    list_filter = ["synthetic", "region__level"]
    search_fields = ["code", "title"]

    def after_change(self, request, plan):
        recompute(plans=[plan])  # base year, milestones and evaluation settings decide every result


@admin.register(Measure)
class MeasureAdmin(RenewsSummaries, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "linked"]
    search_fields = ["code", "name"]

    @admin.display(description="已关联指标数")
    def linked(self, obj):
        return obj.indicators.count()
