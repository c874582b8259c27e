"""The recipient's copy of a supplier's document: what IMS needs to know of the document (``DocFacts``),
where the record stands (R-4.1 keep-out, R-4.4 / R-5.1 2B period, R-4.3 / R-5.4 amendment effect), and the
one helper every IMS state change writes its audit row with (R-4.9).

The supplier's side (the invoices app, above this one) never hands its models down: it describes each
document as ``DocFacts``, and IMS builds and places records from that and from its own rows."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from core.db import bulk_insert, row_type
from core.money import ZERO
from core.periods import business_date, period_add
from ims import domain
from ims.models import Action, ImsAudit, ImsRecord
from taxpayers.selectors import Calendar

# Rows, not ORM objects: an upload makes hundreds of thousands (issue 12); ``bulk_insert`` writes them.
_new_record = row_type(ImsRecord)
_new_audit = row_type(ImsAudit)

SRCFORM = {"GSTR1": "R1", "IFF": "IFF", "GSTR1A": "R1A"}
# The recipient's side of a record: what an action sets and a reset clears.
ACTION_STATE = ("action", "remarks", "itc_red_req", "decl_igst", "decl_cgst", "decl_sgst", "decl_cess")
# An amendment's counted effect.
EFFECT = ("eff_txval", "eff_igst", "eff_cgst", "eff_sgst", "eff_cess")
SYSTEM = "system"
AMENDMENT_SECTIONS = ("b2ba", "b2bdna", "b2bcna", "ecoma", "impga", "impgseza")


@dataclass(frozen=True, slots=True)
class DocFacts:
    """A supplier's document as IMS sees it. ``supplier_gstin`` is the filer (for ECO documents the
    operator), ``stin`` the actual supplier of an ECO document ("" otherwise); ``section`` the GSTR-1 section;
    ``quarterly_return``: filed in a quarterly GSTR-1 (its 2B window is the IFF one, R-5.1); ``amends_id``:
    the document this one amends."""

    id: int
    supplier_gstin: str
    supplier_name: str
    section: str
    doc_type: str
    ctin: str
    stin: str
    number: str
    number_key: str
    doc_date: date
    orig_number: str
    orig_date: date | None
    inv_typ: str
    pos: str
    rchrg: bool
    val: Decimal
    txval: Decimal
    iamt: Decimal
    camt: Decimal
    samt: Decimal
    cess: Decimal
    content_hash: str
    items: list
    diff_percent: Decimal | None
    period: int
    form: str
    filed_at: datetime | None
    quarterly_return: bool
    amends_id: int | None
    is_amendment: bool

    @property
    def ims_section(self) -> str:
        return domain.ims_section(gstr1_section=self.section, doc_type=self.doc_type)

    @property
    def identity(self) -> tuple:
        """A change of these moves the document to another record (R-4.1 last sentence)."""
        return (self.ctin, self.pos, self.rchrg)


# --- 2B period and pending deadline (R-4.4, R-5.1) ----------------------------------------------------------


def provisional_period(cal: Calendar, rtnprd: int) -> int:
    """R-4.4: before filing, the supplier return period, lifted to the start period and taken as the quarter
    for a quarterly recipient, as R-5.1 will at filing. Choice: a period whose GSTR-3B the recipient has
    already filed is skipped as R-5.1 skips it, so a document saved (e.g. in GSTR-1A) after that 3B is
    actionable instead of answering RETURN_FILED until the supplier files."""
    return domain.assign_itc_period(
        window=rtnprd,
        start_period=cal.taxpayer.ims_start_period,
        is_quarterly=cal.quarterly,
        is_3b_filed=cal.is_3b_filed,
    )


def assigned_period(cal: Calendar, *, filed_at: datetime, form: str, quarterly_return: bool) -> int:
    """R-5.1: the 2B period a filed document lands in, from its filing instant and form."""
    window_form = "GSTR1Q" if form == "GSTR1" and quarterly_return else form
    return domain.assign_itc_period(
        window=domain.window_period(filed_at=filed_at, form=window_form),
        start_period=cal.taxpayer.ims_start_period,
        is_quarterly=cal.quarterly,
        is_3b_filed=cal.is_3b_filed,
    )


def deadline(cal: Calendar, *, itc_reducing: bool, first_period: int) -> date | None:
    return domain.pending_deadline(
        itc_reducing=itc_reducing,
        first_itc_period=first_period,
        next_period_quarterly=cal.quarterly(period_add(first_period, 1)),
        recipient_state=cal.taxpayer.state_code,
    )


def regime_period(rec: ImsRecord) -> int:
    """The 2B period whose rules apply to the record (first assigned, or provisional before filing)."""
    return rec.first_itc_period or rec.itc_period


# --- building and placing a record --------------------------------------------------------------------------


def values_of(rec: ImsRecord) -> dict[str, Decimal]:
    """Amounts of a record as the domain names them."""
    return {"txval": rec.txval, "igst": rec.iamt, "cgst": rec.camt, "sgst": rec.samt, "cess": rec.cess}


def amended_counted(rec: ImsRecord | None, cal: Calendar) -> bool:
    """R-5.4: the amended document counted if accepted or deemed accepted in a filed 3B."""
    if rec is None or rec.rsn is not None or rec.action not in (Action.ACCEPT, Action.NO_ACTION):
        return False
    if rec.kept_out and not rec.rchrg:
        return False
    return cal.is_3b_filed(rec.itc_period)


def apply_amendment_facts(rec: ImsRecord, amended_rec: ImsRecord | None, cal: Calendar) -> None:
    """Counted effect and ITC reduction (R-4.3, R-5.4) of a record, decided against the record of the
    document it amends as that record stands now. The amended document is filed and immutable, so its
    record carries its values; without such a record the amendment counts in full."""
    if not is_amendment_section(rec.section):
        rec.itc_reducing = domain.is_itc_reducing(doc_type=rec.doc_type, is_amendment=False)
        return
    counted = amended_counted(amended_rec, cal)
    amended_vals = values_of(amended_rec) if amended_rec is not None else {}
    new_tax = rec.iamt + rec.camt + rec.samt + rec.cess
    old_tax = sum((amended_vals.get(h, ZERO) for h in domain.HEADS), ZERO)
    increases = None if new_tax == old_tax else new_tax > old_tax
    effect = domain.amendment_effect(amendment=values_of(rec), amended=amended_vals, amended_counted=counted)
    rec.amends_record = amended_rec
    rec.eff_txval, rec.eff_igst, rec.eff_cgst = effect["txval"], effect["igst"], effect["cgst"]
    rec.eff_sgst, rec.eff_cess = effect["sgst"], effect["cess"]
    rec.itc_reducing = domain.is_itc_reducing(
        doc_type=rec.doc_type,
        is_amendment=True,
        tax_increases=increases,
        amended_action=amended_rec.action if amended_rec else None,
        amended_counted=counted,
    )


def copy_document(rec: ImsRecord, doc: DocFacts) -> None:
    """The document fields a recipient sees, copied onto its record (ARCHITECTURE: no join on hot paths)."""
    rec.document_id = doc.id
    rec.section = doc.ims_section
    rec.stin = doc.supplier_gstin
    rec.trdnm = doc.supplier_name
    rec.sply_stin = doc.stin
    rec.rtnprd = doc.period
    rec.srcform = SRCFORM[doc.form]
    rec.filed_at = doc.filed_at
    rec.doc_type = doc.doc_type
    rec.number, rec.number_key, rec.doc_date = doc.number, doc.number_key, doc.doc_date
    rec.number_norm = domain.number_norm(doc.number)
    rec.orig_number, rec.orig_date = doc.orig_number, doc.orig_date
    rec.inv_typ, rec.pos, rec.rchrg, rec.val = doc.inv_typ, doc.pos, doc.rchrg, doc.val
    rec.txval, rec.iamt, rec.camt, rec.samt, rec.cess = doc.txval, doc.iamt, doc.camt, doc.samt, doc.cess
    rec.hash = doc.content_hash
    rec.items, rec.diffprcnt = doc.items, doc.diff_percent


def place_record(rec: ImsRecord, doc: DocFacts, cal: Calendar) -> None:
    """Keep-out reason (R-4.1), 2B period (R-4.4 provisional / R-5.1 at filing) and pending deadline."""
    filed_on = business_date(doc.filed_at) if doc.filed_at else None
    kept_out, rsn = domain.keep_out_reason(
        supplier_state=(doc.stin or doc.supplier_gstin)[:2],
        pos=doc.pos,
        recipient_state=cal.taxpayer.state_code,
        rchrg=doc.rchrg,
        doc_type=doc.doc_type,
        doc_date=doc.doc_date,
        filed_on=filed_on,
    )
    rec.kept_out, rec.rsn = kept_out, rsn
    rec.active = not kept_out and not rec.superseded and not rec.left_ims and not rec.removed
    if doc.filed_at:
        rec.itc_period = assigned_period(
            cal, filed_at=doc.filed_at, form=doc.form, quarterly_return=doc.quarterly_return
        )
        rec.itc_period_fixed = True
        if rec.first_itc_period is None:
            rec.first_itc_period = rec.itc_period
    else:
        rec.itc_period = provisional_period(cal, doc.period)
    rec.pending_deadline = deadline(cal, itc_reducing=rec.itc_reducing, first_period=regime_period(rec))


def build_record(doc: DocFacts, cal: Calendar, amended_rec: ImsRecord | None, *, now) -> ImsRecord:
    rec = _new_record(recipient_id=cal.taxpayer.id, created_at=now, updated_at=now)
    copy_document(rec, doc)
    apply_amendment_facts(rec, amended_rec, cal)
    place_record(rec, doc, cal)
    return rec


# --- the audit trail (R-4.9) --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record named by its ids only (set-based changes read no whole rows)."""

    id: int
    recipient_id: int


