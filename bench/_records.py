"""Shared by the benchmarks: many IMS records for one recipient, inserted with bulk_create in batches.

Import after ``django.setup()``. ``row(i, section)`` returns the fields that differ per benchmark
(periods, actions, …); everything else is a valid inter-state 18 % record."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import connection

from core import clock
from ims.domain import number_norm
from ims.models import ImsRecord
from taxpayers.models import Taxpayer
from taxpayers.services import taxpayer_create

RECIPIENT = "29AAGCB7383J1Z4"
SUPPLIERS = ["27AAPFU0939F1ZV", "24AANFA2641L1ZF", "33GSPTN0791G1Z5", "07AAGFF2194N1Z1"]
SECTIONS = ["b2b"] * 8 + ["b2bdn", "b2bcn"]


def recipient() -> Taxpayer:
    t = Taxpayer.objects.filter(gstin=RECIPIENT).first()
    if t is None:
        t = taxpayer_create(
            gstin=RECIPIENT, legal_name="Bharat Components", trade_name="Bharat", ims_start_period="092025"
        )
    return t


def seed_records(n: int, *, prefix: str, row: Callable[[int, str], dict] = lambda i, s: {}) -> Taxpayer:
    """Top the recipient up to ``n`` records (a rerun adds none) and refresh the planner's statistics."""
    t = recipient()
    have = ImsRecord.objects.filter(recipient=t).count()
    now = clock.now()
    batch = []
    for i in range(have, n):
        section = SECTIONS[i % len(SECTIONS)]
        tx = Decimal(1000 + i % 997)
        tax = (tx * Decimal("0.18")).quantize(Decimal("0.01"))
        fields = {
            "recipient": t,
            "section": section,
            "stin": SUPPLIERS[i % 4],
            "trdnm": f"Supplier {i % 4}",
            "rtnprd": 202510,
            "srcform": "R1",
            "doc_type": {"b2bcn": "CN", "b2bdn": "DN"}.get(section, "INV"),
            "number": f"{prefix}{i:07d}",
            "number_key": f"{prefix}{i:07d}",
            "number_norm": number_norm(f"{prefix}{i:07d}"),
            "doc_date": date(2025, 10, 1 + i % 28),
            "inv_typ": "R",
            "pos": "29",
            "val": tx + tax,
            "txval": tx,
            "iamt": tax,
            "camt": 0,
            "samt": 0,
            "cess": 0,
            "itc_reducing": section == "b2bcn",
            "itc_period": 202510,
            "hash": f"{i:032x}",
            "created_at": now,
            "updated_at": now,
        }
        fields.update(row(i, section))
        batch.append(ImsRecord(**fields))
        if len(batch) == 10_000:
            ImsRecord.objects.bulk_create(batch)
            batch = []
    if batch:
        ImsRecord.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE ims_imsrecord")
    return t
