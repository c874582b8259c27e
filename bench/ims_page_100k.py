"""IMS Inward page timing with 100,000 records of one recipient (issue 4 item 8). Not part of the suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_bench SECRET_KEY=... \
        .venv/bin/python bench/ims_page_100k.py [--rows 100000]

Creates the database's tables (migrate), a recipient with 100,000 active IMS records (bulk_create, mixed
sections, actions, suppliers and periods), then times the full page, an htmx table request, a filtered view
and the next page through the Django test client, reporting queries and milliseconds (median of 5)."""

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench._records import RECIPIENT, seed_records  # noqa: E402
from core import clock
from core.periods import IST
from ims.models import ImsRecord
from taxpayers.models import Membership, Taxpayer  # noqa: E402

SECTIONS = ["b2b"] * 7 + ["b2bcn", "b2bdn", "b2ba"]


def seed(n: int) -> Taxpayer:
    settings.IMS_SANDBOX_CLOCK = True
    clock.clock_set(business_at=datetime(2025, 11, 5, 10, 0, tzinfo=IST))
    return seed_records(
        n,
        prefix="B",
        row=lambda i, section: {
            "rtnprd": 202509 + (i % 2),
            "doc_date": date(2025, 9 + i % 2, 1 + i % 28),
            "action": "NAAARP"[i % 6] if section != "b2bcn" else "N",
            "itc_period": 202509 + (i % 2),
        },
    )


def timed(client: Client, url: str, **headers) -> tuple[float, int, int]:
    runs, queries, size = [], 0, 0
    for _ in range(5):
        reset_queries()
        start = time.perf_counter()
        r = client.get(url, **headers)
        runs.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, r.status_code
        queries, size = len(connection.queries), len(r.content)
    return statistics.median(runs), queries, size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    setup_test_environment()
    settings.DEBUG = True  # count queries
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    t = seed(args.rows)
    print(
        f"seeded {ImsRecord.objects.filter(recipient=t).count():,} records in {time.perf_counter() - t0:.1f}s"
    )
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-owner")
    Membership.objects.get_or_create(user=user, taxpayer=t, defaults={"role": "owner"})
    client = Client()
    client.force_login(user)
    page = f"/g/{RECIPIENT}/ims/inward"
    rows = [
        ("full page", page, {}),
        ("htmx table", page, {"HTTP_HX_REQUEST": "true"}),
        ("filter section=b2bcn", page + "?section=b2bcn", {"HTTP_HX_REQUEST": "true"}),
        ("filter action=P&rtnprd=102025", page + "?action=P&rtnprd=102025", {"HTTP_HX_REQUEST": "true"}),
        ("filter q=B00999", page + "?q=B00999", {"HTTP_HX_REQUEST": "true"}),
    ]
    for name, url, headers in rows:
        ms, q, size = timed(client, url, **headers)
        print(f"{name:32s} {ms:8.1f} ms  {q:3d} queries  {size / 1024:6.1f} KiB")
    r = client.get(page)
    import re

    nxt = re.search(r'rel="next" href="([^"]+)"', r.content.decode()).group(1).replace("&amp;", "&")
    ms, q, size = timed(client, nxt, HTTP_HX_REQUEST="true")
    print(f"{'next page (keyset)':32s} {ms:8.1f} ms  {q:3d} queries  {size / 1024:6.1f} KiB")


if __name__ == "__main__":
    main()
