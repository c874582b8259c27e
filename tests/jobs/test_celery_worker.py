"""R-9.1 / R-5.2: the schedule, and the 14th-of-month job run end to end by a real Celery worker over
the Redis at REDIS_URL (no eager mode)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from celery.signals import task_postrun
from django.db import connections

from core import clock
from ims_portal.celery import app
from invoices.services import documents_save, return_file
from jobs.models import Job
from returns.models import Gstr2bVersion, Gstr3bFiling
from returns.tasks import draft_2b_scheduled
from tests.conftest import KA, gstr1, inv


def test_r9_1_beat_schedule_in_ist():
    assert str(app.conf.timezone) == "Asia/Kolkata"
    schedule = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert schedule == {
        "returns.tasks.draft_2b_scheduled": crontab(minute=5, hour=0, day_of_month=14),
        "ims.tasks.pending_expiry_scheduled": crontab(minute=15, hour=0),
        "invoices.tasks.iff_close_scheduled": crontab(minute=0, hour=0, day_of_month=14),
        "jobs.tasks.reap_jobs": 60.0,
        # Issue 17: each user's digest at 07:00 IST; lost webhook deliveries re-queued hourly.
        "returns.tasks.digests_daily": crontab(minute=0, hour=7),
        "returns.tasks.webhooks_sweep": crontab(minute=15),
    }
    assert set(schedule) <= set(app.tasks)


def _close_db(**kwargs):
    # The worker thread's connection would outlive the test (CONN_MAX_AGE) and block the test
    # database's teardown.
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_r5_2_draft_2b_on_the_14th_by_a_real_worker(set_clock, supplier, recipient):
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.fail("REDIS_URL is not set: this test needs a real Redis broker (make test sets it).")
    assert app.conf.broker_url == redis_url, "the Celery app must use the broker at REDIS_URL"

    set_clock("2025-10-20 10:00")
    documents_save(
        supplier=supplier,
        period=202510,
        payload=gstr1(b2b=[inv("INV-1", "05-10-2025")]),
        by="s",
        channel="api",
    )
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="s", channel="api")
    return_file(supplier=supplier, period=202510, form="GSTR1", by="s", channel="api")
    set_clock("2025-11-14 00:05")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())

    app.conf.task_always_eager = False  # the autouse fixture restores it
    app.control.purge()  # messages left by an interrupted earlier run
    task_postrun.connect(_close_db, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            draft_2b_scheduled.delay()
            deadline = time.monotonic() + 20
            job = None
            while time.monotonic() < deadline:
                job = Job.objects.filter(kind="gstr2b_generate").first()
                if job and job.status in ("succeeded", "failed"):
                    break
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(_close_db)
    assert job is not None, "the worker never created the job"
    assert (job.status, job.error) == ("succeeded", None), job.error
    assert job.params == {"period": 202510, "gstins": None, "trigger": "schedule", "by": "system"}
    assert job.result == {
        "generated": [KA],
        "skipped": [{"gstin": "27AAPFU0939F1ZV", "reason": "PREVIOUS_3B_NOT_FILED"}],
    }
    v = Gstr2bVersion.objects.get(taxpayer=recipient, period=202510)
    assert (v.version, v.trigger, v.by, v.lines.count()) == (1, "schedule", "system", 1)
