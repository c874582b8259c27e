#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Run `make run` (it creates .venv and installs the dependencies) "
            "or activate .venv."
        ) from exc
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - read the settings now, so a bad environment says why
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}\nSee .env.example and the README's environment variables.")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
