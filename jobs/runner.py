"""Running a job (R-9): the handler registry and the claim/run/finish of one job.

A job is claimed with a conditional UPDATE (queued -> running) so a second copy of the task, or a
redelivered message, does nothing (R-9.2). Handlers are registered per kind by the apps that own the
work (``@register("ims_bulk")`` in their service modules, imported by their AppConfig.ready); this app
imports none of them.
"""

import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q

from core import clock
from core.errors import RuleViolation
from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], dict]] = {}
# Per kind, ``fn(job_id, exc_or_None)`` run after the job has ended, outside the handler's savepoint (a
# failed eager job rolls its handler's writes back): clean-up that must happen whatever the outcome.
FINISHERS: dict[str, Callable[[int, Exception | None], None]] = {}

# How long a running job belongs to its worker. Shorter than the broker's visibility timeout
# (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so a redelivered copy of a dead worker's task takes over.
JOB_LEASE = timedelta(hours=2)


def register(kind: str, *, finish: Callable[[int, Exception | None], None] | None = None):
    """Decorator: ``@register("gstr1_upload")`` makes ``fn(job) -> result dict`` the handler of that kind;
    ``finish`` (optional) runs once the job has ended, whatever the outcome."""

    def deco(fn: Callable[[Job], dict]) -> Callable[[Job], dict]:
        HANDLERS[kind] = fn
        if finish is not None:
            FINISHERS[kind] = finish
        return fn

    return deco


def run_job(job_id: int) -> None:
    """Claim the job and run its handler. Refusals (RuleViolation) and crashes end the job ``failed``
    with an error body; the handler's own transactions decide what was kept (no partial 2B, R-9.2)."""
    now = clock.now()
    # A queued job, or one whose worker died long ago (the broker redelivers its unacknowledged
    # message after the visibility timeout); every handler is idempotent, so taking it over is safe.
    claimed = (
        Job.objects.filter(id=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__lt=now - JOB_LEASE))
        .update(status=JobStatus.RUNNING, started_at=now)
    )
    if claimed != 1:
        return
    job = Job.objects.select_related("taxpayer").get(id=job_id)
    # Eager jobs run inside the caller's transaction: a savepoint keeps a failed handler from
    # poisoning it. A worker runs in autocommit, where each handler chooses its own transactions.
    guard = transaction.atomic if connection.in_atomic_block else nullcontext
    failure: Exception | None = None
    try:
        handler = HANDLERS.get(job.kind)
        if handler is None:
            raise RuntimeError(f"No handler for job kind {job.kind!r}.")
        with guard():
            result = handler(job)
    except RuleViolation as exc:
        failure = exc
        error = error_body(exc.code, exc.message, exc.details)
        if getattr(exc, "summary", None) is not None:  # a capped error list says what it left out
            error["summary"] = exc.summary
        _finish(job_id, status=JobStatus.FAILED, error=error)
    except Exception as exc:
        failure = exc
        log.exception("Job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            status=JobStatus.FAILED,
            error=error_body("INTERNAL", "The job stopped on an internal error; nothing partial was kept."),
        )
    else:
        _finish(job_id, status=JobStatus.SUCCEEDED, result=result)
    if (finish := FINISHERS.get(job.kind)) is not None:
        finish(job_id, failure)


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"code": code, "message": message, "details": details or []}


def _finish(job_id: int, *, status: str, result: dict | None = None, error: dict | None = None) -> None:
    Job.objects.filter(id=job_id).update(status=status, result=result, error=error, finished_at=clock.now())
