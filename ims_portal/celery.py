"""The Celery app. Broker and eager mode come from settings (CELERY_*), so `make run` needs no Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

app = Celery("ims_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# GST due dates are Indian calendar dates: schedules are read in IST whatever the server's zone.
app.conf.timezone = "Asia/Kolkata"

# the returns work adds two entries here: draft GSTR-2B on the 14th at 00:05, and the daily
# 00:15 expiry of pending IMS actions whose period has closed.
app.conf.beat_schedule = {}
