"""Issue 14, High 3: jobs always end, whatever is killed — a heartbeat, a reaper that hands silent jobs
on or fails them, deadlines per kind, and a broker that cannot take a job failing it at once (503)."""

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from kombu.exceptions import OperationalError

from ims_portal.celery import app
from jobs import runner
from jobs.models import Job, JobKind, JobStatus
from jobs.services import job_start
from jobs.tasks import reap_jobs
from taxpayers.models import Role
from tests.conftest import KA, client_for, member


def stuck(
    status=JobStatus.RUNNING,
    *,
    silent_for=timedelta(minutes=5),
    attempts=1,
    deadline_in=timedelta(minutes=20),
):
    """A job as a killed worker leaves it: running, its heartbeat old."""
    job = job_start(kind=JobKind.PENDING_EXPIRY, params={"by": "system"})  # eager: it ran; make it stuck
    now = timezone.now()
    Job.objects.filter(id=job.id).update(
        status=status,
        finished_at=None,
        result=None,
        heartbeat_at=now - silent_for,
        deadline_at=now + deadline_in,
        attempts=attempts,
    )
    return Job.objects.get(id=job.id)


def test_issue14_h3_a_job_whose_worker_was_killed_is_run_again_by_the_reaper(set_clock):
    set_clock("2025-11-05 10:00")
    job = stuck()
    assert reap_jobs() == {"timed_out": 0, "worker_lost": 0, "resent": 1}
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)  # eager: the re-sent task ran at once


def test_issue14_h3_a_job_heard_from_recently_is_left_alone(set_clock):
    set_clock("2025-11-05 10:00")
    job = stuck(silent_for=timedelta(seconds=30))
    assert reap_jobs() == {"timed_out": 0, "worker_lost": 0, "resent": 0}
    assert Job.objects.get(id=job.id).status == JobStatus.RUNNING


def test_issue14_h3_a_job_that_keeps_losing_its_worker_ends_failed(set_clock):
    set_clock("2025-11-05 10:00")
    job = stuck(attempts=runner.MAX_ATTEMPTS)
    assert reap_jobs()["worker_lost"] == 1
    job.refresh_from_db()
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "WORKER_LOST")
    assert job.finished_at is not None


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_issue14_h3_no_job_stays_unfinished_past_its_deadline(set_clock, status):
    set_clock("2025-11-05 10:00")
    job = stuck(status, silent_for=timedelta(seconds=10), deadline_in=-timedelta(seconds=1))
    assert reap_jobs()["timed_out"] == 1
    job.refresh_from_db()
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "TIMED_OUT")
    # A late copy of its message does nothing.
    runner.run_job(job.id)
    assert Job.objects.get(id=job.id).status == JobStatus.FAILED


def test_issue14_h3_a_lost_message_of_a_queued_job_is_sent_again(set_clock):
    set_clock("2025-11-05 10:00")
    job = stuck(JobStatus.QUEUED, attempts=0)
    assert reap_jobs()["resent"] == 1
    assert Job.objects.get(id=job.id).status == JobStatus.SUCCEEDED


def test_issue14_h3_every_kind_has_a_deadline_and_the_worker_settings_put_killed_tasks_back():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert set(runner.TIME_LIMITS) == set(JobKind.values)
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 5
    assert (
        app.conf.broker_transport_options["visibility_timeout"]
        > max(runner.TIME_LIMITS.values()).total_seconds()
    )


@pytest.fixture
def not_eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_issue14_h3_with_the_broker_down_a_bulk_action_is_503_and_its_job_failed(
    set_clock, supplier, recipient, not_eager, monkeypatch
):
    set_clock("2025-11-05 10:00")

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    from jobs import tasks

    monkeypatch.setattr(tasks.run_job, "apply_async", down)
    c = client_for(member(recipient, Role.OWNER))
    r = c.post(f"/api/v1/ims/{KA}/inward/bulk", {"filter": {}, "action": "A"}, format="json")
    assert r.status_code == 503, r.content
    assert r.json()["error"]["code"] == "BROKER_UNAVAILABLE"
    job = Job.objects.get()
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "BROKER_UNAVAILABLE")
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_issue14_h3_with_the_broker_frozen_a_bulk_action_answers_503_within_seconds(
    set_clock, supplier, recipient, not_eager
):
    """A broker that accepts the connection and then never answers (a frozen Redis): the request ends with
    503 BROKER_UNAVAILABLE in seconds (socket timeouts, one retry), not after 31 s, and the job is failed."""
    import socket
    import threading
    import time

    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_and_say_nothing():
        frozen.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(frozen.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept_and_say_nothing, daemon=True)
    t.start()
    before = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{frozen.getsockname()[1]}/0"
    app._pool = app.amqp._producer_pool = None  # the pools are built from broker_url on next use
    try:
        set_clock("2025-11-05 10:00")
        c = client_for(member(recipient, Role.OWNER))
        started = time.monotonic()
        r = c.post(f"/api/v1/ims/{KA}/inward/bulk", {"filter": {}, "action": "A"}, format="json")
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = before
        app._pool = app.amqp._producer_pool = None
        stop.set()
        t.join(2)
        for s in accepted:
            s.close()
        frozen.close()
        connections.close_all()
    assert r.status_code == 503, r.content
    assert r.json()["error"]["code"] == "BROKER_UNAVAILABLE"
    assert elapsed < 15, elapsed  # measured 3.3 s on this machine (the 3 s socket timeout)
    assert Job.objects.get().status == JobStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_issue14_h3_with_the_broker_down_pages_answer_503_in_words_not_a_500(
    set_clock, supplier, recipient, staff, not_eager, monkeypatch, client
):
    from jobs import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_job, "apply_async", down)
    set_clock("2025-11-05 10:00")
    client.force_login(staff)
    r = client.post("/admin-tools/pending-expiry")
    assert r.status_code == 503
    assert "job queue is not reachable" in r.content.decode()
    r = client.post(f"/g/{KA}/ims/inward/bulk", {"qs": "", "action": "A"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 503 and "BROKER_UNAVAILABLE" in r.content.decode()
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.FAILED}
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_issue14_h3_a_job_inside_its_own_long_transaction_is_alive_to_the_reaper_and_its_heartbeat(set_clock):
    """Found by issue 12's benchmark: an upload writes its progress inside its save's transaction, so its
    job row stays locked for minutes. The heartbeat waited on that lock until its lock timeout and then
    stopped for good, and the reaper would wait on it too and then hand a live job to a second worker. A
    locked row now means alive: the heartbeat skips it and beats again later, the reaper skips it."""
    import threading
    import time

    from django.db import transaction

    set_clock("2025-11-05 10:00")
    job = stuck()
    holding, release = threading.Event(), threading.Event()

    def worker_transaction():
        try:
            with transaction.atomic():
                Job.objects.filter(id=job.id).update(done=1, total=2)  # job_progress inside the save
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    t = threading.Thread(target=worker_transaction)
    t.start()
    try:
        assert holding.wait(10)
        start = time.perf_counter()
        assert reap_jobs() == {"timed_out": 0, "worker_lost": 0, "resent": 0}
        runner.beat(job.id)  # skipped, not waited on
        assert time.perf_counter() - start < 2  # lock_timeout is longer: nothing waited
        assert Job.objects.get(id=job.id).status == JobStatus.RUNNING
    finally:
        release.set()
        t.join(30)
    runner.beat(job.id)  # the transaction ended: the heartbeat is written again
    assert Job.objects.get(id=job.id).heartbeat_at > timezone.now() - timedelta(seconds=10)
