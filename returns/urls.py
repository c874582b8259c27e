"""Routes of the returns app: ``api`` under /api/v1/, ``pages`` at the site root (ims_portal/urls.py)."""

from django.urls import path

import core.converters  # noqa: F401 (the "id" path converter)
from returns.api import addbacks, admin, gstr2b, gstr3b
from returns.views import gstr2b as gstr2b_pages
from returns.views import gstr3b as gstr3b_pages
from returns.views import outward

api = [
    path("gstr2b/<str:gstin>/<str:period>", gstr2b.Gstr2bApi.as_view(), name="api_gstr2b"),
    path(
        "gstr2b/<str:gstin>/<str:period>/export", gstr2b.Gstr2bExportApi.as_view(), name="api_gstr2b_export"
    ),
    path("gstr2b/<str:gstin>/<str:period>/diff", gstr2b.Gstr2bDiffApi.as_view(), name="api_gstr2b_diff"),
    path(
        "gstr2b/<str:gstin>/<str:period>/versions",
        gstr2b.Gstr2bVersionsApi.as_view(),
        name="api_gstr2b_versions",
    ),
    path(
        "gstr2b/<str:gstin>/<str:period>/versions/<id:version>",
        gstr2b.Gstr2bVersionApi.as_view(),
        name="api_gstr2b_version",
    ),
    path(
        "gstr2b/<str:gstin>/<str:period>/generate",
        gstr2b.Gstr2bGenerateApi.as_view(),
        name="api_gstr2b_generate",
    ),
    path("gstr3b/<str:gstin>/<str:period>", gstr3b.Gstr3bApi.as_view(), name="api_gstr3b"),
    path("gstr3b/<str:gstin>/<str:period>/file", gstr3b.Gstr3bFileApi.as_view(), name="api_gstr3b_file"),
    path("ims/<str:gstin>/outward/addbacks", addbacks.OutwardAddbacksApi.as_view(), name="api_ims_addbacks"),
    path("admin/gstr2b/generate", admin.AdminGstr2bGenerateApi.as_view(), name="api_admin_gstr2b_generate"),
]

pages = [
    path("g/<str:gstin>/gstr2b/", gstr2b_pages.gstr2b_home, name="gstr2b_home"),
    path("g/<str:gstin>/gstr2b/<str:period>", gstr2b_pages.gstr2b_period, name="gstr2b_period"),
    path("g/<str:gstin>/gstr2b/<str:period>/export.xlsx", gstr2b_pages.gstr2b_export, name="gstr2b_export"),
    path(
        "g/<str:gstin>/gstr2b/<str:period>/recompute", gstr2b_pages.gstr2b_recompute, name="gstr2b_recompute"
    ),
    path("g/<str:gstin>/gstr3b/", gstr3b_pages.gstr3b_home, name="gstr3b_home"),
    path("g/<str:gstin>/gstr3b/<str:period>", gstr3b_pages.gstr3b_period, name="gstr3b_period"),
    path("g/<str:gstin>/gstr3b/<str:period>/file", gstr3b_pages.gstr3b_file, name="gstr3b_file"),
    path("g/<str:gstin>/ims/outward", outward.ims_outward, name="ims_outward"),
    path("g/<str:gstin>/ims/outward/export", outward.ims_outward_export, name="ims_outward_export"),
]
