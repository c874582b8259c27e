"""IMS Excel export and import of 20,000 rows (issue 5 items 3 and 7). Not part of the suite.

    createdb -h 127.0.0.1 -U postgres ims_bench_excel
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench_excel SECRET_KEY=... \
        .venv/bin/python bench/excel_20k.py [--rows 20000] [--changed 5000]

Creates the tables (migrate), one recipient with --rows active records (bulk_create: b2b invoices, debit
and credit notes of four suppliers, mixed actions), resets their actions if a previous run changed them,
then times through the API (test client, job run in-process like `make run`):
  1. GET /ims/{gstin}/inward/export?format=xlsx   (whole workbook produced and read)
  2. POST /ims/{gstin}/inward/import              (--changed rows edited, the rest unchanged)
and prints seconds, queries, file size and the process's peak RSS."""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench._records import RECIPIENT, seed_records  # noqa: E402
from core import clock
from core.periods import IST
from ims.models import ImsAudit, ImsRecord
from ims_portal.celery import app  # noqa: E402
from taxpayers.models import Membership, Taxpayer  # noqa: E402

ACTIONS = "NNAR"  # the seeded action of a non-credit-note record, by index


def seed(n: int) -> Taxpayer:
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))

    def row(i: int, section: str) -> dict:
        action = "N" if section == "b2bcn" else ACTIONS[i % 4]
        return {"action": action, "remarks": "seeded" if action == "R" else None}

    return seed_records(n, prefix="X", row=row)


def reset(t: Taxpayer) -> None:
    """Undo a previous run's import: the seeded action of every record again."""
    ImsAudit.objects.filter(record__recipient=t, channel="upload").delete()
    with connection.cursor() as c:
        c.execute(
            """UPDATE ims_imsrecord SET
                 action = CASE WHEN section = 'b2bcn' THEN 'N'
                               ELSE substr(%s, (CAST(substr(number, 2) AS integer) %% 4) + 1, 1) END,
                 remarks = NULL
               WHERE recipient_id = %s""",
            [ACTIONS, t.id],
        )
        c.execute(
            "UPDATE ims_imsrecord SET remarks = 'seeded' WHERE recipient_id = %s AND action = 'R'",
            [t.id],
        )
        c.execute("ANALYZE ims_imsrecord")


def edit(data: bytes, changed: int) -> tuple[bytes, int]:
    """Change the Action of ``changed`` invoice rows (N -> A, A -> N, R -> A): not timed."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["b2b"]
    head = [c.value for c in ws[1]]
    a, r = head.index("Action"), head.index("Remarks")
    rows = 0
    for row in ws.iter_rows(min_row=2):
        if rows == changed:
            break
        current = row[a].value
        row[a].value = {"N": "A", "A": "N", "R": "A"}[current]
        row[r].value = None
        rows += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--changed", type=int, default=5_000)
    args = ap.parse_args()
    setup_test_environment()
    app.conf.task_always_eager = True  # the job runs in this process, as with `make run`
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="ims-bench-excel-")
    call_command("migrate", verbosity=0)
    t = seed(args.rows)
    reset(t)
    total = ImsRecord.objects.filter(recipient=t, active=True).count()
    print(f"records: {total:,} active for {RECIPIENT}")
    user, _ = get_user_model().objects.get_or_create(username="bench-owner")
    Membership.objects.get_or_create(user=user, taxpayer=t, defaults={"role": "owner"})
    client = APIClient()
    client.force_authenticate(user)

    with CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        r = client.get(f"/api/v1/ims/{RECIPIENT}/inward/export?format=xlsx")
        data = b"".join(r.streaming_content)
        seconds = time.perf_counter() - start
    assert r.status_code == 200, r.status_code
    print(f"export xlsx: {seconds:6.2f} s  {len(q):3d} queries  {len(data) / 1024 / 1024:5.2f} MiB")

    start = time.perf_counter()
    r = client.get(f"/api/v1/ims/{RECIPIENT}/inward/export?format=json")
    size = sum(len(part) for part in r.streaming_content)
    print(f"export json: {time.perf_counter() - start:6.2f} s  {size / 1024 / 1024:5.2f} MiB")

    edited, rows = edit(data, args.changed)
    with CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        r = client.post(
            f"/api/v1/ims/{RECIPIENT}/inward/import",
            {"file": SimpleUploadedFile("IMS.xlsx", edited)},
            format="multipart",
        )
        seconds = time.perf_counter() - start
    assert r.status_code == 202, r.content
    job = r.json()
    res = job["result"] or {}
    print(
        f"import xlsx: {seconds:6.2f} s  {len(q):3d} queries  status {job['status']}  "
        f"{rows:,} edited -> processed {res.get('processed')}, unchanged {res.get('unchanged')}, "
        f"errors {len(res.get('errors', []))}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
