from django.apps import AppConfig


class ImsConfig(AppConfig):
    """The recipient's IMS: records, actions, bulk, the Excel round trip and every state change of a
    record. Owns its job kinds' handlers."""

    name = "ims"

    def ready(self):
        # Job handlers register on import; a Celery worker loads no URLs, so import them here.
        from ims.services import bulk, excel, rules, sweeps  # noqa: F401 (rules: also its event listener)
