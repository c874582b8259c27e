from django.urls import path

from returns import views

urlpatterns = [
    path("g/<str:gstin>/gstr2b/", views.gstr2b_home, name="gstr2b_home"),
    path("g/<str:gstin>/gstr3b/", views.gstr3b_home, name="gstr3b_home"),
    path("jobs/", views.jobs, name="jobs"),
    path("admin-tools/", views.admin_tools, name="admin_tools"),
]
