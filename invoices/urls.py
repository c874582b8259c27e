"""Routes of the invoices app: ``api`` under /api/v1/, ``pages`` at the site root (ims_portal/urls.py)."""

from django.urls import path

import core.converters  # noqa: F401 (the "id" path converter)
from invoices.api import documents, outward, uploads
from invoices.views import documents as document_pages
from invoices.views import periods
from invoices.views import rows as row_pages
from invoices.views import uploads as upload_pages

api = [
    path("gstr1/<str:gstin>/<str:period>", documents.Gstr1Api.as_view(), name="api_gstr1"),
    path(
        "gstr1/<str:gstin>/<str:period>/documents",
        documents.DocumentsApi.as_view(),
        name="api_gstr1_documents",
    ),
    path(
        "gstr1/<str:gstin>/<str:period>/documents/<id:doc_id>",
        documents.DocumentDeleteApi.as_view(),
        name="api_gstr1_document",
    ),
    path("gstr1/<str:gstin>/<str:period>/file", documents.FileApi.as_view(), name="api_gstr1_file"),
    path("gstr1/<str:gstin>/<str:period>/uploads", uploads.UploadsApi.as_view(), name="api_gstr1_uploads"),
    path("ims/<str:gstin>/outward", outward.OutwardApi.as_view(), name="api_ims_outward"),
]

pages = [
    path("g/<str:gstin>/gstr1/", periods.gstr1_home, name="gstr1_home"),
    path("g/<str:gstin>/gstr1/<str:period>", periods.gstr1_period, name="gstr1_period"),
    path("g/<str:gstin>/gstr1/<str:period>/upload", periods.gstr1_upload, name="gstr1_upload"),
    path("g/<str:gstin>/gstr1/<str:period>/file", periods.gstr1_file, name="gstr1_file"),
    path("g/<str:gstin>/gstr1/<str:period>/uploads", upload_pages.gstr1_uploads, name="gstr1_uploads"),
    path(
        "g/<str:gstin>/gstr1/<str:period>/uploads/<id:job_id>",
        upload_pages.gstr1_upload_outcome,
        name="gstr1_upload_outcome",
    ),
    path("jobs/<id:job_id>/errors.json", upload_pages.job_errors_json, name="job_errors_json"),
    path(
        "g/<str:gstin>/gstr1/<str:period>/tables/<str:table>/new",
        row_pages.gstr1_row_new,
        name="gstr1_row_new",
    ),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/new",
        document_pages.gstr1_document_new,
        name="gstr1_document_new",
    ),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/<id:doc_id>/edit",
        document_pages.gstr1_document_edit,
        name="gstr1_document_edit",
    ),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/<id:doc_id>/delete",
        document_pages.gstr1_document_delete,
        name="gstr1_document_delete",
    ),
]
