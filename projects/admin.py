from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import RenewsSummaries

from projects.models import Box, Project, ProjectProgress, Quantity, QuantityProgress


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["order", "name", "group", "bureau", "status"]
    readonly_fields = ["status"]
    show_change_link = True
    autocomplete_fields = ["bureau"]


@admin.register(Box)
class BoxAdmin(RenewsSummaries, admin.ModelAdmin):
    list_display = ["__str__", "plan", "scope_only", "project_count"]
    list_filter = ["scope_only", "plan"]
    list_select_related = ["plan"]
    search_fields = ["title", "text", "plan__code"]
    inlines = [ProjectInline]

    @admin.display(description="工程数")
    def project_count(self, obj):
        return obj.projects.count()


class QuantityInline(admin.TabularInline):
    model = Quantity
    extra = 0
    fields = ["order", "measure", "amount", "amount_max", "unit", "qualifier", "source_text", "manual"]
    readonly_fields = ["source_text", "manual"]


@admin.register(Project)
class ProjectAdmin(RenewsSummaries, SimpleHistoryAdmin):
    list_display = ["name", "plan", "box", "bureau", "status", "investment_wan", "start_year", "end_year"]
    list_filter = ["plan", "status", "synthetic"]
    list_select_related = ["plan", "box", "bureau__region"]
    search_fields = ["name", "content", "responsible", "plan__code"]
    autocomplete_fields = ["bureau", "counties", "indicators"]
    readonly_fields = ["status"]
    inlines = [QuantityInline]

    def save_formset(self, request, form, formset, change):
        """Quantities an administrator adds or edits are marked manual: reloading keeps them."""
        if formset.model is Quantity:
            for quantity_form in formset.forms:
                if quantity_form.has_changed() and not quantity_form.cleaned_data.get("DELETE"):
                    quantity_form.instance.manual = True
        super().save_formset(request, form, formset, change)


@admin.register(Quantity)
class QuantityAdmin(RenewsSummaries, SimpleHistoryAdmin):
    list_display = ["measure", "display_amount", "project", "manual"]
    list_filter = ["manual", "project__plan"]
    list_select_related = ["project"]
    search_fields = ["measure", "project__name"]
    autocomplete_fields = ["project"]

    def save_model(self, request, obj, form, change):
        obj.manual = True
        super().save_model(request, obj, form, change)


class QuantityProgressInline(admin.TabularInline):
    model = QuantityProgress
    extra = 0
    fields = ["quantity", "amount_done"]
    raw_id_fields = ["quantity"]


@admin.register(ProjectProgress)
class ProjectProgressAdmin(RenewsSummaries, SimpleHistoryAdmin):
    """Reports are entered and reviewed on the site, through the workflow; here they can be read
    and corrected, with every change kept in the history."""

    list_display = ["project", "year", "status", "state", "late", "updated_at"]
    list_filter = ["state", "status", "year", "late"]
    list_select_related = ["project"]
    search_fields = ["project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["state", "version", "created_by", "updated_by", "updated_at", "submitted_at", "reviewed_at",
                       "reviewed_by", "return_reason"]
    inlines = [QuantityProgressInline]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # the optimistic lock counts every save, including this one
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def after_change(self, request, report):
        report.project.refresh_status()  # the project's status is its latest approved report's
        super().after_change(request, report)


@admin.register(QuantityProgress)
class QuantityProgressAdmin(RenewsSummaries, SimpleHistoryAdmin):
    list_display = ["quantity", "progress", "amount_done"]
    list_select_related = ["quantity", "progress__project"]
    raw_id_fields = ["quantity", "progress"]
