"""The one Celery task of the job system: an id in, the runner called (R-9.2)."""

from celery import shared_task

from jobs import runner


@shared_task(name="jobs.tasks.run_job", bind=True)
def run_job(self, job_id: int) -> None:
    runner.run_job(job_id, worker=self.request.hostname or "")


@shared_task(name="jobs.tasks.run_large_job", bind=True)
def run_large_job(self, job_id: int) -> None:
    """The same, on the ``large`` queue (CELERY_TASK_ROUTES): a large taxpayer's part of a fanned-out job."""
    runner.run_job(job_id, worker=self.request.hostname or "")


@shared_task(name="jobs.tasks.reap_jobs")
def reap_jobs() -> dict:
    """Every minute (beat): no job stays queued or running past its limit, whatever was killed."""
    return runner.reap()
