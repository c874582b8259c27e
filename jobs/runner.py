"""Running a job (R-9): the handler registry and the claim/run/finish of one job.

A job is claimed with a conditional UPDATE (queued -> running) so a second copy of the task, or a
redelivered message, does nothing (R-9.2). Handlers are registered per kind by the apps that own the
work (``@register("ims_bulk")`` in their service modules, imported by their AppConfig.ready); this app
imports none of them.
"""

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from core import clock, events
from core.errors import RuleViolation
from core.text import clean_json
from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], dict]] = {}
# Per kind, ``fn(job_id, exc_or_None)`` run after the job has ended, outside the handler's savepoint (a
# failed eager job rolls its handler's writes back): clean-up that must happen whatever the outcome.
FINISHERS: dict[str, Callable[[int, Exception | None], None]] = {}
# Per parent kind, ``fn(parent, children) -> result``: the parent's result from its ended children.
AGGREGATORS: dict[str, Callable[[Job, list[Job]], dict]] = {}


@dataclass(frozen=True)
class Child:
    """One part of a fanned-out job: its kind and params, how many units of the parent's progress it
    stands for (``size``: GSTINs), and its queue ("" the default, "large" for large taxpayers)."""

    kind: str
    params: dict
    size: int = 1
    taxpayer_id: int | None = None
    queue: str = ""


@dataclass(frozen=True)
class FanOut:
    """A handler's answer when it split its work into child jobs (issue 13): any worker runs them, each
    idempotent, and the parent ends when its last child does — with the result its kind's aggregator makes
    of theirs (``result`` is what the parent knew itself, kept for the aggregator)."""

    children: list[Child]
    result: dict = field(default_factory=dict)


# Liveness (wall-clock time). A running job's worker writes a heartbeat every HEARTBEAT; a job not heard of
# for STALE lost its worker (kill -9, OOM, a lost message) and the reaper, every REAP_EVERY, hands it to a
# worker again (handlers are idempotent, R-9.2) or, after MAX_ATTEMPTS, fails it ``WORKER_LOST``.
HEARTBEAT = timedelta(seconds=20)
STALE = timedelta(minutes=2)
REAP_EVERY = timedelta(minutes=1)
MAX_ATTEMPTS = 3
# Per kind, the longest a job may take from being queued to ending; past it the worker's hard time limit
# stops the task and the reaper fails the job ``TIMED_OUT``. Kinds not named get DEFAULT_LIMIT.
DEFAULT_LIMIT = timedelta(minutes=30)
TIME_LIMITS: dict[str, timedelta] = {
    "gstr1_upload": timedelta(minutes=60),
    "customs_boe_upload": timedelta(minutes=60),
    "gstr2b_generate": timedelta(minutes=60),
    # A part of a fanned-out job: its deadline counts from creation, queue wait included.
    "gstr2b_generate_chunk": timedelta(minutes=90),
    "pending_expiry_chunk": timedelta(minutes=90),
    "gstr2b_recompute": timedelta(minutes=30),
    "ims_bulk": timedelta(minutes=30),
    "ims_import": timedelta(minutes=30),
    "ims_export": timedelta(minutes=30),
    "gstr2b_export": timedelta(minutes=30),
    "outward_export": timedelta(minutes=30),
    "ims_rule": timedelta(minutes=30),
    "gstn_ims_save": timedelta(minutes=30),
    "pending_expiry": timedelta(minutes=30),
    "recon_import": timedelta(minutes=60),
    "recon_match": timedelta(minutes=30),
    "recon_apply": timedelta(minutes=30),
    "recon_export": timedelta(minutes=30),
}


def time_limit(kind: str) -> timedelta:
    return TIME_LIMITS.get(kind, DEFAULT_LIMIT)


# Per kind, how pages name the records a batch job refused: ``fn(job, ids) -> {id: words}`` (issue 15: the
# document by its number and supplier, not "Record 16"). The API's result keeps its contract's shape.
REFUSAL_NAMERS: dict[str, Callable[[Job, list[int]], dict[int, str]]] = {}


def register(
    kind: str,
    *,
    finish: Callable[[int, Exception | None], None] | None = None,
    aggregate: Callable[[Job, list[Job]], dict] | None = None,
    refusal_names: Callable[[Job, list[int]], dict[int, str]] | None = None,
):
    """Decorator: ``@register("gstr1_upload")`` makes ``fn(job) -> result dict`` (or a ``FanOut``) the
    handler of that kind; ``finish`` (optional) runs once the job has ended, whatever the outcome;
    ``aggregate`` makes a fanned-out job's result from its children's; ``refusal_names`` names the records
    the job refused, for pages."""

    def deco(fn: Callable[[Job], dict]) -> Callable[[Job], dict]:
        HANDLERS[kind] = fn
        if finish is not None:
            FINISHERS[kind] = finish
        if aggregate is not None:
            AGGREGATORS[kind] = aggregate
        if refusal_names is not None:
            REFUSAL_NAMERS[kind] = refusal_names
        return fn

    return deco


