"""What every admin page of data the summaries read does after a change; and the API tokens' admin."""
from django.contrib import admin

from core import generations
from core.models import ApiToken


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke (delete) tokens; they are issued by their users only, since the
    key is shown once, on /account/token/."""

    list_display = ["user", "name", "prefix", "read_only", "created_at", "expires_at", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = list_display + ["key_hash", "password_stamp"]
    exclude = []

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
