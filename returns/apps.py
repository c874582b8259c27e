from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """GSTR-2B generation and versions, GSTR-3B and add-backs. Tells the lower apps which GSTR-3Bs are
    filed (their rules ask it through ``taxpayers.selectors.filed_3b_periods``)."""

    name = "returns"

    def ready(self):
        from returns import alerts, exports, outward  # noqa: F401 (export jobs; the webhook listener)
        from returns.selectors import filed_3b_by_taxpayer
        from returns.services import gstr2b  # noqa: F401 (registers the 2B job handlers)
        from taxpayers.selectors import register_filed_3b_reader

        register_filed_3b_reader(filed_3b_by_taxpayer)