def run_job(job_id: int, worker: str = "") -> None:
    """Claim the job and run its handler. Refusals (RuleViolation) and crashes end the job ``failed``
    with an error body; the handler's own transactions decide what was kept (no partial 2B, R-9.2)."""
    wall = timezone.now()
    # A queued job, or a running one whose worker stopped beating (a redelivered or re-sent message);
    # every handler is idempotent, so taking it over is safe. A job past its deadline is the reaper's.
    claimed = (
        Job.objects.filter(id=job_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__lt=wall - STALE) | Q(heartbeat_at__isnull=True))
        )
        .exclude(deadline_at__lt=wall)
        .update(
            status=JobStatus.RUNNING,
            started_at=clock.now(),
            heartbeat_at=wall,
            attempts=F("attempts") + 1,
            worker=(worker or "")[:200],
        )
    )
    if claimed != 1:
        return
    job = Job.objects.select_related("taxpayer").get(id=job_id)
    # Eager jobs run inside the caller's transaction: a savepoint keeps a failed handler from
    # poisoning it. A worker runs in autocommit, where each handler chooses its own transactions and a
    # thread beats for the job while the handler works.
    eager = connection.in_atomic_block
    guard = transaction.atomic if eager else nullcontext
    if not eager and connection.vendor == "postgresql":
        # A job may run long statements (a million-record 2B); its kind's time limit bounds it instead.
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    beat = nullcontext() if eager else _Heartbeat(job_id)
    failure: Exception | None = None
    try:
        handler = HANDLERS.get(job.kind)
        if handler is None:
            raise RuntimeError(f"No handler for job kind {job.kind!r}.")
        with beat, guard():
            result = handler(job)
    except RuleViolation as exc:
        failure = exc
        error = error_body(exc.code, exc.message, exc.details)
        if getattr(exc, "summary", None) is not None:  # a capped error list says what it left out
            error["summary"] = exc.summary
        _finish(job_id, status=JobStatus.FAILED, error=error)
    except SoftTimeLimitExceeded as exc:
        failure = exc
        _finish(job_id, status=JobStatus.FAILED, error=timed_out(job.kind))
    except Exception as exc:
        failure = exc
        log.exception("Job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            status=JobStatus.FAILED,
            error=error_body("INTERNAL", "The job stopped on an internal error; nothing partial was kept."),
        )
    else:
        if isinstance(result, FanOut):
            _spawn(job, result)
            return
        _finish(job_id, status=JobStatus.SUCCEEDED, result=result)
    if (finish := FINISHERS.get(job.kind)) is not None:
        finish(job_id, failure)


# --- fan-out (issue 13) -----------------------------------------------------------------------------------


def _spawn(parent: Job, fan: FanOut) -> None:
    """Create the children (once: a parent run again after a crash finds them and only re-sends the queued
    ones; a second copy of a message does nothing, R-9.2) and hand them to the workers; the parent stays
    running, its deadline the latest of theirs, until the last child ends (``_settle``)."""
    if not fan.children:
        _finish(parent.id, status=JobStatus.SUCCEEDED, result=_aggregate(parent, [], fan.result))
        return
    if not Job.objects.filter(parent=parent).exists():
        wall, now = timezone.now(), clock.now()
        kids = [
            Job(
                kind=c.kind,
                taxpayer_id=c.taxpayer_id,
                created_by_id=parent.created_by_id,
                params={**c.params, "size": c.size, **({"queue": c.queue} if c.queue else {})},
                status=JobStatus.QUEUED,
                created_at=now,
                heartbeat_at=wall,
                deadline_at=wall + time_limit(c.kind),
                parent=parent,
            )
            for c in fan.children
        ]
        Job.objects.bulk_create(kids, batch_size=1000)
        Job.objects.filter(id=parent.id).update(
            result=clean_json(fan.result),
            done=0,
            total=sum(c.size for c in fan.children),
            deadline_at=max(k.deadline_at for k in kids),
            heartbeat_at=wall,
        )
    from celery import current_app

    queued = list(Job.objects.filter(parent=parent, status=JobStatus.QUEUED).order_by("id"))
    for kid in queued:
        if current_app.conf.task_always_eager:
            run_job(kid.id)  # tests and `make run`: in process, one after the other
        else:
            send(kid)


