from django.urls import path

from invoices import views, views_supplier

urlpatterns = [
    path("g/<str:gstin>/ims/inward", views.ims_inward, name="ims_inward"),
    path("g/<str:gstin>/ims/inward/actions", views.ims_inward_actions, name="ims_inward_actions"),
    path("g/<str:gstin>/ims/inward/<str:record_id>", views.ims_record, name="ims_record"),
    path("g/<str:gstin>/ims/outward", views_supplier.ims_outward, name="ims_outward"),
    path("g/<str:gstin>/gstr1/", views_supplier.gstr1_home, name="gstr1_home"),
    path("g/<str:gstin>/gstr1/<str:period>", views_supplier.gstr1_period, name="gstr1_period"),
    path("g/<str:gstin>/gstr1/<str:period>/upload", views_supplier.gstr1_upload, name="gstr1_upload"),
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
