from django.contrib import admin

from .models import FilingFrequency, Membership, Taxpayer


class FrequencyInline(admin.TabularInline):
    model = FilingFrequency
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Taxpayer)
class TaxpayerAdmin(admin.ModelAdmin):
    list_display = ["gstin", "legal_name", "trade_name", "state_code", "ims_start_period"]
    search_fields = ["gstin", "legal_name", "trade_name"]
    inlines = [FrequencyInline, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # The GSTIN and its state are validated at registration; they never change.
        return ["gstin", "state_code", "ims_start_period"] if obj else []

    def has_add_permission(self, request):
        # Registration goes through the service (GSTIN validation, late records ): use the API.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["taxpayer", "user", "role"]
    list_filter = ["role"]
    search_fields = ["taxpayer__gstin", "user__username"]
    autocomplete_fields = ["user", "taxpayer"]
