from django.apps import AppConfig


class CustomsConfig(AppConfig):
    """The customs feed (R-10.1): bills of entry reported by ICEGATE, validated and written into their
    importers' IMS. Sits above ``ims`` (whose records it writes) and beside the supplier's ``invoices``."""

    name = "customs"

    def ready(self):
        # Job handlers register on import; a Celery worker loads no URLs, so import them here.
        from customs import services  # noqa: F401
