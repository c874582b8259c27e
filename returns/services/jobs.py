"""Jobs (R-9): long work recorded as a Job row, run by a thin Celery task that takes the job's id.

A job is claimed with a conditional UPDATE (queued -> running) so a second copy of the task, or a
redelivered message, does nothing (R-9.2). Handlers are registered per kind; other modules add theirs
with ``@register("kind")``.
"""

import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q

from ims_portal.errors import NotFound, RuleViolation
from returns.models import Job, JobStatus
from taxpayers import clock
from taxpayers.domain import IST
from taxpayers.models import Membership, Taxpayer

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], dict]] = {}
# Per kind, ``fn(job_id, exc_or_None)`` run after the job has ended, outside the handler's savepoint (a
# failed eager job rolls its handler's writes back): clean-up that must happen whatever the outcome.
FINISHERS: dict[str, Callable[[int, Exception | None], None]] = {}

# Taxpayers read per query by the 2B fan-out: bounded memory whatever the number of GSTINs.
TAXPAYER_CHUNK = 500


def register(kind: str, *, finish: Callable[[int, Exception | None], None] | None = None):
    """Decorator: ``@register("upload")`` makes ``fn(job) -> result dict`` the handler of that kind;
    ``finish`` (optional) runs once the job has ended, whatever the outcome."""

    def deco(fn: Callable[[Job], dict]) -> Callable[[Job], dict]:
        HANDLERS[kind] = fn
        if finish is not None:
            FINISHERS[kind] = finish
        return fn

    return deco


def job_start(*, kind: str, taxpayer: Taxpayer | None = None, user=None, params: dict) -> Job:
    """Create the job (queued) and hand it to the worker once the caller's transaction commits. In eager
    mode (tests, `make run` without Redis) it runs at once, in the caller's transaction."""
    from returns import tasks  # tasks import this module

    job = Job.objects.create(
        kind=kind,
        taxpayer=taxpayer,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params,
        status=JobStatus.QUEUED,
        created_at=clock.now(),
    )
    if tasks.app.conf.task_always_eager:
        tasks.run_job.delay(job.id)
        job.refresh_from_db()
    else:
        job_id = job.id
        transaction.on_commit(lambda: tasks.run_job.delay(job_id))
    return job


# How long a running job belongs to its worker. Shorter than the broker's visibility timeout
# (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so a redelivered copy of a dead worker's task takes over.
JOB_LEASE = timedelta(hours=2)


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
        error = _error(exc.code, exc.message, exc.details)
        if getattr(exc, "summary", None) is not None:  # a capped error list says what it left out
            error["summary"] = exc.summary
        _finish(job_id, status=JobStatus.FAILED, error=error)
    except Exception as exc:
        failure = exc
        log.exception("Job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            status=JobStatus.FAILED,
            error=_error("INTERNAL", "The job stopped on an internal error; nothing partial was kept."),
        )
    else:
        _finish(job_id, status=JobStatus.SUCCEEDED, result=result)
    if (finish := FINISHERS.get(job.kind)) is not None:
        finish(job_id, failure)


def _error(code: str, message: str, details: list | None = None) -> dict:
    return {"code": code, "message": message, "details": details or []}


def _finish(job_id: int, *, status: str, result: dict | None = None, error: dict | None = None) -> None:
    Job.objects.filter(id=job_id).update(status=status, result=result, error=error, finished_at=clock.now())


def job_progress(job: Job, done: int, total: int) -> None:
    """Progress (R-9.3), written at once so readers see it while the job runs."""
    Job.objects.filter(id=job.id).update(done=done, total=total)
    job.done, job.total = done, total