def audit(
    rec: ImsRecord | RecordRef,
    *,
    at,
    by: str,
    channel: str,
    frm: str,
    to: str,
    reason: str = "",
    remarks=None,
    decl=None,
) -> ImsAudit:
    """The one way an audit row is made (R-4.9): every IMS state change writes its rows through this."""
    row = _new_audit(
        recipient_id=rec.recipient_id,
        at=at,
        by=by,
        channel=channel,
        from_action=frm,
        to_action=to,
        remarks=remarks,
        decl=decl,
        reason=reason,
    )
    if rec.id is not None:
        row.record_id = rec.id
    else:
        row.record = rec  # a record created in the same batch gets its id when it is written
    return row


def _created_reason(kept_out: bool) -> str:
    return "supplier saved the document" + (" (kept out of IMS)" if kept_out else "")


# The set-based form of ``audit`` for records just made from a supplier's documents (issue 12: an upload makes
# hundreds of thousands): one row per record, in the records' order, from arrays of their ids.
_AUDIT_CREATED = f"""
INSERT INTO {ImsAudit._meta.db_table}
    (recipient_id, record_id, at, by, channel, from_action, to_action, remarks, decl, reason)
SELECT u.recipient_id, u.record_id, %(at)s, %(by)s, %(channel)s, '', %(to)s, NULL, NULL,
       CASE WHEN u.kept_out THEN %(kept_out)s ELSE %(plain)s END
FROM unnest(%(recipients)s::bigint[], %(records)s::bigint[], %(kept)s::boolean[])
     WITH ORDINALITY AS u(recipient_id, record_id, kept_out, n)
ORDER BY u.n"""


