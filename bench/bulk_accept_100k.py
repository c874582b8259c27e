"""Bulk accept of 100,000 IMS records by filter (issue 5 items 2 and 7). Not part of the suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench_bulk SECRET_KEY=... \
        .venv/bin/python bench/bulk_accept_100k.py [--rows 100000] [--chunk 2000]

Creates the tables (migrate), one recipient with --rows active records at No action (bulk_create: b2b
invoices, debit and credit notes of four suppliers; the credit notes of 102025 take a declaration Y with
full amounts on accept, R-4.6), resets them to No action if a previous run accepted them, then times
``ims_bulk_apply`` accepting all of them and prints seconds, records per second and queries."""

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench._records import seed_records  # noqa: E402
from core import clock
from core.periods import IST
from ims.models import ImsAudit, ImsRecord
from ims.services.bulk import CHUNK, ims_bulk_apply
from taxpayers.models import Taxpayer  # noqa: E402


def seed(n: int) -> Taxpayer:
    t = seed_records(n, prefix="B")
    # A rerun starts from No action again, so it measures the same work.
    ImsRecord.objects.filter(recipient=t).exclude(action="N").update(
        action="N",
        remarks=None,
        itc_red_req=None,
        decl_igst=None,
        decl_cgst=None,
        decl_sgst=None,
        decl_cess=None,
    )
    with connection.cursor() as c:
        c.execute("ANALYZE ims_imsrecord")

    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=CHUNK)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))
    t0 = time.perf_counter()
    t = seed(args.rows)
    n = ImsRecord.objects.filter(recipient=t, active=True).count()
    print(f"seeded {n:,} records in {time.perf_counter() - t0:.1f}s")
    audits_before = ImsAudit.objects.filter(recipient=t).count()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        out = ims_bulk_apply(
            recipient=t, filter={}, action="A", remarks=None, by="bench", chunk_size=args.chunk
        )
        seconds = time.perf_counter() - start
    audits = ImsAudit.objects.filter(recipient=t).count() - audits_before
    declared = ImsRecord.objects.filter(recipient=t, itc_red_req="Y").count()
    print(
        f"bulk accept of {n:,} records (chunk {args.chunk:,}): {seconds:.1f} s, "
        f"{n / seconds:,.0f} records/s, {len(ctx.captured_queries)} queries; processed {out['processed']:,}, "
        f"refused {len(out['errors']):,}, audit rows {audits:,}, declarations Y {declared:,}"
    )
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        again = ims_bulk_apply(
            recipient=t, filter={}, action="A", remarks=None, by="bench", chunk_size=args.chunk
        )
        seconds = time.perf_counter() - start
    print(
        f"rerun (all no-ops): {seconds:.1f} s, {len(ctx.captured_queries)} queries; "
        f"processed {again['processed']:,}, new audit rows "
        f"{ImsAudit.objects.filter(recipient=t).count() - audits_before - audits:,}"
    )


if __name__ == "__main__":
    main()