def job_out(job: Job) -> dict:
    """GET /jobs/{id} (API.md)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total},
        "result": job.result,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "finished_at": _iso(job.finished_at),
    }


def _iso(moment) -> str | None:
    return moment.astimezone(IST).isoformat() if moment else None


def job_visible(user, job_id: int) -> Job:
    """R-8.2: a job is visible to its creator, the members of its GSTINs and staff; to anyone else it
    does not exist."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or not user or not user.is_authenticated:
        raise NotFound()
    if user.is_staff or (job.created_by_id is not None and job.created_by_id == user.id):
        return job
    gstins = job.params.get("gstins") if isinstance(job.params, dict) else None
    scope = Q(taxpayer_id=job.taxpayer_id) if job.taxpayer_id else Q(pk__in=[])
    if isinstance(gstins, list) and gstins:
        scope |= Q(taxpayer__gstin__in=[g for g in gstins if isinstance(g, str)])
    if Membership.objects.filter(scope, user=user).exists():
        return job
    raise NotFound()


# --- Handlers ----------------------------------------------------------------------------------


@register("gstr2b_generate")
def _gstr2b_generate(job: Job) -> dict:
    """Scheduled / admin draft 2B (R-5.2, R-5.5): one transaction per GSTIN, never one for all."""
    from returns.services.gstr2b import gstr2b_generate_if_due

    p = job.params
    period, trigger, by = p["period"], p.get("trigger", "admin"), p.get("by", "system")
    listed = p.get("gstins")
    taxpayers = Taxpayer.objects.order_by("id")
    skipped: list[dict] = []
    if listed is not None:
        wanted = list(dict.fromkeys(listed))
        taxpayers = taxpayers.filter(gstin__in=wanted)
        known = set(taxpayers.values_list("gstin", flat=True))
        skipped += [{"gstin": g, "reason": "NOT_FOUND"} for g in wanted if g not in known]
    total = taxpayers.count()
    generated: list[str] = []
    done, last_id = 0, 0
    job_progress(job, 0, total)
    while chunk := list(taxpayers.filter(id__gt=last_id)[:TAXPAYER_CHUNK]):
        for t in chunk:
            reason = gstr2b_generate_if_due(taxpayer=t, period=period, trigger=trigger, by=by)
            if reason is None:
                generated.append(t.gstin)
            else:
                skipped.append({"gstin": t.gstin, "reason": reason})
            done += 1
            job_progress(job, done, max(total, done))
        last_id = chunk[-1].id
    return {"generated": sorted(generated), "skipped": sorted(skipped, key=lambda s: s["gstin"])}


@register("gstr2b_recompute")
def _gstr2b_recompute(job: Job) -> dict:
    from returns.services.gstr2b import gstr2b_recompute

    job_progress(job, 0, 1)
    version = gstr2b_recompute(taxpayer=job.taxpayer, period=job.params["period"], by=job.params["by"])
    job_progress(job, 1, 1)
    return {"version": version.version}


@register("pending_expiry")
def _pending_expiry(job: Job) -> dict:
    from returns.services.sweeps import pending_expiry_sweep

    return {"expired": pending_expiry_sweep(by="system")}


# Uploads take minutes; a job queued or running far longer lost its worker (a crash or a redeploy) and
# must not block the GSTIN's uploads for ever.
ABANDONED_AFTER = JOB_LEASE
UPLOAD_KINDS = ("gstr1_upload", "ims_import")


def upload_slot_claim(*, taxpayer: Taxpayer) -> None:
    """R-9 limits: one upload job (GSTR-1 file or IMS workbook) per GSTIN at a time. Call inside the
    transaction that starts the job: the taxpayer row lock makes two requests queue, not both pass."""
    Taxpayer.objects.select_for_update().filter(id=taxpayer.id).values_list("id", flat=True).first()
    now = clock.now()
    Job.objects.filter(
        kind__in=UPLOAD_KINDS,
        taxpayer=taxpayer,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        created_at__lt=now - ABANDONED_AFTER,
    ).update(
        status=JobStatus.FAILED,
        finished_at=now,
        error={"code": "ABANDONED", "message": "The job stopped without finishing; upload the file again."},
    )
    busy = Job.objects.filter(
        kind__in=UPLOAD_KINDS, taxpayer=taxpayer, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None:
        raise RuleViolation(
            "UPLOAD_IN_PROGRESS",
            f"Upload job {busy.id} of this GSTIN is still {busy.status}; wait for it to finish.",
        )
