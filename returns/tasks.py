"""Thin Celery tasks (R-9): ids in, a service called. The schedule is in ims_portal/celery.py."""

from ims_portal.celery import app
from returns.services import jobs
from taxpayers import clock
from taxpayers.domain import period_add, period_of


@app.task(name="returns.tasks.run_job")
def run_job(job_id: int) -> None:
    jobs.run_job(job_id)


@app.task(name="returns.tasks.draft_2b_scheduled")
def draft_2b_scheduled() -> int:
    """R-5.2 / R-9.1, the 14th at 00:05: draft 2B of last month for every taxpayer without one. A
    quarterly taxpayer's months 1 and 2 are skipped by the generation rules (QUARTERLY_TAXPAYER)."""
    period = period_add(period_of(clock.today()), -1)
    job = jobs.job_start(
        kind="gstr2b_generate",
        params={"period": period, "gstins": None, "trigger": "schedule", "by": "system"},
    )
    return job.id


@app.task(name="returns.tasks.pending_expiry_scheduled")
def pending_expiry_scheduled() -> int:
    """R-4.4 / R-9.1, daily at 00:15: expire pending records past their deadline."""
    return jobs.job_start(kind="pending_expiry", params={"by": "system"}).id
