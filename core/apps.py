from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: errors, money, periods, the business clock, API and page glue, formatting."""

    name = "core"
