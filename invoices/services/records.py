"""Building and refreshing IMS records from documents: the recipient's copy of what it sees."""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from ims_portal.money import ZERO
from invoices import domain
from invoices.models import Action, Channel, Document, ImsAudit, ImsRecord
from returns.models import Gstr3bFiling
from taxpayers.domain import PENDING_RULE_SWITCH, business_date, period_add
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar, calendars_for

SRCFORM = {"GSTR1": "R1", "IFF": "IFF", "GSTR1A": "R1A"}
SYSTEM = "system"


@dataclass
class Recipient:
    """A registered recipient with what the record rules need, loaded once per batch."""

    taxpayer: Taxpayer
    calendar: Calendar
    _filed_3b: set[int] | None = field(default=None, repr=False)

    @cached_property
    def filed_3b(self) -> set[int]:
        if self._filed_3b is None:
            self._filed_3b = set(
                Gstr3bFiling.objects.filter(taxpayer=self.taxpayer).values_list("period", flat=True)
            )
        return self._filed_3b

    def is_3b_filed(self, period: int) -> bool:
        return period in self.filed_3b

    def provisional_period(self, rtnprd: int) -> int:
        """R-4.4: before filing, the supplier return period, lifted to the start period and taken as the
        quarter for a quarterly recipient, as R-5.1 will at filing. Choice: a period whose GSTR-3B the
        recipient has already filed is skipped as R-5.1 skips it, so a document saved (e.g. in GSTR-1A)
        after that 3B is actionable instead of answering RETURN_FILED until the supplier files."""
        return domain.assign_itc_period(
            window=rtnprd,
            start_period=self.taxpayer.ims_start_period,
            is_quarterly=self.calendar.quarterly,
            is_3b_filed=self.is_3b_filed,
        )

    def assigned_period(self, doc: Document) -> int:
        form = "GSTR1Q" if doc.form == "GSTR1" and self.is_quarterly_return(doc) else doc.form
        return domain.assign_itc_period(
            window=domain.window_period(filed_at=doc.filed_at, form=form),
            start_period=self.taxpayer.ims_start_period,
            is_quarterly=self.calendar.quarterly,
            is_3b_filed=self.is_3b_filed,
        )

    @staticmethod
    def is_quarterly_return(doc: Document) -> bool:
        return getattr(doc, "_quarterly_return", False)

    def deadline(self, *, itc_reducing: bool, first_period: int):
        nxt = period_add(first_period, 1)
        return domain.pending_deadline(
            itc_reducing=itc_reducing,
            first_itc_period=first_period,
            next_period_quarterly=self.calendar.quarterly(nxt),
            recipient_state=self.taxpayer.state_code,
        )


def recipients_for(gstins) -> dict[str, Recipient]:
    """Registered recipients among ``gstins``, with their calendars and filed GSTR-3B periods: three
    queries whatever the number of recipients (saving or filing a batch never queries per recipient)."""
    taxpayers = list(Taxpayer.objects.filter(gstin__in=set(gstins)))
    cals = calendars_for(taxpayers)
    filed: dict[int, set[int]] = {t.id: set() for t in taxpayers}
    if taxpayers:
        rows = Gstr3bFiling.objects.filter(taxpayer_id__in=list(filed)).values_list("taxpayer_id", "period")
        for tid, period in rows:
            filed[tid].add(period)
    return {t.gstin: Recipient(t, cals[t.id], filed[t.id]) for t in taxpayers}


def doc_values(obj) -> dict:
    """Amounts of a document or record as the domain names them."""
    return {
        "txval": obj.txval,
        "igst": obj.iamt,
        "cgst": obj.camt,
        "sgst": obj.samt,
        "cess": obj.csamt if isinstance(obj, Document) else obj.cess,
    }


def amended_counted(rec: ImsRecord | None, recipient: Recipient) -> bool:
    """R-5.4: the amended document counted if accepted or deemed accepted in a filed 3B."""
    if rec is None or rec.rsn is not None or rec.action not in (Action.ACCEPT, Action.NO_ACTION):
        return False
    if rec.kept_out and not rec.rchrg:
        return False
    return recipient.is_3b_filed(rec.itc_period)


def apply_amendment_facts(
    rec: ImsRecord,
    doc: Document,
    amended_doc: Document | None,
    amended_rec: ImsRecord | None,
    recipient: Recipient,
) -> None:
    """Counted effect and ITC-reduction (R-4.3, R-5.4) of an amendment record, from the amended record now."""
    if not doc.root_id:
        rec.itc_reducing = domain.is_itc_reducing(doc_type=doc.doc_type, is_amendment=False)
        return
    counted = amended_counted(amended_rec, recipient)
    amended_vals = doc_values(amended_doc) if amended_doc is not None else {}
    new_tax = doc.iamt + doc.camt + doc.samt + doc.csamt
    old_tax = sum((amended_vals.get(h, ZERO) for h in ("igst", "cgst", "sgst", "cess")), ZERO)
    increases = None if new_tax == old_tax else new_tax > old_tax
    effect = domain.amendment_effect(amendment=doc_values(doc), amended=amended_vals, amended_counted=counted)
    rec.amends_record = amended_rec
    rec.eff_txval, rec.eff_igst, rec.eff_cgst = effect["txval"], effect["igst"], effect["cgst"]
    rec.eff_sgst, rec.eff_cess = effect["sgst"], effect["cess"]
    rec.itc_reducing = domain.is_itc_reducing(
        doc_type=doc.doc_type,
        is_amendment=True,
        tax_increases=increases,
        amended_action=amended_rec.action if amended_rec else None,
        amended_counted=counted,
    )


