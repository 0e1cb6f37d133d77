from django.contrib import admin

from core.models import ApiToken


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
