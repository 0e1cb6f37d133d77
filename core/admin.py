"""What every admin page of data the summaries read does after a change."""
from core import generations


class RenewsSummaries:
    """ModelAdmin mixin: a save or delete in /admin/ renews the region summaries (the admin's
    write path, like every other, raises the data generation itself)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.after_change(request, form.instance)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        generations.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        generations.bump()

    def after_change(self, request, obj):
        """Runs after the object and its inlines are saved (in the admin's transaction)."""
        generations.bump()
