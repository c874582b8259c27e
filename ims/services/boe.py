"""Bills of entry in the importer's IMS (R-10.2, R-10.3): the one IMS service the customs feed calls. A bill
of entry (BoE) reported by customs becomes a record of its importer, filed at receipt, placed in the 2B
period of its reference date; a value amendment is a record of its own, ordered against the record it
amends as R-4.7 orders a supplier's amendment; a GSTIN amendment removes the record from the old
importer's IMS and gives the new importer an original with the amended values. Every change is audited
through ``records.audit``, in the caller's transaction, in a bounded number of queries per call."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.db import bulk_insert, rows_update
from core.money import ZERO
from core.periods import period_of
from ims import domain
from ims.models import Action, ImsAudit, ImsRecord
from ims.services.records import apply_amendment_facts, audit, system_reset
from taxpayers.selectors import Calendar

BY = "customs"
SRCFORM = "BOE"  # GSTN gives import records no source form; ours says where the record came from


@dataclass(frozen=True, slots=True)
class BoeFacts:
    """A bill of entry as customs reports it (R-10.1); ``sez_ctin`` is "" for goods from overseas."""

    portcode: str
    boenum: str
    boedt: date
    refdt: date
    recdt: date
    sez_ctin: str
    txval: Decimal
    igst: Decimal
    cess: Decimal

    @property
    def content_hash(self) -> str:
        """Equal reported values give an equal hash (the feed's idempotency, the record's ``hash``)."""
        text = "|".join(
            [self.portcode, self.boenum, self.boedt.isoformat(), self.refdt.isoformat(), self.sez_ctin]
            + [str(v) for v in (self.txval, self.igst, self.cess)]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class BoeChange:
    """One BoE to write: ``kind`` "new" (first report), "amend" (new values, same importer: ``previous`` is
    the record in force) or "move" (new importer: ``previous`` is the old importer's record in force)."""

    kind: str
    facts: BoeFacts
    calendar: Calendar
    previous: ImsRecord | None = None
    sez_name: str = ""


def section_of(*, sez: bool, amendment: bool) -> str:
    return ("impgsez" if sez else "impg") + ("a" if amendment else "")


def _place(rec: ImsRecord, cal: Calendar) -> None:
    """R-10.2: the month of the reference date, lifted to the start period, as the quarter for a quarterly
    importer, past every period whose GSTR-3B is filed; in IMS from 10-2025, straight to 2B before."""
    rec.itc_period = domain.assign_itc_period(
        window=period_of(rec.refdt),
        start_period=cal.taxpayer.ims_start_period,
        is_quarterly=cal.quarterly,
        is_3b_filed=cal.is_3b_filed,
    )
    rec.itc_period_fixed = True
    rec.first_itc_period = rec.itc_period
    rec.kept_out, rec.rsn, rec.pending_deadline = False, None, None
    rec.active = rec.itc_period >= domain.BOE_IMS_FROM


def _build(change: BoeChange, *, amendment: bool, now) -> ImsRecord:
    f, cal = change.facts, change.calendar
    rec = ImsRecord(recipient=cal.taxpayer, created_at=now, updated_at=now, filed_at=now)
    rec.section = section_of(sez=bool(f.sez_ctin), amendment=amendment)
    rec.stin, rec.trdnm, rec.sply_stin = f.sez_ctin, change.sez_name, ""
    rec.rtnprd, rec.srcform, rec.doc_type = period_of(f.refdt), SRCFORM, "BOE"
    rec.number, rec.number_key, rec.doc_date = f.boenum, f.boenum.upper(), f.boedt
    rec.number_norm = domain.number_norm(f.boenum)
    rec.orig_number, rec.orig_date = (f.boenum, f.boedt) if amendment else ("", None)
    rec.inv_typ, rec.pos, rec.rchrg = "", "", False
    rec.portcode, rec.refdt, rec.recdt = f.portcode, f.refdt, f.recdt
    rec.txval, rec.iamt, rec.camt, rec.samt, rec.cess = f.txval, f.igst, ZERO, ZERO, f.cess
    rec.val = f.txval + f.igst + f.cess
    rec.hash = f.content_hash
    apply_amendment_facts(rec, change.previous if amendment else None, cal)
    _place(rec, cal)
    return rec


def _reason(kind: str, rec: ImsRecord) -> str:
    base = {
        "new": "customs reported the bill of entry",
        "amend": "customs amended the bill of entry",
        "move": "customs amended the importer's GSTIN: the bill of entry moved to this GSTIN",
    }[kind]
    return base if rec.active else base + " (2B period before 10-2025: straight to GSTR-2B)"


def boe_records_write(changes: list[BoeChange], *, now, channel: str) -> list[ImsRecord]:
    """Write the records of ``changes`` (R-10.2): the new record of each, in order. The caller holds the
    importers' locks (taxpayers.locks) and has checked the facts."""
    new_records, audits, superseded, removed = [], [], [], []
    for change in changes:
        prev = change.previous
        amendment = change.kind == "amend"
        rec = _build(change, amendment=amendment, now=now)
        if amendment and prev is not None:
            cal = change.calendar
            order = domain.amendment_order(
                original_itc_period=prev.itc_period,
                amendment_itc_period=rec.itc_period,
                original_action=prev.action,
                original_3b_filed=cal.is_3b_filed(prev.itc_period),
            )
            rec.waiting_on_original = order == "wait"
            if order == "supersede" and not prev.superseded:
                audits.append(
                    system_reset(prev, at=now, reason="superseded by an amendment in the same 2B period")
                )
                prev.active, prev.superseded, prev.updated_at = False, True, now
                superseded.append(prev)
        if change.kind == "move" and prev is not None:
            audits.append(
                audit(
                    prev,
                    at=now,
                    by=BY,
                    channel=channel,
                    frm=prev.action,
                    to="",
                    reason="removed: customs amended the importer's GSTIN to another GSTIN",
                )
            )
            removed.append(prev.id)
        new_records.append(rec)
    if removed:
        ImsRecord.objects.filter(id__in=removed).update(active=False, removed=True, updated_at=now)
    if superseded:
        rows_update(ImsRecord, superseded, ["active", "superseded", "action", "remarks", "updated_at"])
    bulk_insert(ImsRecord, new_records)  # COPY on PostgreSQL (issue 12)
    for change, rec in zip(changes, new_records, strict=True):
        audits.append(
            audit(
                rec,
                at=now,
                by=BY,
                channel=channel,
                frm="",
                to=Action.NO_ACTION,
                reason=_reason(change.kind, rec),
            )
        )
    bulk_insert(ImsAudit, audits)
    return new_records
