"""Routes of the IMS app: ``api`` under /api/v1/, ``pages`` at the site root (ims_portal/urls.py). Record ids
are canonical integers (``id`` converter), so no route depends on the order of the others."""

from django.urls import path

import core.converters  # noqa: F401 (the "id" path converter)
from ims.api import admin, bulk, excel, records
from ims.api import proposals as proposals_api
from ims.views import excel as excel_pages
from ims.views import inward, proposals, record, rules

api = [
    path("ims/<str:gstin>/summary", records.ImsSummaryApi.as_view(), name="api_ims_summary"),
    path("ims/<str:gstin>/inward", records.ImsListApi.as_view(), name="api_ims_inward"),
    path("ims/<str:gstin>/inward/<id:record_id>", records.ImsDetailApi.as_view(), name="api_ims_record"),
    path("ims/<str:gstin>/inward/actions", records.ImsActionsApi.as_view(), name="api_ims_actions"),
    path("ims/<str:gstin>/inward/bulk", bulk.ImsBulkApi.as_view(), name="api_ims_bulk"),
    path("ims/<str:gstin>/proposals", proposals_api.ProposalsApi.as_view(), name="api_ims_proposals"),
    path(
        "ims/<str:gstin>/proposals/decide",
        proposals_api.ProposalsDecideApi.as_view(),
        name="api_ims_proposals_decide",
    ),
    path("ims/<str:gstin>/inward/export", excel.ImsExportApi.as_view(), name="api_ims_export"),
    path("ims/<str:gstin>/inward/import", excel.ImsImportApi.as_view(), name="api_ims_import"),
    path(
        "admin/sweeps/pending-expiry", admin.AdminPendingExpiryApi.as_view(), name="api_admin_pending_expiry"
    ),
]

pages = [
    path("g/<str:gstin>/ims/inward", inward.ims_inward, name="ims_inward"),
    path("g/<str:gstin>/ims/inward/actions", inward.ims_inward_actions, name="ims_inward_actions"),
    path("g/<str:gstin>/ims/inward/count", inward.ims_inward_count, name="ims_inward_count"),
    path("g/<str:gstin>/ims/inward/bulk", inward.ims_inward_bulk, name="ims_inward_bulk"),
    path("g/<str:gstin>/ims/inward/import", excel_pages.ims_import, name="ims_import"),
    path("g/<str:gstin>/ims/inward/export.xlsx", excel_pages.ims_export, name="ims_export"),
    path("g/<str:gstin>/ims/inward/import/<id:job_id>", excel_pages.ims_import_job, name="ims_import_job"),
    path("g/<str:gstin>/ims/inward/<id:record_id>", record.ims_record, name="ims_record"),
    path("g/<str:gstin>/ims/inward/<id:record_id>/act", record.ims_record_act, name="ims_record_act"),
    path("g/<str:gstin>/ims/proposals/decide", proposals.ims_proposals_decide, name="ims_proposals_decide"),
    path("g/<str:gstin>/maker-checker", proposals.maker_checker_set, name="maker_checker_set"),
    path("g/<str:gstin>/ims/inward/views", rules.saved_view_add, name="ims_saved_view_add"),
    path("g/<str:gstin>/ims/rules", rules.rules, name="ims_rules"),
]