def _aggregate(parent: Job, children: list[Job], own: dict | None = None) -> dict:
    if own is not None:
        parent.result = own
    fn = AGGREGATORS.get(parent.kind)
    return fn(parent, children) if fn else {"parts": len(children)}


def _settle(parent_id: int) -> None:
    """A child ended: the parent's progress is its ended children's share; after the last child the
    parent ends — succeeded, or failed naming the children that failed (the rest stay done; running the
    job again retries only what is missing, every part being idempotent)."""
    with transaction.atomic():
        parent = (
            Job.objects.select_for_update()
            .filter(id=parent_id, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .first()
        )
        if parent is None:
            return
        # One aggregate per ended part; the parts' rows are read once, when the last one has ended (a run of
        # thousands of parts never reads them all again at each end).
        ended = Q(status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED))
        counts = Job.objects.filter(parent_id=parent_id).aggregate(
            parts=Count("id"),
            ended=Count("id", filter=ended),
            size=Sum(Cast(KT("params__size"), IntegerField()), filter=ended),
        )
        if counts["ended"] < counts["parts"]:
            done = min(counts["size"] or 0, parent.total)
            Job.objects.filter(id=parent_id).update(done=done, heartbeat_at=timezone.now())
            return
        kids = list(Job.objects.filter(parent_id=parent_id).order_by("id"))
        result = _aggregate(parent, kids)
        failed = [k for k in kids if k.status == JobStatus.FAILED]
        error = None
        if failed:
            error = error_body(
                "PARTS_FAILED",
                f"{len(failed)} of {len(kids)} parts failed; the others were done. Run the job again to "
                "retry them: every part is idempotent.",
                [
                    {
                        "job": k.id,
                        "code": (k.error or {}).get("code"),
                        "message": (k.error or {}).get("message"),
                        "gstins": k.params.get("gstins"),
                    }
                    for k in failed
                ],
            )
        Job.objects.filter(id=parent_id).update(
            status=JobStatus.FAILED if failed else JobStatus.SUCCEEDED,
            result=clean_json(result),
            error=clean_json(error),
            done=parent.total,
            finished_at=clock.now(),
        )


def _settle_parent_of(job_id: int) -> None:
    parent_id = Job.objects.filter(id=job_id).values_list("parent_id", flat=True).first()
    if parent_id:
        _settle(parent_id)


