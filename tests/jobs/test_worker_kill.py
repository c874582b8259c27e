"""Issue 14, High 3, with real processes: a Celery worker (prefork) whose child is killed with SIGKILL in
the middle of an upload job. The job is not marked done and does not hang for hours: it stays running
while its heartbeat is fresh, and once it is silent the reaper hands it to a worker again, which finishes
it — all or nothing, as if run once (R-9.2)."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from bench.gen_gstr1 import recipient_gstins, write_gstr1
from ims_portal.celery import app
from invoices.models import Document
from jobs import runner
from jobs.models import Job
from taxpayers.models import Role
from tests.conftest import MH, client_for, member

DOCUMENTS = 30_000


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _wait(predicate, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.mark.django_db(transaction=True)
def test_issue14_h3_kill_9_of_the_worker_child_mid_job_then_the_reaper_finishes_it(
    set_clock, supplier, recipient
):
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.fail("REDIS_URL is not set: this test needs a real Redis broker (make test sets it).")
    set_clock("2025-11-05 10:00")
    owner = member(supplier, Role.OWNER, "kill-owner")
    text = io.StringIO()
    write_gstr1(
        text, supplier=MH, period=202510, documents=DOCUMENTS, recipients=recipient_gstins(3, seed=5), seed=5
    )

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DEBUG": "0",
    }
    app.conf.task_always_eager = False  # the autouse fixture restores it
    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ims_portal",
            "worker",
            "-P",
            "prefork",
            "-c",
            "1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            "celery",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait(lambda: _children(worker.pid), 30), "the worker started no child"
        r = client_for(owner).post(
            f"/api/v1/gstr1/{MH}/102025/uploads",
            {
                "file": SimpleUploadedFile(
                    "big.json", text.getvalue().encode(), content_type="application/json"
                )
            },
            format="multipart",
        )
        assert r.status_code == 202, r.content
        job_id = r.json()["id"]
        assert _wait(lambda: Job.objects.filter(id=job_id, status="running").exists(), 60, 0.05), list(
            Job.objects.filter(id=job_id).values("status", "done", "error", "attempts")
        )
        # Killed at once: the job parses, validates and saves 30,000 documents for several seconds, so the
        # worker is inside it (a fixed wait here could outlast a fast machine's whole job).
        child = _children(worker.pid)[0]
        os.kill(child, signal.SIGKILL)
        # Not marked done, not failed: the job is still running (its message went back to the broker).
        time.sleep(3)
        job = Job.objects.get(id=job_id)
        assert (job.status, job.finished_at, job.attempts) == ("running", None, 1)
        assert not Document.objects.exists()  # nothing partial
        # Its heartbeat stops; once silent for STALE the reaper (every minute in production) hands it on.
        Job.objects.filter(id=job_id).update(
            heartbeat_at=timezone.now() - runner.STALE - timedelta(seconds=1)
        )
        assert runner.reap()["resent"] == 1
        job = _wait(
            lambda: Job.objects.filter(id=job_id, status__in=("succeeded", "failed")).first(), 120, 0.5
        )
        assert job is not None, "the job never ended"
        assert (job.status, job.error, job.attempts) == ("succeeded", None, 2)
        assert job.result["created"] == DOCUMENTS
        assert Document.objects.count() == DOCUMENTS
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.control.purge()
        connections.close_all()
