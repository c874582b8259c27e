"""WSGI entry point, served by gunicorn (`gunicorn ims_portal.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

application = get_wsgi_application()
