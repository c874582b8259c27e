"""Issue 12: ``core.db.bulk_insert`` writes new rows with COPY on PostgreSQL; what it stores must be what
``bulk_create`` stores, value for value, whatever the text holds."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from core import clock
from core.db import bulk_insert, row_type
from ims.models import Action, Channel, ImsAudit, ImsRecord
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


def test_issue12_new_rows_hold_what_the_model_makes_and_are_written_as_its_instances(set_clock, recipient):
    """The hot paths make rows, not ORM objects (issue 12): a row holds the model's defaults, refuses a name
    that is no column's, takes a related object by its field's name, and is written as an instance is."""
    set_clock("2025-11-05 10:00")
    make = row_type(ImsRecord)
    made, model = make(), ImsRecord()
    names = [f.attname for f in ImsRecord._meta.concrete_fields]
    assert {n: getattr(made, n) for n in names} == {n: getattr(model, n) for n in names}
    assert not isinstance(made, Model) and not hasattr(made, "__dict__")  # slots: no per-row dict either
    with pytest.raises(TypeError, match="unexpected keyword argument 'recipient'"):
        make(recipient=recipient)  # the object, not recipient_id: refused, never silently dropped
    values = {f: getattr(records(recipient, "M")[0], f) for f in FIELDS if f != "recipient_id"}
    by_maker = [make(recipient_id=recipient.id, number="M-0", number_key="M-0", **values)]
    by_orm = [ImsRecord(recipient=recipient, number="P-0", number_key="P-0", **values)]
    bulk_insert(ImsRecord, by_maker)
    ImsRecord.objects.bulk_create(by_orm)
    assert by_maker[0].pk == by_maker[0].id and by_maker[0].id is not None
    stored = [list(ImsRecord.objects.filter(number=n).values(*FIELDS)) for n in ("M-0", "P-0")]
    assert stored[0] == stored[1] and stored[0][0]["trdnm"] == AWKWARD


def test_issue12_a_row_amending_a_row_written_in_the_same_call_gets_its_id(set_clock, recipient):
    """A row's related object that had no id when assigned gives it when the rows are written (an amendment's
    record and its original's, made in one batch), as ``bulk_create`` does for instances."""
    set_clock("2025-11-05 10:00")
    make = row_type(ImsRecord)
    values = {f: getattr(records(recipient, "A")[0], f) for f in FIELDS if f != "recipient_id"}
    original = make(recipient_id=recipient.id, **{**values, "number": "A-1", "number_key": "A-1"})
    amendment = make(recipient_id=recipient.id, **{**values, "number": "A-2", "number_key": "A-2"})
    amendment.amends_record = original
    assert amendment.amends_record is original and amendment.amends_record_id is None
    bulk_insert(ImsRecord, [original])
    bulk_insert(ImsRecord, [amendment])
    assert ImsRecord.objects.get(id=amendment.id).amends_record_id == original.id


def test_issue12_a_value_of_another_type_is_still_written_right(set_clock, recipient):
    """Each column has one fast converter; a value it cannot take (a number in a text column, text in a
    number column, a date where a time is kept) falls back to the general conversion for its row."""
    set_clock("2025-11-05 10:00")
    rec = records(recipient, "T")[0]
    rec.trdnm, rec.rtnprd, rec.txval = 12345, "202510", 7
    rec.itc_reducing, rec.action = 1, Action.PENDING  # a number in a boolean column, a TextChoices member
    bulk_insert(ImsRecord, [rec])
    row = ImsRecord.objects.values("trdnm", "rtnprd", "txval", "itc_reducing", "action").get(id=rec.id)
    assert row == {
        "trdnm": "12345",
        "rtnprd": 202510,
        "txval": Decimal("7.00"),
        "itc_reducing": True,
        "action": "P",
    }


