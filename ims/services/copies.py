"""The recipient's copy of supplier documents: the one IMS service the supplier's side calls (R-4.1, R-4.4,
R-4.7, R-4.8, R-5.1, R-1.4). Saving, filing, deleting and moving documents change the records of their
recipients here, in the caller's transaction, each change audited through ``records.audit``.

Documents arrive as ``DocFacts``; recipients are looked up by GSTIN (a recipient not registered in the
portal has no records until it registers, R-1.4)."""

from array import array
from collections.abc import Iterable

from django.db import connection

from core import events
from core.db import bulk_insert, rows_of, rows_update
from core.periods import business_date
from ims import domain
from ims.models import Action, ImsAudit, ImsRecord
from ims.services.records import (
    ACTION_STATE,
    EFFECT,
    SRCFORM,
    SYSTEM,
    DocFacts,
    apply_amendment_facts,
    audit,
    audit_created,
    build_record,
    copy_document,
    place_record,
    regime_period,
    reset_to_no_action,
    system_audit,
    system_reset,
)
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar, calendars_by_gstin

# Decided anew from the document and the amended record (a fresh build) when a supplier edits it.
PLACEMENT_FIELDS = (
    "amends_record",
    *EFFECT,
    "itc_reducing",
    "itc_period",
    "pending_deadline",
    "kept_out",
    "rsn",
)
# Written back when a supplier edit keeps the record.
EDIT_FIELDS = (
    "document",
    "section",
    "stin",
    "trdnm",
    "sply_stin",
    "rtnprd",
    "srcform",
    "filed_at",
    "doc_type",
    "number",
    "number_key",
    "number_norm",
    "doc_date",
    "orig_number",
    "orig_date",
    "inv_typ",
    "pos",
    "rchrg",
    "val",
    "txval",
    "iamt",
    "camt",
    "samt",
    "cess",
    "hash",
    "items",
    "diffprcnt",
    *PLACEMENT_FIELDS,
    *ACTION_STATE,
    "active",
    "updated_at",
)
FILING_FIELDS = (
    "filed_at",
    "itc_period",
    "itc_period_fixed",
    "first_itc_period",
    "pending_deadline",
    "kept_out",
    "rsn",
    "active",
    "itc_reducing",
    "amends_record",
    *EFFECT,
    "waiting_on_original",
    *ACTION_STATE,
    "updated_at",
)
SUPERSEDED_FIELDS = ("active", "superseded", *ACTION_STATE, "updated_at")


def recipient_calendars(gstins: Iterable[str]) -> dict[str, Calendar]:
    """The calendars of the registered recipients among ``gstins`` (three queries), for the calls below;
    a caller writing in chunks loads them once."""
    return calendars_by_gstin(gstins)


def _amended_records(docs: Iterable[DocFacts], recipient_ids) -> dict[tuple[int, int], ImsRecord]:
    """The records of the documents these amend, by (amended document, recipient)."""
    ids = {d.amends_id for d in docs if d.amends_id}
    if not ids:
        return {}
    rows = ImsRecord.objects.filter(document_id__in=ids, recipient_id__in=list(recipient_ids), removed=False)
    return {(r.document_id, r.recipient_id): r for r in rows}


