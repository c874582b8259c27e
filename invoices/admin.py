"""Django admin: read-mostly. Documents and IMS records change only through the services, which
validate, audit and keep the recipient's copy in step; filed documents are immutable (R-3.8)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from invoices.models import Document, ReturnFiling


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "section", "supplier", "ctin", "period", "form", "filed_at", "txval"]
    list_filter = ["section", "form", "doc_type"]
    search_fields = ["number_key", "ctin", "supplier__gstin"]
    list_select_related = ["supplier"]
    show_full_result_count = False


@admin.register(ReturnFiling)
class ReturnFilingAdmin(ReadOnlyAdmin):
    list_display = ["taxpayer", "form", "period", "filed_at", "documents"]
    list_filter = ["form"]
    search_fields = ["taxpayer__gstin"]
