"""Issue 13: the all-taxpayers jobs fan out into parts (child jobs) that any worker runs. With two real
worker processes on Redis both take parts and the result is the one-worker result; a part that fails or
whose worker is lost leaves the others done and the parent ended — never stuck running."""

import os
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from bench.gen_gstr1 import recipient_gstins
from bench.workers import start_workers, stop_workers
from ims_portal.celery import app
from jobs import runner
from jobs.models import Job
from jobs.services import job_start
from returns.models import Gstr2bVersion
from taxpayers.models import Taxpayer

PARAMS = {"period": 202510, "gstins": None, "trigger": "admin", "by": "t"}


def _taxpayers(n: int, seed: int) -> list[str]:
    gstins = sorted(recipient_gstins(n, seed=seed))
    Taxpayer.objects.bulk_create(
        [Taxpayer(gstin=g, legal_name=f"Co {g}", state_code=g[:2], ims_start_period=202510) for g in gstins]
    )
    return gstins


def _wait(predicate, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return None


def test_issue13_the_14th_run_is_split_in_parts_and_settles_from_them(set_clock, settings):
    set_clock("2025-11-14 00:05")
    settings.FANOUT_CHUNK = 3
    gstins = _taxpayers(7, seed=31)
    job = job_start(kind="gstr2b_generate", params=PARAMS)
    job.refresh_from_db()
    parts = list(Job.objects.filter(parent=job).order_by("id"))
    assert [p.params["gstins"] for p in parts] == [gstins[0:3], gstins[3:6], gstins[6:7]]
    assert all(p.status == "succeeded" and p.kind == "gstr2b_generate_chunk" for p in parts)
    assert (job.status, job.done, job.total, job.error) == ("succeeded", 7, 7, None)
    assert job.result == {"generated": gstins, "skipped": []}
    # Idempotent: the same run again generates nothing and says why for each GSTIN.
    again = job_start(kind="gstr2b_generate", params=PARAMS)
    again.refresh_from_db()
    assert again.result == {
        "generated": [],
        "skipped": [{"gstin": g, "reason": "ALREADY_GENERATED"} for g in gstins],
    }
    assert Gstr2bVersion.objects.count() == 7


def test_issue13_a_part_whose_worker_is_lost_ends_the_parent_failed_naming_it(
    set_clock, settings, monkeypatch
):
    set_clock("2025-11-14 00:05")
    settings.FANOUT_CHUNK = 2
    gstins = _taxpayers(4, seed=32)
    # The second part's worker dies: the part is left running and silent (the handler never returns).
    real = runner.run_job
    calls = []

    def run(job_id, worker=""):
        calls.append(job_id)
        if len(calls) == 3:  # the parent, the first part, then this part
            Job.objects.filter(id=job_id).update(
                status="running", attempts=runner.MAX_ATTEMPTS, heartbeat_at=timezone.now() - runner.STALE * 2
            )
            return
        real(job_id, worker)

    monkeypatch.setattr(runner, "run_job", run)
    job = job_start(kind="gstr2b_generate", params=PARAMS)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("running", 2, 4)  # waiting on the lost part
    assert runner.reap()["worker_lost"] == 1  # the part is failed; the reaper leaves the parent alone
    job.refresh_from_db()
    assert job.status == "failed" and job.error["code"] == "PARTS_FAILED"
    assert [(d["code"], d["gstins"]) for d in job.error["details"]] == [("WORKER_LOST", gstins[2:4])]
    assert job.result == {"generated": gstins[0:2], "skipped": [], "failed": gstins[2:4]}
    assert Gstr2bVersion.objects.count() == 2  # the other part stays done
    # Retried by running the job again: only the missing GSTINs are generated.
    monkeypatch.undo()
    again = job_start(kind="gstr2b_generate", params=PARAMS)
    again.refresh_from_db()
    assert (again.status, again.result["generated"]) == ("succeeded", gstins[2:4])


@pytest.mark.django_db(transaction=True)
def test_issue13_two_real_workers_share_the_parts_and_give_the_one_worker_result(set_clock):
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.fail("REDIS_URL is not set: this test needs a real Redis broker (make test sets it).")
    set_clock("2025-11-14 00:05")
    gstins = _taxpayers(40, seed=33)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "FANOUT_CHUNK": "2",
    }
    app.conf.task_always_eager = False  # the autouse fixture restores it
    app.control.purge()
    workers = start_workers([("w1", "celery"), ("w2", "celery")], env)
    try:
        time.sleep(3)  # both workers listening before the parts arrive
        job = job_start(kind="gstr2b_generate", params=PARAMS)
        done = _wait(
            lambda: Job.objects.filter(id=job.id, status__in=("succeeded", "failed")).first(), 120, 0.5
        )
        assert done is not None, "the parent never ended"
        assert (done.status, done.error) == ("succeeded", None)
        # The one-worker result: every GSTIN generated once.
        assert done.result == {"generated": gstins, "skipped": []}
        assert sorted(Gstr2bVersion.objects.values_list("taxpayer__gstin", flat=True)) == gstins
        parts = Job.objects.filter(parent_id=job.id)
        assert parts.count() == 20 and not parts.exclude(status="succeeded").exists()
        names = set(parts.values_list("worker", flat=True))
        assert {n.split("@")[0] for n in names} == {"w1", "w2"}, names
    finally:
        stop_workers(workers)
        app.control.purge()
        connections.close_all()
