"""ASGI entry point, for ASGI servers; the shipped deployment uses WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

application = get_asgi_application()
