"""Thin Celery tasks (R-9): the 14th-of-month schedule starts its job (schedule: ims_portal/celery.py)."""

from celery import shared_task

from core import clock
from core.periods import period_add, period_of
from jobs.models import JobKind
from jobs.services import job_start


@shared_task(name="returns.tasks.draft_2b_scheduled")
def draft_2b_scheduled() -> int:
    """R-5.2 / R-9.1, the 14th at 00:05: draft 2B of last month for every taxpayer without one. A
    quarterly taxpayer's months 1 and 2 are skipped by the generation rules (QUARTERLY_TAXPAYER)."""
    period = period_add(period_of(clock.today()), -1)
    job = job_start(
        kind=JobKind.GSTR2B_GENERATE,
        params={"period": period, "gstins": None, "trigger": "schedule", "by": "system"},
    )
    return job.id