def records_saved(
    *,
    saved: list[tuple[DocFacts, tuple | None]],
    calendars: dict[str, Calendar],
    now,
    channel: str,
    changes: dict | None = None,
) -> None:
    """Documents just saved, each with the identity (R-4.1: recipient, place of supply, reverse charge) it
    had before, or None when new. A new document gets a record at N; an edited one keeps its record, reset to
    N with remarks and declaration cleared (R-4.8), unless its identity changed: then the old record is
    removed and a new one made. Every change is audited by the system (the recipient's trail never names
    another taxpayer's users). A bounded number of queries per call, whatever its size.

    ``changes``: a caller saving in chunks collects here, by recipient, what
    each chunk changed, and emits it once at the end (``records_changed``); otherwise this call emits."""
    docs = [d for d, _ in saved]
    amended = _amended_records(docs, [c.taxpayer.id for c in calendars.values()])
    edited_ids = [d.id for d, before in saved if before is not None]
    current = (
        {
            r.document_id: r
            for r in rows_of(ImsRecord.objects.filter(document_id__in=edited_ids, removed=False))
        }
        if edited_ids
        else {}
    )
    new_records, updated, removed, audits = [], [], [], []
    for doc, before in saved:
        cal = calendars.get(doc.ctin)
        old = current.get(doc.id)
        moved = old is not None and before != doc.identity
        if moved:
            old.active, old.removed = False, True
            removed.append(old)
            audits.append(
                audit(
                    old,
                    at=now,
                    by=SYSTEM,
                    channel=channel,
                    frm=old.action,
                    to="",
                    reason="removed: supplier changed recipient, place of supply or reverse charge",
                )
            )
        if cal is None:
            continue
        amended_rec = amended.get((doc.amends_id, cal.taxpayer.id))
        if old is not None and not moved:
            was = old.action
            copy_document(old, doc)
            fresh = build_record(doc, cal, amended_rec, now=now)
            for f in PLACEMENT_FIELDS:
                setattr(old, f, getattr(fresh, f))
            old.active = not old.kept_out
            reset_to_no_action(old)
            old.updated_at = now
            updated.append(old)
            audits.append(
                audit(
                    old,
                    at=now,
                    by=SYSTEM,
                    channel=channel,
                    frm=was,
                    to=Action.NO_ACTION,
                    reason="supplier edited the document",
                )
            )
            continue
        new_records.append(build_record(doc, cal, amended_rec, now=now))
    if removed:
        ImsRecord.objects.filter(id__in=[r.id for r in removed]).update(
            active=False, removed=True, updated_at=now
        )
    if updated:
        rows_update(ImsRecord, updated, EDIT_FIELDS)
    bulk_insert(ImsRecord, new_records)  # COPY on PostgreSQL (issue 12)
    bulk_insert(ImsAudit, audits)
    audit_created(new_records, at=now, channel=channel)
    mine = {} if changes is None else changes
    for rec in [*new_records, *updated]:
        change = mine.get(rec.recipient_id)
        if change is None:
            # ids only, 8 bytes each, until sent (issue 12: a batch of a million documents holds many)
            change = mine[rec.recipient_id] = {"count": 0, "records": array("q")}
        change["count"] += 1
        if len(change["records"]) < CHANGED_LISTED:
            change["records"].append(rec.id)
    if changes is None:
        records_changed(mine)


CHANGED_LISTED = 1000  # records named in one recipient's event; the count is always whole


CHANGED_PER_QUERY = 5_000  # records named in the events built from one query


def records_changed(changes: dict) -> None:
    """Issue 17: one event per recipient whose IMS the supplier changed (webhooks). ``changes``: by
    recipient id, ``{"count", "records": ids}``. The records' numbers are read when the events are made,
    for a few thousand records at a time, so the events of a large batch are never all in memory at once."""
    group: dict = {}
    ids: list[int] = []
    for recipient_id, change in changes.items():
        group[recipient_id] = change
        ids.extend(change["records"])
        if len(ids) >= CHANGED_PER_QUERY:
            _emit_changed(group, ids)
            group, ids = {}, []
    if group:
        _emit_changed(group, ids)


_NAMED = (
    f"SELECT id, number, stin FROM {ImsRecord._meta.db_table} WHERE recipient_id = ANY(%s) AND id = ANY(%s)"
)


def _emit_changed(group: dict, ids: list[int]) -> None:
    if connection.vendor == "postgresql":  # arrays: thousands of ids without an IN list's per-value work
        with connection.cursor() as cursor:
            cursor.execute(_NAMED, [list(group), ids])
            rows = cursor.fetchall()
    else:
        rows = ImsRecord.objects.filter(recipient_id__in=list(group), id__in=ids).values_list(
            "id", "number", "stin"
        )
    named = {i: {"id": i, "number": n, "stin": s} for i, n, s in rows}
    events.emit_many(
        events.RECORDS_CHANGED,
        {
            recipient_id: {
                "count": change["count"],
                "records": [named[i] for i in change["records"] if i in named],
            }
            for recipient_id, change in group.items()
        },
    )


def records_removed(*, document_ids: list[int], now, channel: str, reason: str) -> None:
    """R-4.8: the records of deleted documents leave IMS (audited); they stay in the trail, never deleted."""
    recs = list(ImsRecord.objects.filter(document_id__in=document_ids, removed=False))
    bulk_insert(
        ImsAudit,
        [audit(r, at=now, by=SYSTEM, channel=channel, frm=r.action, to="", reason=reason) for r in recs],
    )
    ImsRecord.objects.filter(id__in=[r.id for r in recs]).update(active=False, removed=True, updated_at=now)


def records_moved(*, docs: list[DocFacts], now) -> None:
    """Records follow their saved documents into another return (an IFF closing into the quarterly GSTR-1,
    R-3.1): new rtnprd/srcform, and the provisional 2B period and pending deadline that go with it (R-4.4).
    Not audited: the action does not change."""
    if not docs:
        return
    by_id = {d.id: d for d in docs}
    records = list(ImsRecord.objects.filter(document_id__in=list(by_id), removed=False))
    calendars = {c.taxpayer.id: c for c in recipient_calendars({d.ctin for d in docs}).values()}
    for rec in records:
        doc = by_id[rec.document_id]
        rec.rtnprd, rec.srcform = doc.period, SRCFORM[doc.form]
        place_record(rec, doc, calendars[rec.recipient_id])
        rec.updated_at = now
    rows_update(ImsRecord, records, ["rtnprd", "srcform", "itc_period", "pending_deadline", "updated_at"])


