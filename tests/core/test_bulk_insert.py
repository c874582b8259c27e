"""Issue 12: ``core.db.bulk_insert`` writes new rows with COPY on PostgreSQL; what it stores must be what
``bulk_create`` stores, value for value, whatever the text holds."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core import clock
from core.db import bulk_insert
from ims.models import Channel, ImsAudit, ImsRecord
from tests.conftest import MH

AWKWARD = "tab\there, new\nline, back\\slash, cr\r, quote' \" and ü ₹ 😀"


def records(recipient, prefix: str, now=None) -> list[ImsRecord]:
    now = now or clock.now()
    return [
        ImsRecord(
            recipient=recipient,
            section="b2bcn" if i % 2 else "b2b",
            stin=MH,
            trdnm=AWKWARD if i == 0 else f"Supplier {i}",
            rtnprd=202510,
            srcform="R1",
            doc_type="CN" if i % 2 else "INV",
            number=f"{prefix}-{i}",
            number_key=f"{prefix}-{i}",
            doc_date=date(2025, 10, 1 + i),
            inv_typ="R",
            pos="29",
            val=Decimal("1180.50"),
            txval=Decimal("1000.5"),
            iamt=Decimal("180.09"),
            camt=Decimal("0"),
            samt=Decimal("0.00"),
            cess=Decimal("0.00"),
            itc_reducing=bool(i % 2),
            itc_period=202510,
            remarks=AWKWARD if i == 1 else None,
            items=[{"num": 1, "rt": "18", "txval": "1000.50", "note": AWKWARD}] if i < 2 else [],
            hash=f"{i:032x}",
            created_at=now,
            updated_at=now,
        )
        for i in range(5)
    ]


FIELDS = [
    f.attname for f in ImsRecord._meta.concrete_fields if f.attname not in ("id", "number", "number_key")
]


def test_issue12_bulk_insert_stores_what_bulk_create_stores(set_clock, recipient):
    set_clock("2025-11-05 10:00")
    now = clock.now()
    by_copy, by_orm = records(recipient, "C", now), records(recipient, "O", now)
    bulk_insert(ImsRecord, by_copy)
    ImsRecord.objects.bulk_create(by_orm)
    assert all(r.pk for r in by_copy) and len({r.pk for r in by_copy}) == 5
    audits = [
        ImsAudit(recipient=recipient, record=r, at=clock.now(), by="x", channel=Channel.API, to_action="N")
        for r in by_copy
    ]
    bulk_insert(ImsAudit, audits)  # related records assigned as objects: their new ids are used
    copied = list(ImsRecord.objects.filter(number__startswith="C-").order_by("number").values(*FIELDS))
    created = list(ImsRecord.objects.filter(number__startswith="O-").order_by("number").values(*FIELDS))
    assert copied == created
    assert copied[0]["trdnm"] == AWKWARD and copied[0]["items"][0]["note"] == AWKWARD
    assert ImsAudit.objects.filter(record_id__in=[r.pk for r in by_copy]).count() == 5
    # Ids come from the table's own sequence: the next row made by the ORM follows them.
    later = records(recipient, "L")[:1]
    ImsRecord.objects.bulk_create(later)
    assert later[0].pk > max(r.pk for r in by_copy + by_orm)


def test_issue12_bulk_insert_refuses_a_duplicate_as_the_orm_does(set_clock, recipient):
    set_clock("2025-11-05 10:00")
    first = records(recipient, "D")[:1]
    bulk_insert(ImsRecord, first)
    again = records(recipient, "E")[:1]
    again[0].pk = first[0].pk
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(ImsRecord, again)
