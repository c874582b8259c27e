from django.urls import path

from invoices import views

urlpatterns = [
    path("g/<str:gstin>/ims/inward", views.ims_inward, name="ims_inward"),
    path("g/<str:gstin>/ims/outward", views.ims_outward, name="ims_outward"),
    path("g/<str:gstin>/gstr1/", views.gstr1_home, name="gstr1_home"),
]