def timed_out(kind: str) -> dict:
    minutes = int(time_limit(kind).total_seconds() // 60)
    return error_body(
        "TIMED_OUT",
        f"The job did not finish within its limit of {minutes} minutes; nothing partial was kept.",
    )


class _Heartbeat:
    """A daemon thread that writes the job's heartbeat every HEARTBEAT while the handler runs (its own
    connection, autocommit), so a long handler that reports no progress is not taken for dead."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        return False

    def _run(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT.total_seconds()):
                try:
                    beat(self.job_id)
                except DatabaseError:  # the next beat tries again; the handler goes on either way
                    log.exception("Job %s: heartbeat failed", self.job_id)
        finally:
            connection.close()


def beat(job_id: int) -> None:
    """Write a running job's heartbeat, unless its row is locked — by the job's own open transaction (its
    progress written inside a long save), which is itself a sign of life the reaper respects: waiting on
    that lock would only end in a lock timeout (issue 12's upload of 100,000 documents)."""
    locked_here = Job.objects.select_for_update(skip_locked=True).filter(id=job_id, status=JobStatus.RUNNING)
    with transaction.atomic():
        Job.objects.filter(id__in=locked_here.values("id")).update(heartbeat_at=timezone.now())


def send(job: Job) -> None:
    """Hand the job to the broker with its kind's time limits. A broker that is down or frozen fails the
    job ``BROKER_UNAVAILABLE`` and the request answers 503 (nothing waits in the dark)."""
    from jobs import tasks  # the task module imports this one

    limit = time_limit(job.kind).total_seconds()
    # Large taxpayers' parts go to their own queue (CELERY_TASK_ROUTES), so small ones never wait on them.
    task = tasks.run_large_job if (job.params or {}).get("queue") == "large" else tasks.run_job
    try:
        task.apply_async((job.id,), soft_time_limit=limit - 30, time_limit=limit)
    except Exception as exc:  # kombu/redis raise several kinds; any of them means "not sent"
        log.warning("Job %s could not be sent to the broker: %s", job.id, exc)
        _finish(job.id, status=JobStatus.FAILED, error=BROKER_UNAVAILABLE)
        raise RuleViolation("BROKER_UNAVAILABLE", BROKER_UNAVAILABLE["message"], status=503) from exc
    Job.objects.filter(id=job.id, status=JobStatus.QUEUED).update(heartbeat_at=timezone.now())


BROKER_UNAVAILABLE = {
    "code": "BROKER_UNAVAILABLE",
    "message": "The job queue is not reachable, so the job was not started; try again in a few minutes.",
    "details": [],
}


def reap() -> dict:
    """Every REAP_EVERY (beat): fail jobs past their deadline (``TIMED_OUT``); hand jobs whose worker went
    silent, or whose message was lost, to a worker again; after MAX_ATTEMPTS fail them ``WORKER_LOST``.
    Returns counts by outcome."""
    wall = timezone.now()
    unfinished = Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    out = {"timed_out": 0, "worker_lost": 0, "resent": 0}
    out["timed_out"] = fail_overdue(unfinished)
    # A fanned-out parent is alive while it has children; one whose children all ended without settling it
    # (a crash between the two) is settled here.
    has_children = Exists(Job.objects.filter(parent=OuterRef("pk")))
    waiting = Exists(
        Job.objects.filter(parent=OuterRef("pk"), status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    )
    for parent_id in unfinished.filter(has_children).exclude(waiting).values_list("id", flat=True):
        _settle(parent_id)
    silent = (
        unfinished.filter(Q(heartbeat_at__lt=wall - STALE) | Q(heartbeat_at__isnull=True))
        .exclude(deadline_at__lt=wall)
        .exclude(has_children)
    )
    resend = []
    with transaction.atomic():
        # A job whose row is locked is inside a transaction of its worker, so alive however old its
        # heartbeat: skipped, never waited on (a dead worker's transaction ends with its connection).
        for job in silent.select_for_update(skip_locked=True).only("id", "kind", "attempts", "status"):
            if job.attempts >= MAX_ATTEMPTS:
                out["worker_lost"] += _finish_if_unfinished(job.id, job.kind, WORKER_LOST)
                continue
            # Back to queued (the claim takes queued jobs), then a fresh message once this commits.
            Job.objects.filter(id=job.id).update(status=JobStatus.QUEUED, heartbeat_at=wall)
            resend.append(job)
    for job in resend:
        try:
            send(job)
        except RuleViolation:
            continue  # the broker is down: send() failed the job with BROKER_UNAVAILABLE
        out["resent"] += 1
    return out


WORKER_LOST = {
    "code": "WORKER_LOST",
    "message": "The worker running this job stopped several times; nothing partial was kept. Start it again.",
    "details": [],
}


def fail_overdue(jobs) -> int:
    """Fail ``TIMED_OUT`` the unfinished jobs of ``jobs`` (a queryset) that are past their deadline; how
    many. The reaper's rule, also applied by the upload slot so an overdue job blocks nothing meanwhile."""
    overdue = jobs.filter(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING), deadline_at__lt=timezone.now()
    ).values_list("id", "kind")
    return sum(_finish_if_unfinished(job_id, kind, timed_out(kind)) for job_id, kind in overdue)


def _finish_if_unfinished(job_id: int, kind: str, error: dict) -> int:
    n = Job.objects.filter(id=job_id, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).update(
        status=JobStatus.FAILED, error=error, finished_at=clock.now()
    )
    if n and (finish := FINISHERS.get(kind)) is not None:
        finish(job_id, RuntimeError(error["code"]))
    if n:
        _settle_parent_of(job_id)
    return n


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"code": code, "message": message, "details": details or []}


def _finish(job_id: int, *, status: str, result: dict | None = None, error: dict | None = None) -> None:
    """End the job, whatever its result or error quotes: text is cleaned first (PostgreSQL refuses NUL in
    JSON), and should storing them still fail the job ends failed with a plain error instead."""
    try:
        with transaction.atomic():
            Job.objects.filter(id=job_id).update(
                status=status, result=clean_json(result), error=clean_json(error), finished_at=clock.now()
            )
    except DatabaseError:
        log.exception("Job %s: its outcome could not be stored", job_id)
        Job.objects.filter(id=job_id).update(
            status=JobStatus.FAILED,
            result=None,
            error=error_body("INTERNAL", "The job ended but its outcome could not be stored."),
            finished_at=clock.now(),
        )
    _settle_parent_of(job_id)
    _announce(job_id)


def _announce(job_id: int) -> None:
    """Issue 17: a finished job is an event (webhooks) for its GSTIN; never a reason for the job to fail."""
    try:
        row = Job.objects.filter(id=job_id).values("taxpayer_id", "kind", "status", "parent_id").first()
        if row and row["parent_id"] is None:
            events.emit(
                events.JOB_FINISHED,
                taxpayer_id=row["taxpayer_id"],
                data={"job": job_id, "kind": row["kind"], "status": row["status"]},
            )
    except Exception:  # noqa: BLE001 - a listener's fault is logged, the job has ended
        log.exception("Job %s: its finished event could not be recorded", job_id)
