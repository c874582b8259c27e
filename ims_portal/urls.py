"""The site's routes: each app's ``api`` list under /api/v1/ and its ``pages`` at the root. Every app's
routes are distinct by their literal parts and typed ids, so their order here does not matter."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api import api_not_found
from customs import urls as customs_urls
from gstn import urls as gstn_urls
from ims import urls as ims_urls
from ims_portal import api
from ims_portal.views import admin_tools, alerts, cockpit, dashboard, health, metrics, signin
from invoices import urls as invoices_urls
from jobs import urls as jobs_urls
from recon import urls as recon_urls
from returns import urls as returns_urls
from taxpayers import urls as taxpayers_urls

api_v1 = [
    *taxpayers_urls.api,
    *jobs_urls.api,
    *ims_urls.api,
    *invoices_urls.api,
    *customs_urls.api,
    *returns_urls.api,
    *recon_urls.api,
    path("admin/clock", api.ClockApi.as_view(), name="api_admin_clock"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # The one fallback: a path under /api/v1/ that matches nothing above answers the JSON 404 body.
    re_path(r"^.*$", api_not_found),
]

pages = [
    # Browsers ask for /favicon.ico whatever the page says: answer with the icon rather than a 404.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg")), name="favicon"),
    path("", dashboard.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("switch", dashboard.switch, name="switch"),
    path("cockpit/", cockpit.cockpit, name="cockpit"),
    path("alerts/", alerts.alerts, name="alerts"),
    path("g/<str:gstin>/webhooks", alerts.webhooks, name="webhooks"),
    path("g/<str:gstin>/", dashboard.dashboard, name="dashboard"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out-others", signin.sign_out_others, name="sign_out_others"),
    path("admin-tools/", admin_tools.admin_tools, name="admin_tools"),
    path("admin-tools/gstr2b-generate", admin_tools.admin_gstr2b_generate, name="admin_gstr2b_generate"),
    path("admin-tools/pending-expiry", admin_tools.admin_pending_expiry, name="admin_pending_expiry"),
    path("admin-tools/clock", admin_tools.admin_clock, name="admin_clock"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    *gstn_urls.taxpayerapi,
    path("admin/", admin.site.urls),
    *pages,
    *jobs_urls.pages,
    *ims_urls.pages,
    *invoices_urls.pages,
    *returns_urls.pages,
    *recon_urls.pages,
    *gstn_urls.pages,
]

handler404 = "ims_portal.views.errors.not_found"
handler500 = "ims_portal.views.errors.server_error"
