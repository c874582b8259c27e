from django.apps import AppConfig


class TaxpayersConfig(AppConfig):
    name = "taxpayers"

    def ready(self):
        from taxpayers import signin  # noqa: F401 (connects the token revocation on password change)
