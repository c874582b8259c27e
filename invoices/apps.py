from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self):
        # Job handlers register on import; a Celery worker loads no URLs, so import them here.
        from invoices.services import bulk, excel, uploads  # noqa: F401
