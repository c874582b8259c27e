from django.urls import path

from returns import views

urlpatterns = [
    path("g/<str:gstin>/gstr2b/", views.gstr2b_home, name="gstr2b_home"),
    path("g/<str:gstin>/gstr2b/<str:period>", views.gstr2b_period, name="gstr2b_period"),
    path("g/<str:gstin>/gstr2b/<str:period>/recompute", views.gstr2b_recompute, name="gstr2b_recompute"),
    path("g/<str:gstin>/gstr3b/", views.gstr3b_home, name="gstr3b_home"),
    path("g/<str:gstin>/gstr3b/<str:period>", views.gstr3b_period, name="gstr3b_period"),
    path("g/<str:gstin>/gstr3b/<str:period>/file", views.gstr3b_file, name="gstr3b_file"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:job_id>", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress", views.job_progress, name="job_progress"),
    path("admin-tools/", views.admin_tools, name="admin_tools"),
    path("admin-tools/gstr2b-generate", views.admin_gstr2b_generate, name="admin_gstr2b_generate"),
    path("admin-tools/pending-expiry", views.admin_pending_expiry, name="admin_pending_expiry"),
    path("admin-tools/clock", views.admin_clock, name="admin_clock"),
]