def audit_created(recs: list[ImsRecord], *, at, channel: str) -> None:
    """R-4.9 for records just created (and written) from supplier documents: each gets the system's row from
    nothing to no action. On PostgreSQL one INSERT … SELECT over the records' ids, with no row objects; the
    rows are the ones ``audit`` makes (SQLite, `make run`, writes those)."""
    if not recs:
        return
    if connection.vendor != "postgresql":
        bulk_insert(
            ImsAudit,
            [
                audit(
                    r,
                    at=at,
                    by=SYSTEM,
                    channel=channel,
                    frm="",
                    to=Action.NO_ACTION,
                    reason=_created_reason(r.kept_out),
                )
                for r in recs
            ],
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _AUDIT_CREATED,
            {
                "at": at,
                "by": SYSTEM,
                "channel": channel,
                "to": Action.NO_ACTION.value,
                "kept_out": _created_reason(True),
                "plain": _created_reason(False),
                "recipients": [r.recipient_id for r in recs],
                "records": [r.id for r in recs],
                "kept": [r.kept_out for r in recs],
            },
        )


def system_audit(
    rec: ImsRecord | RecordRef, *, at, frm: str, to: str, reason: str, channel: str = "job"
) -> ImsAudit:
    """An audit row for a change the system makes on its own (filing, expiry, supersession)."""
    return audit(rec, at=at, by=SYSTEM, channel=channel, frm=frm, to=to, reason=reason)


# --- what the action rules need -----------------------------------------------------------------------------


def is_amendment_section(section: str) -> bool:
    return section in AMENDMENT_SECTIONS


def record_reduction_of(rec: ImsRecord) -> dict:
    """The record's reduction per head: the most an R-4.6 declaration may reduce."""
    effect = (
        {
            "txval": rec.eff_txval,
            "igst": rec.eff_igst,
            "cgst": rec.eff_cgst,
            "sgst": rec.eff_sgst,
            "cess": rec.eff_cess,
        }
        if rec.eff_txval is not None
        else values_of(rec)
    )
    return domain.record_reduction(
        itc_reducing=rec.itc_reducing,
        is_amendment=is_amendment_section(rec.section),
        values=values_of(rec),
        effect=effect,
    )


def record_state(rec: ImsRecord, cal: Calendar) -> domain.RecordState:
    reduction = record_reduction_of(rec)
    return_filed = cal.is_3b_filed(rec.itc_period)
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
        boe=rec.doc_type == "BOE",
    )


def reset_to_no_action(rec: ImsRecord) -> None:
    rec.action = Action.NO_ACTION
    rec.remarks = None
    rec.itc_red_req = None
    rec.decl_igst = rec.decl_cgst = rec.decl_sgst = rec.decl_cess = None


def system_reset(rec: ImsRecord, *, at, reason: str) -> ImsAudit:
    """The system returns a record to N (remarks and declaration cleared); its audit row, to be written."""
    row = system_audit(rec, at=at, frm=rec.action, to=Action.NO_ACTION, reason=reason)
    reset_to_no_action(rec)
    return row
