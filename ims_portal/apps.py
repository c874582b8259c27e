from django.apps import AppConfig


class ImsPortalConfig(AppConfig):
    """The top layer: settings, URLs, Celery, the pages that span apps (dashboard, admin tools) and the demo
    data (seed_demo)."""

    name = "ims_portal"
    verbose_name = "IMS Portal"
