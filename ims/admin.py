"""Django admin: read-only. IMS records change only through the IMS services, which audit every change."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from ims.models import ImsAudit, ImsRecord


class AuditInline(admin.TabularInline):
    model = ImsAudit
    extra = 0
    can_delete = False
    fields = ["at", "by", "channel", "from_action", "to_action", "remarks", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImsRecord)
class ImsRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "recipient",
        "section",
        "stin",
        "number",
        "rtnprd",
        "itc_period",
        "action",
        "active",
    ]
    list_filter = ["section", "action", "active", "kept_out"]
    search_fields = ["number_key", "stin", "recipient__gstin"]
    list_select_related = ["recipient"]
    inlines = [AuditInline]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(ImsAudit)
class ImsAuditAdmin(ReadOnlyAdmin):
    list_display = ["at", "record_id", "by", "channel", "from_action", "to_action", "reason"]
    list_filter = ["channel"]
    show_full_result_count = False
