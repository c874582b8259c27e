from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from invoices import api as inv
from taxpayers import api as tp

api_v1 = [
    path("auth/token", tp.TokenApi.as_view()),
    path("taxpayers", tp.TaxpayerListApi.as_view()),
    path("taxpayers/<str:gstin>", tp.TaxpayerDetailApi.as_view()),
    path("taxpayers/<str:gstin>/frequency", tp.FrequencyApi.as_view()),
    path("taxpayers/<str:gstin>/members", tp.MemberListApi.as_view()),
    path("taxpayers/<str:gstin>/members/<str:username>", tp.MemberDetailApi.as_view()),
    path("users", tp.UserCreateApi.as_view()),
    path("admin/clock", tp.ClockApi.as_view()),
    path("", include("invoices.api_uploads")),
    path("gstr1/<str:gstin>/<str:period>", inv.Gstr1Api.as_view()),
    path("gstr1/<str:gstin>/<str:period>/documents", inv.DocumentsApi.as_view()),
    path("gstr1/<str:gstin>/<str:period>/documents/<int:doc_id>", inv.DocumentDeleteApi.as_view()),
    path("gstr1/<str:gstin>/<str:period>/file", inv.FileApi.as_view()),
    path("", include("invoices.api_bulk")),
    path("", include("invoices.api_excel")),
    path("ims/<str:gstin>/summary", inv.ImsSummaryApi.as_view()),
    path("ims/<str:gstin>/inward", inv.ImsListApi.as_view()),
    path("ims/<str:gstin>/inward/actions", inv.ImsActionsApi.as_view()),
    path("ims/<str:gstin>/inward/<str:record_id>", inv.ImsDetailApi.as_view()),
    path("", include("returns.api")),
    path("", include("returns.api_3b")),
    path("", include("returns.api_jobs")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("", include("taxpayers.urls")),
    path("", include("invoices.urls")),
    path("", include("returns.urls")),
]
