"""The 14th's draft GSTR-2B run, fanned out over real Celery workers (issue 13). Not part of the suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench REDIS_URL=redis://127.0.0.1:6379/3 \
        SECRET_KEY=... IMS_SANDBOX_CLOCK=1 .venv/bin/python bench/gstr2b_14th.py [--recipients 10000]

Builds N small recipients with 20 IMS records each (and one large recipient with 200,000) by SQL, then
runs the admin "generate 2B for every GSTIN" job three times, from scratch each time, with real worker
processes on Redis: (a) one worker, small recipients only; (b) two workers, small recipients only;
(c) two workers with the large recipient — one worker on the default queue, one on ``large`` — and
reports recipients per second and when the small recipients' parts had all finished against when the
large one did.
"""

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")
os.environ.setdefault("IMS_SANDBOX_CLOCK", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.gen_gstr1 import recipient_gstins  # noqa: E402
from bench.workers import start_workers, stop_workers  # noqa: E402
from core import clock  # noqa: E402
from core.periods import IST  # noqa: E402
from ims.models import ImsRecord  # noqa: E402
from ims_portal.celery import app  # noqa: E402
from invoices.services import documents_save, return_file  # noqa: E402
from jobs.models import Job  # noqa: E402
from jobs.services import job_start  # noqa: E402
from returns.models import Gstr3bFiling  # noqa: E402
from taxpayers.models import Taxpayer  # noqa: E402

SUPPLIER = "27AAPFU0939F1ZV"
PARAMS = {"period": 202510, "gstins": None, "trigger": "admin", "by": "bench"}


def build(n: int, large_records: int) -> None:
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE ims_imsaudit, ims_imsrecord, invoices_document, invoices_returnfiling, "
            "returns_gstr2bline, "
            "returns_gstr2bversion, returns_gstr3bfiling, jobs_job, customs_billofentry, "
            "taxpayers_taxpayer CASCADE"
        )
    gstins = [g for g in recipient_gstins(n + 2, seed=14) if g != SUPPLIER][: n + 1]
    Taxpayer.objects.bulk_create(
        [
            Taxpayer(gstin=g, legal_name=f"Bench {g}", state_code=g[:2], ims_start_period=202509)
            for g in gstins
        ]
        + [Taxpayer(gstin=SUPPLIER, legal_name="Supplier", state_code="27", ims_start_period=202510)]
    )
    # The large recipient in another state than the supplier: its template invoice is inter-state (IGST).
    large = Taxpayer.objects.get(gstin=next(g for g in gstins if g[:2] != SUPPLIER[:2]))
    supplier = Taxpayer.objects.get(gstin=SUPPLIER)
    Gstr3bFiling.objects.bulk_create(
        [Gstr3bFiling(taxpayer=t, period=202509, filed_at=clock.now()) for t in Taxpayer.objects.all()]
    )
    item = {"num": 1, "itm_det": {"rt": 18, "txval": 1000, "iamt": 180, "camt": 0, "samt": 0}}
    doc = {
        "inum": "T-1",
        "idt": "05-10-2025",
        "val": 1180,
        "pos": large.gstin[:2],
        "rchrg": "N",
        "inv_typ": "R",
        "itms": [item],
    }
    documents_save(
        supplier=supplier,
        period=202510,
        payload={"b2b": [{"ctin": large.gstin, "inv": [doc]}]},
        by="bench",
        channel="api",
    )
    return_file(supplier=supplier, period=202510, form="GSTR1", by="bench", channel="api")
    template = ImsRecord.objects.get(recipient=large)
    cols = [
        f.column
        for f in ImsRecord._meta.concrete_fields
        if f.column not in ("id", "recipient_id", "number", "number_key", "document_id")
    ]
    sel = ", ".join(cols)
    src = ", ".join(f"r.{c}" for c in cols)
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO ims_imsrecord ({sel}, recipient_id, number, number_key) "
            f"SELECT {src}, t.id, 'S-' || g, 'S-' || g FROM ims_imsrecord r, taxpayers_taxpayer t, "
            "generate_series(1, 20) g WHERE r.id = %s AND t.id NOT IN (%s, %s)",
            [template.id, large.id, supplier.id],
        )
        c.execute(
            f"INSERT INTO ims_imsrecord ({sel}, recipient_id, number, number_key) "
            f"SELECT {src}, %s, 'L-' || g, 'L-' || g FROM ims_imsrecord r, generate_series(1, %s) g "
            "WHERE r.id = %s",
            [large.id, large_records - 1, template.id],
        )
    return large


def reset() -> None:
    with connection.cursor() as c:
        c.execute("TRUNCATE returns_gstr2bline, returns_gstr2bversion, jobs_job CASCADE")


def run(label: str, specs, env, gstins=None) -> dict:
    reset()
    procs = start_workers(specs, env)
    try:
        time.sleep(4)
        start = time.perf_counter()
        job = job_start(kind="gstr2b_generate", params={**PARAMS, "gstins": gstins})
        while not Job.objects.filter(id=job.id, status__in=("succeeded", "failed")).exists():
            time.sleep(0.5)
        seconds = time.perf_counter() - start
        job.refresh_from_db()
        parts = list(Job.objects.filter(parent=job).values_list("params", "finished_at"))
        small_end = max((f for p, f in parts if p.get("queue") != "large" and f), default=None)
        large_end = max((f for p, f in parts if p.get("queue") == "large" and f), default=None)
        began = job.created_at
        n = len(job.result["generated"])
        out = {
            "label": label,
            "status": job.status,
            "generated": n,
            "seconds": seconds,
            "rps": n / seconds,
            "small_done_s": (small_end - began).total_seconds() if small_end else None,
            "large_done_s": (large_end - began).total_seconds() if large_end else None,
        }
        print(
            f"{label}: {job.status}, {n:,} recipients in {seconds:.1f}s = {out['rps']:.0f}/s; "
            "small parts done "
            f"after {out['small_done_s']:.1f}s"
            + (f", the large one after {out['large_done_s']:.1f}s" if large_end else ""),
            flush=True,
        )
        return out
    finally:
        stop_workers(procs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument("--large-records", type=int, default=200_000)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))
    t0 = time.perf_counter()
    large = build(args.recipients, args.large_records)
    print(
        f"built {args.recipients:,} recipients x 20 records and one with {args.large_records:,} in "
        f"{time.perf_counter() - t0:.0f}s",
        flush=True,
    )
    clock.clock_set(business_at=datetime(2025, 11, 14, 0, 5, tzinfo=IST))
    app.conf.task_always_eager = False
    env = {**os.environ, "DEBUG": "0"}
    small = list(
        Taxpayer.objects.exclude(id=large.id).exclude(gstin=SUPPLIER).values_list("gstin", flat=True)
    )
    one = run("1 worker, small recipients", [("w1", "celery,large")], env, small)
    two = run("2 workers, small recipients", [("w1", "celery,large"), ("w2", "celery,large")], env, small)
    run(
        "2 workers (default + large queue), with the large recipient",
        [("w1", "celery"), ("w2", "large")],
        env,
    )
    print(f"speed-up with 2 workers: {two['rps'] / one['rps']:.2f}x")


if __name__ == "__main__":
    main()
