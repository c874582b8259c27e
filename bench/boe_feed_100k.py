"""A customs feed of 100,000 bills of entry as a job (issue 11), against the raw database floor. Not part
of the suite (tests/customs checks the memory bound on every run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench SECRET_KEY=... IMS_SANDBOX_CLOCK=1 \
        .venv/bin/python bench/boe_feed_100k.py [--boe 100000] [--importers 200]

Migrates the database, empties its BoEs, IMS records and jobs, registers the importers, writes the feed
with bench/gen_boe.py, stores it through ``POST /api/v1/customs/boe/uploads`` (job left queued), runs the
job alone in a subprocess (seconds and peak RSS, as bench/upload_100k.py), then measures the floor in the
same run: ``COPY`` of the same number of rows of the same width into a scratch table.
"""

import argparse
import io
import os
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.gen_boe import write_boe_feed  # noqa: E402
from bench.gen_gstr1 import recipient_gstins  # noqa: E402
from core import clock  # noqa: E402
from core.periods import IST  # noqa: E402
from ims_portal.celery import app  # noqa: E402
from jobs import runner  # noqa: E402
from jobs.models import Job  # noqa: E402
from taxpayers.models import Taxpayer  # noqa: E402


def copy_floor(n: int) -> float:
    """Seconds to COPY n rows shaped like a BoE record into an unlogged scratch table."""
    buf = io.StringIO()
    for i in range(n):
        buf.write(f"{i}\tINNSA1\t{1000000 + i}\t2025-10-10\t2025-10-11\t100000.00\t18000.00\t0.00\n")
    with connection.cursor() as cur:
        cur.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_boe_floor (importer int, portcode text, boenum text, "
            "boedt date, refdt date, txval numeric(15,2), igst numeric(15,2), cess numeric(15,2))"
        )
        cur.execute("TRUNCATE bench_boe_floor")
        buf.seek(0)
        start = time.perf_counter()
        cur.copy_expert("COPY bench_boe_floor FROM STDIN", buf)
        seconds = time.perf_counter() - start
        cur.execute("DROP TABLE bench_boe_floor")
    return seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boe", type=int, default=100_000)
    ap.add_argument("--importers", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))
    with connection.cursor() as c:
        c.execute("TRUNCATE customs_billofentry, ims_imsaudit, ims_imsrecord, jobs_job CASCADE")
    importers = recipient_gstins(args.importers, args.seed)
    have = set(Taxpayer.objects.filter(gstin__in=importers).values_list("gstin", flat=True))
    Taxpayer.objects.bulk_create(
        [
            Taxpayer(gstin=g, legal_name=f"Bench {g}", state_code=g[:2], ims_start_period=202509)
            for g in importers
            if g not in have
        ]
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-customs", defaults={"is_staff": True})
    runner.send = lambda job: None  # the subprocess below runs the job
    app.conf.task_always_eager = False
    with tempfile.NamedTemporaryFile("w+", suffix=".json", encoding="utf-8") as fh:
        write_boe_feed(fh, importers=importers, count=args.boe, seed=args.seed)
        fh.flush()
        size = os.path.getsize(fh.name)
        client = APIClient()
        client.force_authenticate(user)
        with open(fh.name, "rb") as f:
            t0 = time.perf_counter()
            r = client.post("/api/v1/customs/boe/uploads", {"file": f}, format="multipart")
            request_s = time.perf_counter() - t0
    assert r.status_code == 202, r.content[:500]
    job_id = r.json()["id"]
    out = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "upload_100k.py"), "--run-job", str(job_id)],
        capture_output=True,
        text=True,
        check=True,
    )
    _, seconds, rss_kib = [x for x in out.stdout.splitlines() if x.startswith("JOB ")][-1].split()
    job = Job.objects.get(id=job_id)
    floor = copy_floor(args.boe)
    job_s = float(seconds)
    print(f"feed: {args.boe:,} BoEs, {size / 2**20:.1f} MiB; POST stored it in {request_s:.2f}s")
    print(
        f"job: {job.status} in {job_s:.1f}s ({args.boe / job_s:,.0f} BoEs/s), "
        f"peak RSS {int(rss_kib) / 1024:.0f} MiB"
    )
    print(f"result: {job.result or job.error}")
    print(f"floor: COPY of {args.boe:,} rows in {floor:.2f}s ({args.boe / floor:,.0f} rows/s)")
    print(f"ratio (job rate / COPY rate): {floor / job_s:.3f}")


if __name__ == "__main__":
    main()
