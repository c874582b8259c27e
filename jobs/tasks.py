"""The one Celery task of the job system: an id in, the runner called (R-9.2)."""

from celery import shared_task

from jobs import runner


@shared_task(name="jobs.tasks.run_job")
def run_job(job_id: int) -> None:
    runner.run_job(job_id)


@shared_task(name="jobs.tasks.reap_jobs")
def reap_jobs() -> dict:
    """Every minute (beat): no job stays queued or running past its limit, whatever was killed."""
    return runner.reap()