def records_filed(*, docs: list[DocFacts], now, channel: str) -> None:
    """Filing fixes each record's 2B period and state at the filing instant (R-5.1): a late document leaves
    IMS (R-4.1 C), an amendment is ordered against its original (R-4.7: normal, supersede or wait), and an
    action the assigned 2B period does not allow returns to N (R-4.4); each change audited."""
    if not docs:
        return
    by_doc = {d.id: d for d in docs}
    records = list(ImsRecord.objects.filter(document_id__in=list(by_doc), removed=False))
    if not records:
        return
    calendars = {c.taxpayer.id: c for c in recipient_calendars({d.ctin for d in docs}).values()}
    amended = _amended_records(docs, list(calendars))
    today = business_date(now)
    audits, superseded = [], []
    for rec in records:
        doc = by_doc[rec.document_id]
        cal = calendars[rec.recipient_id]
        was_active, before = rec.active, rec.action
        rec.filed_at = now
        amended_rec = amended.get((doc.amends_id, rec.recipient_id))
        if doc.is_amendment:
            apply_amendment_facts(rec, amended_rec, cal)
        place_record(rec, doc, cal)
        rec.updated_at = now
        if was_active and not rec.active:
            # a record kept out at filing leaves IMS and goes back to N whatever was chosen before,
            # so it is always in "ITC not available".
            reason = "kept out of IMS at filing: filed after the section 16(4) time limit"
            if rec.action == Action.NO_ACTION:
                audits.append(system_audit(rec, at=now, frm=before, to=before, reason=reason))
            else:
                audits.append(system_reset(rec, at=now, reason=reason))
        if rec.active and doc.is_amendment and amended_rec is not None:
            order = domain.amendment_order(
                original_itc_period=amended_rec.itc_period,
                amendment_itc_period=rec.itc_period,
                original_action=amended_rec.action,
                original_3b_filed=cal.is_3b_filed(amended_rec.itc_period),
            )
            rec.waiting_on_original = order == "wait"
            if order == "supersede" and amended_rec.active:
                superseded.append(amended_rec)
                reason = "superseded by an amendment in the same 2B period"
                audits.append(system_reset(amended_rec, at=now, reason=reason))
                amended_rec.active, amended_rec.superseded, amended_rec.updated_at = False, True, now
            if rec.waiting_on_original and rec.action != Action.NO_ACTION:
                audits.append(system_reset(rec, at=now, reason="amendment waits for its original"))
        # an action the newly assigned 2B period does not allow returns to N.
        after = domain.action_after_assignment(
            action=rec.action,
            itc_reducing=rec.itc_reducing,
            itc_period=regime_period(rec),
            deadline=rec.pending_deadline,
            today=today,
        )
        if after != rec.action:
            audits.append(system_reset(rec, at=now, reason="pending not allowed in the assigned 2B period"))
        if domain.declaration_blocked(itc_reducing=rec.itc_reducing, itc_period=regime_period(rec)):
            rec.itc_red_req = None
            rec.decl_igst = rec.decl_cgst = rec.decl_sgst = rec.decl_cess = None
    rows_update(ImsRecord, records, FILING_FIELDS)
    if superseded:
        rows_update(ImsRecord, superseded, SUPERSEDED_FIELDS)
    bulk_insert(ImsAudit, audits)


def records_for_new_recipient(*, recipient: Taxpayer, docs: list[DocFacts], now) -> int:
    """R-1.4: a recipient registering late gets records for the documents already addressed to it (audited
    "recipient registered"). ``docs`` in id order; an amendment's record is decided against the record of
    the document it amends, written first (originals before the amendments of them)."""
    if not docs:
        return 0
    cal = recipient_calendars([recipient.gstin])[recipient.gstin]
    records: dict[int, ImsRecord] = {}
    waves: list[list[ImsRecord]] = []
    depth: dict[int, int] = {}
    for doc in docs:  # ids ascend, so the amended document's record is already built
        amended_rec = records.get(doc.amends_id) if doc.amends_id else None
        rec = build_record(doc, cal, amended_rec, now=now)
        records[doc.id] = rec
        level = depth[doc.id] = depth.get(doc.amends_id, -1) + 1 if doc.amends_id in records else 0
        while len(waves) <= level:
            waves.append([])
        waves[level].append(rec)
    for wave in waves:  # an amendment refers to a record written in an earlier wave
        bulk_insert(ImsRecord, wave)
    bulk_insert(
        ImsAudit,
        [
            audit(
                rec,
                at=now,
                by=SYSTEM,
                channel="job",
                frm="",
                to=Action.NO_ACTION,
                reason="recipient registered",
            )
            for rec in records.values()
        ],
        batch_size=2000,
    )
    return len(records)
