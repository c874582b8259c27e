from django.apps import AppConfig


class ReconConfig(AppConfig):
    """Purchase-register reconciliation (issue 16): the recipient's books against its IMS records — import,
    match, propose and apply actions. Owns its job kinds' handlers."""

    name = "recon"

    def ready(self):
        # Job handlers register on import; a Celery worker loads no URLs, so import them here.
        from recon.services import apply, export, match, registers  # noqa: F401
