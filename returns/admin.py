from django.contrib import admin

from .models import Gstr3bFiling


@admin.register(Gstr3bFiling)
class Gstr3bFilingAdmin(admin.ModelAdmin):
    list_display = ["taxpayer", "period", "filed_at"]
    search_fields = ["taxpayer__gstin"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
