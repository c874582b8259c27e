"""Django admin: read-mostly. Documents and IMS records change only through the services, which
validate, audit and keep the recipient's copy in step; filed documents are immutable (R-3.8)."""

from django.contrib import admin

from .models import Document, ImsAudit, ImsRecord, ReturnFiling


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "section", "supplier", "ctin", "period", "form", "filed_at", "txval"]
    list_filter = ["section", "form", "doc_type"]
    search_fields = ["number_key", "ctin", "supplier__gstin"]
    list_select_related = ["supplier"]
    show_full_result_count = False


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


@admin.register(ReturnFiling)
class ReturnFilingAdmin(ReadOnlyAdmin):
    list_display = ["taxpayer", "form", "period", "filed_at", "documents"]
    list_filter = ["form"]
    search_fields = ["taxpayer__gstin"]


@admin.register(ImsAudit)
class ImsAuditAdmin(ReadOnlyAdmin):
    list_display = ["at", "record_id", "by", "channel", "from_action", "to_action", "reason"]
    list_filter = ["channel"]
    show_full_result_count = False
