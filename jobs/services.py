"""Jobs (R-9): long work recorded as a Job row, run by the one ``run_job`` task that takes the job's id.
Starting, progress, the reply shape, visibility, and the one-upload-per-GSTIN slot."""

from celery import current_app
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import clock
from core.errors import NotFound, RuleViolation
from core.periods import IST
from jobs import runner, tasks
from jobs.models import Job, JobKind, JobStatus
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Membership, Taxpayer


def job_start(*, kind: str, taxpayer: Taxpayer | None = None, user=None, params: dict) -> Job:
    """Create the job (queued) and hand it to the worker once the caller's transaction commits. In eager
    mode (tests, `make run` without Redis) it runs at once, in the caller's transaction."""
    wall = timezone.now()
    job = Job.objects.create(
        kind=kind,
        taxpayer=taxpayer,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params,
        status=JobStatus.QUEUED,
        created_at=clock.now(),
        heartbeat_at=wall,
        deadline_at=wall + runner.time_limit(kind),
    )
    if current_app.conf.task_always_eager:
        tasks.run_job.delay(job.id)
        job.refresh_from_db()
    else:
        # After the commit (the worker must see the row); a broker that cannot take it fails the job and
        # raises BROKER_UNAVAILABLE (503) out of the request's transaction block.
        transaction.on_commit(lambda: runner.send(job))
    return job


def job_progress(job: Job, done: int, total: int) -> None:
    """Progress (R-9.3), written at once so readers see it while the job runs."""
    Job.objects.filter(id=job.id).update(done=done, total=total, heartbeat_at=timezone.now())
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


def jobs_for(user, limit: int = 50) -> list[Job]:
    """R-8.2: the jobs a user may see, newest first — their own and those of their GSTINs; staff all. The
    parts of a fanned-out job are not listed: the job itself shows their progress."""
    qs = Job.objects.select_related("taxpayer", "created_by").filter(parent__isnull=True).order_by("-id")
    if not user.is_staff:
        mine = Membership.objects.filter(user=user).values("taxpayer_id")
        qs = qs.filter(Q(created_by=user) | Q(taxpayer_id__in=mine))
    return list(qs[:limit])


UPLOAD_KINDS = (JobKind.GSTR1_UPLOAD, JobKind.IMS_IMPORT)


def upload_slot_claim(*, taxpayer: Taxpayer) -> None:
    """R-9 limits: one upload job (GSTR-1 file or IMS workbook) per GSTIN at a time. Call inside the
    transaction that starts the job: the taxpayer row lock makes two requests queue, not both pass."""
    lock_taxpayers([taxpayer.id])
    # A job past its deadline lost its worker (a crash or a redeploy): it blocks no upload, even before
    # the reaper's next round.
    runner.fail_overdue(Job.objects.filter(kind__in=UPLOAD_KINDS, taxpayer=taxpayer))
    busy = Job.objects.filter(
        kind__in=UPLOAD_KINDS, taxpayer=taxpayer, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).first()
    if busy is not None:
        raise RuleViolation(
            "UPLOAD_IN_PROGRESS",
            f"Upload job {busy.id} of this GSTIN is still {busy.status}; wait for it to finish.",
        )
