from django.apps import AppConfig


class GstnConfig(AppConfig):
    """The GSTN-compatible API (API.md "GSTN-compatible API"): GSTN's URLs, actions, shapes and codes over
    the same services as /api/v1/, so existing GST software can point at the portal. Sits above every app
    it speaks for; nothing imports it."""

    name = "gstn"

    def ready(self):
        # Job handlers register on import; a Celery worker loads no URLs, so import them here.
        from gstn import services  # noqa: F401
