"""Routes of this module are included under /api/v1/ by ims_portal/urls.py."""

urlpatterns: list = []
