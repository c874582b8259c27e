"""Thin Celery tasks (R-9): the daily pending-expiry schedule starts its job (ims_portal/celery.py)."""

from celery import shared_task

from jobs.models import JobKind
from jobs.services import job_start


@shared_task(name="ims.tasks.pending_expiry_scheduled")
def pending_expiry_scheduled() -> int:
    """R-4.4 / R-9.1, daily at 00:15: expire pending records past their deadline."""
    return job_start(kind=JobKind.PENDING_EXPIRY, params={"by": "system"}).id
