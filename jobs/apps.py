from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Job rows, claim/lease/progress, the handler registry and the one run_job task. Imports no app that
    registers handlers: they fill the registry from their own AppConfig.ready."""

    name = "jobs"
