from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    """The supplier's documents, GSTR-1/IFF/1A saving and filing, and large uploads."""

    name = "invoices"

    def ready(self):
        from invoices.services import documents, uploads  # noqa: F401 (uploads registers its job handler)
        from taxpayers.services import ON_REGISTERED

        if documents.records_for_registered not in ON_REGISTERED:
            ON_REGISTERED.append(documents.records_for_registered)