def test_issue12_r4_9_audit_created_writes_the_rows_audit_makes(set_clock, recipient):
    """New records' audit rows are written by one INSERT … SELECT (issue 12); they are exactly the rows
    ``audit`` makes for them (R-4.9), kept-out records' reason included, in the records' order."""
    from ims.services.records import SYSTEM, audit, audit_created

    set_clock("2025-11-05 10:00")
    by_sql, by_orm = records(recipient, "S")[:3], records(recipient, "Q")[:3]
    for recs in (by_sql, by_orm):
        recs[1].kept_out, recs[1].active = True, False
        bulk_insert(ImsRecord, recs)
    by_sql.reverse()  # ids are given in the records' order, not the ids'
    now = clock.now()
    with CaptureQueriesContext(connection) as ctx:
        audit_created(by_sql, at=now, channel=Channel.UPLOAD)
    assert len(ctx.captured_queries) == 1
    bulk_insert(
        ImsAudit,
        [
            audit(
                r,
                at=now,
                by=SYSTEM,
                channel=Channel.UPLOAD,
                frm="",
                to=Action.NO_ACTION,
                reason="supplier saved the document" + (" (kept out of IMS)" if r.kept_out else ""),
            )
            for r in reversed(by_orm)
        ],
    )
    fields = ["recipient_id", "at", "by", "channel", "from_action", "to_action", "remarks", "decl", "reason"]

    def rows(recs):
        trail = ImsAudit.objects.filter(recipient=recipient, record_id__in=[r.id for r in recs]).order_by(
            "id"
        )
        return [(row.pop("record_id"), row) for row in trail.values("record_id", *fields)]

    written, made = rows(by_sql), rows(by_orm)
    assert [i for i, _ in written] == [r.id for r in by_sql]
    assert [row for _, row in written] == [row for _, row in made]
    assert [row["reason"] for _, row in written] == [
        "supplier saved the document",
        "supplier saved the document (kept out of IMS)",
        "supplier saved the document",
    ]


def test_issue12_copy_escapes_only_when_needed_and_gives_what_translate_gives():
    """Text is escaped for COPY only when it holds a character that needs it (issue 12: ``translate`` on
    every value was a tenth of a large upload's writing); the text is always what ``translate`` gives."""
    import random

    from core.db import _COPY_ESCAPES, _escaped

    alphabet = "aZ09 -/\\\t\n\r\x0b\x1f\x7f\u00a0\u2028ü₹😀'\""
    rng = random.Random(12)
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _escaped(text) == text.translate(_COPY_ESCAPES), repr(text)
    assert _escaped("INV/2025-26/001") == "INV/2025-26/001"
    assert _escaped("a\\b\tc") == "a\\\\b\\tc"


def test_issue12_dates_and_times_remembered_by_value_are_written_as_each_row_holds(set_clock, recipient):
    """COPY's text of dates and times is remembered by value (a chunk shares a few); rows with different
    days and instants still get their own."""
    from datetime import datetime, timedelta

    from core.periods import IST

    set_clock("2025-11-05 10:00")
    recs = records(recipient, "D")[:3]
    base = datetime(2025, 11, 5, 10, 0, tzinfo=IST)
    for i, rec in enumerate(recs):
        rec.doc_date = date(2025, 10, 1 + i)
        rec.created_at = rec.updated_at = base + timedelta(minutes=i)
    recs[2].doc_date = recs[0].doc_date  # a day seen before
    bulk_insert(ImsRecord, recs)
    stored = list(
        ImsRecord.objects.filter(number__startswith="D").order_by("id").values("doc_date", "created_at")
    )
    assert [r["doc_date"] for r in stored] == [date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 1)]
    assert [r["created_at"] for r in stored] == [
        base,
        base + timedelta(minutes=1),
        base + timedelta(minutes=2),
    ]


def test_issue12_rows_go_through_the_orm_where_copy_is_not_there(set_clock, recipient, monkeypatch):
    """On the embedded SQLite of `make run` rows (``row_type``) are written by ``bulk_create`` and written
    back by ``bulk_update``, made into instances first: a new row gets its id, a row read by ``rows_of`` is
    updated. (Run here on PostgreSQL with the other database's branch chosen.)"""
    from core.db import rows_of, rows_update

    set_clock("2025-11-05 10:00")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    values = {f: getattr(records(recipient, "L")[0], f) for f in FIELDS if f != "recipient_id"}
    made = [
        row_type(ImsRecord)(recipient_id=recipient.id, **{**values, "number": "L-1", "number_key": "L-1"})
    ]
    bulk_insert(ImsRecord, made)
    assert made[0].id is not None
    read = rows_of(ImsRecord.objects.filter(id=made[0].id))
    read[0].remarks, read[0].action = "checked", Action.PENDING
    rows_update(ImsRecord, read, ["remarks", "action"])
    assert ImsRecord.objects.values_list("number", "remarks", "action").get(id=made[0].id) == (
        "L-1",
        "checked",
        "P",
    )
