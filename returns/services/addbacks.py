"""R-6.4 add-backs: a recipient's final rejection of an ITC-reducing record raises its supplier's
liability; an unchanged re-report the recipient accepts negates that entry."""

from decimal import Decimal

from django.db.models import Q

from core.periods import period_add
from ims.models import Action, ImsRecord
from ims.services.records import is_amendment_section
from returns.models import AddBack
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar, calendars_by_gstin

VALUE_FIELDS = ("txval", "iamt", "camt", "samt", "cess")


def first_unfiled_3b(calendar: Calendar, start_period: int, filed: set[int]) -> int:
    """The supplier's first GSTR-3B not yet filed, from its start period, monthly or quarterly per its
    calendar; it may be a period that has not ended (R-6.4)."""
    p = calendar.return_period(start_period)
    while p in filed:
        p = calendar.return_period(period_add(p, 1))
    return p


def _reduction(rec: ImsRecord) -> dict[str, Decimal]:
    """What the record reduced on the supplier's side: an amendment by the magnitude of its counted
    effect (R-5.4), any other record by its own values."""
    if is_amendment_section(rec.section) and rec.eff_txval is not None:
        return {
            "txval": abs(rec.eff_txval),
            "igst": abs(rec.eff_igst),
            "cgst": abs(rec.eff_cgst),
            "sgst": abs(rec.eff_sgst),
            "cess": abs(rec.eff_cess),
        }
    return {"txval": rec.txval, "igst": rec.iamt, "cgst": rec.camt, "sgst": rec.samt, "cess": rec.cess}


def _settled(recipient: Taxpayer, period: int):
    """Records of the period whose 3B was just filed, in force and counted in its 2B."""
    return ImsRecord.objects.filter(
        recipient=recipient,
        itc_period=period,
        filed_at__isnull=False,
        removed=False,
        superseded=False,
        waiting_on_original=False,
        rsn__isnull=True,
    )


def addbacks_for_filing(*, recipient: Taxpayer, period: int, now) -> list[AddBack]:
    """Entries created by the recipient filing GSTR-3B for ``period`` (R-6.4 (a) then (b)). Idempotent:
    one entry per rejected record and one reversal per accepted record (unique constraint)."""
    rejected = list(
        _settled(recipient, period).filter(action=Action.REJECT, itc_reducing=True).order_by("id")
    )
    accepted = list(
        _settled(recipient, period)
        .filter(action=Action.ACCEPT)
        .filter(Q(amends_record__isnull=False) | Q(srcform="R1A"))
        .order_by("id")
    )
    open_entries = _open_entries(recipient, accepted) if accepted else []
    suppliers = calendars_by_gstin({r.stin for r in rejected} | {e.supplier.gstin for e in open_entries})
    first = {
        s.taxpayer.id: first_unfiled_3b(s, s.taxpayer.ims_start_period, s.filed_3b)
        for s in suppliers.values()
    }
    entries = []
    for rec in rejected:
        supplier = suppliers.get(rec.stin)
        if supplier is None:
            continue
        entries.append(
            AddBack(
                supplier=supplier.taxpayer,
                record_id=rec.id,
                ctin=recipient.gstin,
                section=rec.section,
                number=rec.number,
                doc_type=rec.doc_type,
                **_reduction(rec),
                rejected_in_period=period,
                added_in_period=first[supplier.taxpayer.id],
                reversal=False,
                created_at=now,
            )
        )
    entries += _reversals(recipient, accepted, open_entries, first, now)
    AddBack.objects.bulk_create(entries, ignore_conflicts=True)
    return entries


def _open_entries(recipient: Taxpayer, accepted: list[ImsRecord]) -> list[AddBack]:
    """Add-backs of this recipient's rejections not negated yet, with the records they came from."""
    negated = AddBack.objects.filter(reversal=True, negates__isnull=False).values("negates_id")
    entries = list(
        AddBack.objects.select_related("supplier")
        .filter(ctin=recipient.gstin, reversal=False)
        .exclude(id__in=negated)
        .order_by("id")
    )
    records = ImsRecord.objects.filter(id__in=[e.record_id for e in entries]).only(
        *VALUE_FIELDS, "number_key"
    )
    by_id = {r.id: r for r in records}
    for e in entries:
        e.source = by_id.get(e.record_id)
    return [e for e in entries if e.source is not None]


def _reversals(recipient, accepted, open_entries, first, now) -> list[AddBack]:
    """(b) An accepted record re-reporting a rejected note unchanged (its amendment, or a GSTR-1A record
    of the same supplier and number) negates that note's add-back entirely, txval included."""
    by_record = {e.record_id: e for e in open_entries}
    by_number: dict[tuple, list[AddBack]] = {}
    for e in open_entries:
        by_number.setdefault((e.supplier.gstin, e.source.number_key, e.doc_type), []).append(e)
    used, out = set(), []
    for rec in accepted:
        entry = by_record.get(rec.amends_record_id)
        if entry is None:
            candidates = [
                e for e in by_number.get((rec.stin, rec.number_key, rec.doc_type), []) if e.record_id < rec.id
            ]
            entry = candidates[-1] if candidates else None
        if entry is None or entry.id in used:
            continue
        if any(getattr(rec, f) != getattr(entry.source, f) for f in VALUE_FIELDS):
            continue  # not re-reported unchanged
        used.add(entry.id)
        out.append(
            AddBack(
                supplier=entry.supplier,
                record_id=rec.id,
                ctin=recipient.gstin,
                section=rec.section,
                number=rec.number,
                doc_type=rec.doc_type,
                # R-6.4(b): the negatives of the entry it reverses, txval included.
                txval=-entry.txval,
                igst=-entry.igst,
                cgst=-entry.cgst,
                sgst=-entry.sgst,
                cess=-entry.cess,
                rejected_in_period=entry.rejected_in_period,
                added_in_period=first[entry.supplier_id],
                reversal=True,
                negates=entry,
                created_at=now,
            )
        )
    return out