def copy_document(rec: ImsRecord, doc: Document, supplier: Taxpayer) -> None:
    """The document fields a recipient sees, copied onto its record (ARCHITECTURE: no join on hot paths)."""
    rec.document_id = doc.id
    rec.section = domain.ims_section(gstr1_section=doc.section, doc_type=doc.doc_type)
    rec.stin = supplier.gstin
    rec.trdnm = supplier.display_name
    rec.sply_stin = doc.stin
    rec.rtnprd = doc.period
    rec.srcform = SRCFORM[doc.form]
    rec.filed_at = doc.filed_at
    rec.doc_type = doc.doc_type
    rec.number, rec.number_key, rec.doc_date = doc.number, doc.number_key, doc.doc_date
    rec.orig_number, rec.orig_date = doc.orig_number, doc.orig_date
    rec.inv_typ, rec.pos, rec.rchrg, rec.val = doc.inv_typ, doc.pos, doc.rchrg, doc.val
    rec.txval, rec.iamt, rec.camt, rec.samt, rec.cess = doc.txval, doc.iamt, doc.camt, doc.samt, doc.csamt
    rec.hash = doc.content_hash


def place_record(rec: ImsRecord, doc: Document, recipient: Recipient, today: date) -> None:
    """Keep-out reason (R-4.1), 2B period (R-4.4 provisional / R-5.1 at filing) and pending deadline."""
    filed_on = business_date(doc.filed_at) if doc.filed_at else None
    kept_out, rsn = domain.keep_out_reason(
        supplier_state=(doc.stin or doc.supplier.gstin)[:2],
        pos=doc.pos,
        recipient_state=recipient.taxpayer.state_code,
        rchrg=doc.rchrg,
        doc_type=doc.doc_type,
        doc_date=doc.doc_date,
        filed_on=filed_on,
    )
    rec.kept_out, rec.rsn = kept_out, rsn
    rec.active = not kept_out and not rec.superseded and not rec.left_ims and not rec.removed
    if doc.filed_at:
        rec.itc_period = recipient.assigned_period(doc)
        rec.itc_period_fixed = True
        if rec.first_itc_period is None:
            rec.first_itc_period = rec.itc_period
    else:
        rec.itc_period = recipient.provisional_period(doc.period)
    regime = rec.first_itc_period or rec.itc_period
    rec.pending_deadline = recipient.deadline(itc_reducing=rec.itc_reducing, first_period=regime)


def build_record(
    doc: Document, recipient: Recipient, today: date, amended: tuple | None = None, *, now
) -> ImsRecord:
    rec = ImsRecord(recipient=recipient.taxpayer, created_at=now, updated_at=now)
    copy_document(rec, doc, doc.supplier)
    amended_doc, amended_rec = amended or (None, None)
    apply_amendment_facts(rec, doc, amended_doc, amended_rec, recipient)
    place_record(rec, doc, recipient, today)
    return rec


def audit(
    rec: ImsRecord, *, at, by: str, channel: str, frm: str, to: str, reason: str = "", remarks=None, decl=None
) -> ImsAudit:
    return ImsAudit(
        recipient_id=rec.recipient_id,
        record=rec,
        at=at,
        by=by,
        channel=channel,
        from_action=frm,
        to_action=to,
        remarks=remarks,
        decl=decl,
        reason=reason,
    )


def system_audit(rec: ImsRecord, *, at, frm: str, to: str, reason: str, channel: str = "job") -> ImsAudit:
    """An audit row for a change the system makes on its own (filing, expiry, supersession)."""
    return audit(rec, at=at, by=SYSTEM, channel=channel, frm=frm, to=to, reason=reason)


def is_amendment_section(section: str) -> bool:
    return section in ("b2ba", "b2bdna", "b2bcna", "ecoma")


def regime_period(rec: ImsRecord) -> int:
    """The 2B period whose rules apply to the record (first assigned, or provisional before filing)."""
    return rec.first_itc_period or rec.itc_period


def record_state(rec: ImsRecord, recipient: Recipient) -> domain.RecordState:
    reduction = domain.record_reduction(
        itc_reducing=rec.itc_reducing,
        is_amendment=is_amendment_section(rec.section),
        values=doc_values(rec),
        effect={
            "txval": rec.eff_txval,
            "igst": rec.eff_igst,
            "cgst": rec.eff_cgst,
            "sgst": rec.eff_sgst,
            "cess": rec.eff_cess,
        }
        if rec.eff_txval is not None
        else doc_values(rec),
    )
    return_filed = recipient.is_3b_filed(rec.itc_period)
    return domain.RecordState(
        itc_reducing=rec.itc_reducing,
        itc_period=regime_period(rec),
        pending_deadline=rec.pending_deadline,
        waiting_on_original=rec.waiting_on_original,
        return_filed=return_filed,
        # A record that left IMS at 3B filing answers RETURN_FILED, the reason it cannot change,
        # rather than NOT_FOUND: it is still shown by id.
        active=rec.active or (rec.left_ims and return_filed),
        reduction=reduction,
    )


def pending_allowed_now(rec: ImsRecord, today: date) -> bool:
    return (
        domain.pending_refusal(
            itc_reducing=rec.itc_reducing,
            itc_period=regime_period(rec),
            deadline=rec.pending_deadline,
            today=today,
        )
        is None
    )


def reset_to_no_action(rec: ImsRecord) -> None:
    rec.action = Action.NO_ACTION
    rec.remarks = None
    rec.itc_red_req = None
    rec.decl_igst = rec.decl_cgst = rec.decl_sgst = rec.decl_cess = None


__all__ = [
    "Channel",
    "SYSTEM",
    "PENDING_RULE_SWITCH",
    "Recipient",
    "recipients_for",
    "build_record",
    "audit",
    "copy_document",
    "place_record",
    "record_state",
    "reset_to_no_action",
    "pending_allowed_now",
]
