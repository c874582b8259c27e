from django.urls import path

from invoices import views, views_excel, views_supplier, views_uploads

urlpatterns = [
    path("g/<str:gstin>/ims/inward", views.ims_inward, name="ims_inward"),
    path("g/<str:gstin>/ims/inward/actions", views.ims_inward_actions, name="ims_inward_actions"),
    path("g/<str:gstin>/ims/inward/count", views.ims_inward_count, name="ims_inward_count"),
    path("g/<str:gstin>/ims/inward/bulk", views.ims_inward_bulk, name="ims_inward_bulk"),
    path("g/<str:gstin>/ims/inward/import", views_excel.ims_import, name="ims_import"),
    path("g/<str:gstin>/ims/inward/import/<int:job_id>", views_excel.ims_import_job, name="ims_import_job"),
    path("g/<str:gstin>/ims/inward/<str:record_id>", views.ims_record, name="ims_record"),
    path("g/<str:gstin>/ims/outward", views_supplier.ims_outward, name="ims_outward"),
    path("g/<str:gstin>/gstr1/", views_supplier.gstr1_home, name="gstr1_home"),
    path("g/<str:gstin>/gstr1/<str:period>", views_supplier.gstr1_period, name="gstr1_period"),
    path("g/<str:gstin>/gstr1/<str:period>/upload", views_supplier.gstr1_upload, name="gstr1_upload"),
    path("g/<str:gstin>/gstr1/<str:period>/uploads", views_uploads.gstr1_uploads, name="gstr1_uploads"),
    path(
        "g/<str:gstin>/gstr1/<str:period>/uploads/<int:job_id>",
        views_uploads.gstr1_upload_outcome,
        name="gstr1_upload_outcome",
    ),
    path("jobs/<int:job_id>/errors.json", views_uploads.job_errors_json, name="job_errors_json"),
    path("g/<str:gstin>/gstr1/<str:period>/file", views_supplier.gstr1_file, name="gstr1_file"),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/new",
        views_supplier.gstr1_document_new,
        name="gstr1_document_new",
    ),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/<int:doc_id>/edit",
        views_supplier.gstr1_document_edit,
        name="gstr1_document_edit",
    ),
    path(
        "g/<str:gstin>/gstr1/<str:period>/documents/<int:doc_id>/delete",
        views_supplier.gstr1_document_delete,
        name="gstr1_document_delete",
    ),
]
