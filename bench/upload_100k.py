"""A GSTR-1 upload of 100,000 documents end to end (issue 5 item 7). Not part of the suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench SECRET_KEY=... IMS_SANDBOX_CLOCK=1 \
        .venv/bin/python bench/upload_100k.py [--documents 100000] [--recipients 200]

Migrates the database, empties its documents, IMS records and jobs, registers the supplier and every
recipient (so each document also becomes an IMS record with its audit row), writes the file with
bench/gen_gstr1.py, then:
1. POSTs it to ``/api/v1/gstr1/{gstin}/{period}/uploads`` through the Django test client with no task
   runner, so the request only checks and stores the file and leaves the job queued (202);
2. runs that job — and nothing else — in a fresh subprocess (``--run-job ID``), which reports its own
   seconds and peak resident memory (``VmHWM`` of ``/proc/self/status``: the whole Python process,
   interpreter and Django included, not only the job's allocations). Not ``ru_maxrss``: Linux carries
   it across ``exec``, so a child started by a process that had just generated the file reported the
   parent's peak (298 MiB for 4,00,000 documents, where the job itself peaks near 150).
Prints the file size, the request seconds, the job seconds and peak RSS, and the job's result.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")
os.environ.setdefault("IMS_SANDBOX_CLOCK", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402, F401
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.gen_gstr1 import recipient_gstins, write_gstr1  # noqa: E402
from core import clock
from core.periods import IST
from ims_portal.celery import app  # noqa: E402
from jobs.models import Job
from taxpayers.models import Membership, Taxpayer  # noqa: E402

SUPPLIER = "27AAPFU0939F1ZV"
PERIOD = 202510


def run_job_only(job_id: int) -> None:
    """The subprocess: run one job and print seconds and peak RSS (KiB on Linux) on the last line."""
    from jobs.runner import run_job

    start = time.perf_counter()
    run_job(job_id)
    seconds = time.perf_counter() - start
    print(f"JOB {seconds:.2f} {peak_rss_kib()}")


def peak_rss_kib() -> int:
    """This process's own peak resident memory in KiB: the high-water mark of its memory since ``exec``
    (``ru_maxrss`` would include the peak of the process that started it)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def register(recipients: list[str]) -> Taxpayer:
    """Supplier and recipients in three queries; start period 092025 (the IMS start of the fixtures)."""
    wanted = [SUPPLIER, *recipients]
    have = set(Taxpayer.objects.filter(gstin__in=wanted).values_list("gstin", flat=True))
    Taxpayer.objects.bulk_create(
        [
            Taxpayer(gstin=g, legal_name=f"Bench {g}", state_code=g[:2], ims_start_period=202509)
            for g in wanted
            if g not in have
        ]
    )
    return Taxpayer.objects.get(gstin=SUPPLIER)


def empty() -> None:
    from ims.models import ImsAudit, ImsRecord
    from invoices.models import Document, Upload, UploadChunk

    tables = ", ".join(m._meta.db_table for m in (ImsAudit, ImsRecord, Document, UploadChunk, Upload, Job))
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {tables} CASCADE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--recipients", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--run-job", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--queue-only", action="store_true", help="store the file, leave the job queued, exit")
    args = ap.parse_args()
    if args.run_job is not None:
        run_job_only(args.run_job)
        return
    setup_test_environment()
    call_command("migrate", verbosity=0)
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))
    empty()
    recipients = recipient_gstins(args.recipients, args.seed)
    supplier = register(recipients)
    user, _ = get_user_model().objects.get_or_create(username="bench-owner")
    Membership.objects.get_or_create(user=user, taxpayer=supplier, defaults={"role": "owner"})

    with tempfile.NamedTemporaryFile("w+", suffix=".json", encoding="utf-8") as fh:
        t0 = time.perf_counter()
        sizes = write_gstr1(
            fh,
            supplier=SUPPLIER,
            period=PERIOD,
            documents=args.documents,
            recipients=recipients,
            seed=args.seed,
        )
        fh.flush()
        size = os.path.getsize(fh.name)
        print(
            f"generated {sum(sizes.values()):,} documents {sizes}: {size / 2**20:.1f} MiB in "
            f"{time.perf_counter() - t0:.1f}s"
        )

        # The request stores the file and queues the job; no task runner consumes it here.
        app.conf.task_always_eager = False
        client = APIClient()
        client.force_authenticate(user)
        with open(fh.name, "rb") as f:
            t1 = time.perf_counter()
            r = client.post(f"/api/v1/gstr1/{SUPPLIER}/102025/uploads", {"file": f}, format="multipart")
            request_s = time.perf_counter() - t1
    assert r.status_code == 202, (r.status_code, r.content[:500])
    job_id = r.json()["id"]
    print(f"POST …/uploads: {r.status_code} in {request_s:.2f}s (checked and stored, job {job_id} queued)")

    if args.queue_only:
        return
    out = subprocess.run(
        [sys.executable, __file__, "--run-job", str(job_id)], capture_output=True, text=True, check=True
    )
    line = [x for x in out.stdout.splitlines() if x.startswith("JOB ")][-1]
    _, seconds, rss_kib = line.split()
    job = Job.objects.get(id=job_id)
    print(
        f"job: {job.status} in {float(seconds):.1f}s, peak RSS {int(rss_kib) / 1024:.0f} MiB "
        "(VmHWM of a process that runs only the job)"
    )
    print(f"result: {job.result or job.error}")
    print(f"end to end: {request_s + float(seconds):.1f}s for {sum(sizes.values()):,} documents")


if __name__ == "__main__":
    main()
