"""Routes of reconciliation: ``api`` under /api/v1/, ``pages`` at the site root (ims_portal/urls.py)."""

from django.urls import path

import core.converters  # noqa: F401 (the "id" path converter)
from recon import api, views

api = [
    path("recon/<str:gstin>/settings", api.ReconSettingsApi.as_view(), name="api_recon_settings"),
    path("recon/<str:gstin>/<str:period>/summary", api.ReconSummaryApi.as_view(), name="api_recon_summary"),
    path(
        "recon/<str:gstin>/<str:period>/register", api.ReconRegisterApi.as_view(), name="api_recon_register"
    ),
    path("recon/<str:gstin>/<str:period>/rows", api.ReconRowsApi.as_view(), name="api_recon_rows"),
    path("recon/<str:gstin>/<str:period>/rows/<id:row_id>", api.ReconRowApi.as_view(), name="api_recon_row"),
    path(
        "recon/<str:gstin>/<str:period>/rows/<id:row_id>/unpair",
        api.ReconUnpairApi.as_view(),
        name="api_recon_unpair",
    ),
    path("recon/<str:gstin>/<str:period>/pairs", api.ReconPairApi.as_view(), name="api_recon_pair"),
    path("recon/<str:gstin>/<str:period>/apply", api.ReconApplyApi.as_view(), name="api_recon_apply"),
    path("recon/<str:gstin>/<str:period>/match", api.ReconMatchApi.as_view(), name="api_recon_match"),
    path("recon/<str:gstin>/<str:period>/export", api.ReconExportApi.as_view(), name="api_recon_export"),
]

pages = [
    path("g/<str:gstin>/reconciliation", views.recon, name="recon"),
    path("g/<str:gstin>/reconciliation/import", views.recon_import, name="recon_import"),
    path("g/<str:gstin>/reconciliation/map", views.recon_map, name="recon_map"),
    path("g/<str:gstin>/reconciliation/jobs/<id:job_id>", views.recon_job, name="recon_job"),
    path("g/<str:gstin>/reconciliation/rows/<id:match_id>", views.recon_row, name="recon_row"),
    path("g/<str:gstin>/reconciliation/apply", views.recon_apply, name="recon_apply"),
    path("g/<str:gstin>/reconciliation/match", views.recon_match, name="recon_match"),
    path("g/<str:gstin>/reconciliation/rules", views.recon_settings, name="recon_settings"),
    path("g/<str:gstin>/reconciliation/export.xlsx", views.recon_export, name="recon_export"),
    path("g/<str:gstin>/reconciliation/follow-up", views.recon_followup, name="recon_followup"),
]
