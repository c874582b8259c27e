"""The Celery app. Broker and eager mode come from settings (CELERY_*), so `make run` needs no Redis."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

app = Celery("ims_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# GST due dates are Indian calendar dates: schedules are read in IST whatever the server's zone.
app.conf.timezone = "Asia/Kolkata"

# in real IST time (the sandbox clock never fires a job; admins run them by hand there).
app.conf.beat_schedule = {
    # Issue 14: jobs whose worker died are handed on or failed within minutes (jobs.runner.reap).
    "jobs-reaper": {"task": "jobs.tasks.reap_jobs", "schedule": 60.0},
    # Issue 17: each user's digest at 07:00 IST; webhook deliveries whose task was lost, hourly.
    "alerts-digest-daily": {"task": "returns.tasks.digests_daily", "schedule": crontab(minute=0, hour=7)},
    "webhooks-sweep": {"task": "returns.tasks.webhooks_sweep", "schedule": crontab(minute=15)},
    # a closed IFF's documents move into the quarterly GSTR-1 at 00:00 on the 14th (every request
    # also does it first, so no reader depends on this having run).
    "iff-close-14th": {
        "task": "invoices.tasks.iff_close_scheduled",
        "schedule": crontab(minute=0, hour=0, day_of_month=14),
    },
    # the draft GSTR-2B of last month exists from 00:00 on the 14th.
    "gstr2b-draft-14th": {
        "task": "returns.tasks.draft_2b_scheduled",
        "schedule": crontab(minute=5, hour=0, day_of_month=14),
    },
    # pending records whose deadline was yesterday go back to N.
    "ims-pending-expiry-daily": {
        "task": "ims.tasks.pending_expiry_scheduled",
        "schedule": crontab(minute=15, hour=0),
    },
}
