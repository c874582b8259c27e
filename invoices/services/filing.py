"""Filing GSTR-1, IFF and GSTR-1A (R-3.10, R-3.12) and what filing does to IMS records (R-4.1, R-4.4,
R-4.7, R-5.1)."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, When

from ims_portal.errors import RuleViolation
from invoices import domain
from invoices.models import Action, Document, Form, ImsAudit, ImsRecord, ReturnFiling
from returns.models import Gstr3bFiling
from taxpayers import clock
from taxpayers.domain import (
    business_date,
    iff_last_date,
    is_quarter_last_month,
    period_add,
    period_ended,
    quarter_first_month,
    quarter_last_month,
)
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

from .documents import filed_forms, iff_close_sweep, recipients_with_3b, rows_update
from .records import (
    apply_amendment_facts,
    place_record,
    reset_to_no_action,
    system_audit,
)

IFF_LIMIT = Decimal("5000000.00")


def _refusal(supplier: Taxpayer, period: int, form: str, calendar: Calendar, filed: set, today) -> None:
    """Raise the first rule that refuses filing ``form`` for ``period``."""
    if period < supplier.ims_start_period:
        raise RuleViolation("BEFORE_START_PERIOD", "This period is before the taxpayer's start period.")
    quarterly = calendar.quarterly(period)
    if form == Form.IFF and (not quarterly or is_quarter_last_month(period)):
        raise RuleViolation("WRONG_FORM", "IFF is for months 1 and 2 of a quarter of a quarterly taxpayer.")
    if form in (Form.GSTR1, Form.GSTR1A) and quarterly and not is_quarter_last_month(period):
        raise RuleViolation(
            "WRONG_FORM", "A quarterly taxpayer files GSTR-1 for the quarter (its last month)."
        )
    if (form, period) in filed:
        raise RuleViolation("ALREADY_FILED", "This return is already filed.")
    if form == Form.GSTR1A:
        if (Form.GSTR1, period) not in filed:
            raise RuleViolation("WRONG_FORM", "GSTR-1A needs the period's GSTR-1 filed first.")
        if Gstr3bFiling.objects.filter(taxpayer=supplier, period=period).exists():
            raise RuleViolation("RETURN_FILED", "GSTR-1A closed when GSTR-3B of the period was filed.")
        return
    if not period_ended(period, today):
        raise RuleViolation("PERIOD_NOT_ENDED", "A return can be filed only after its period has ended.")
    if form == Form.IFF and today > iff_last_date(period):
        raise RuleViolation(
            "IFF_CLOSED", "IFF closed on the 13th; these documents go into the quarterly GSTR-1."
        )
    first = quarter_first_month(period) if (form == Form.IFF or quarterly) else period
    previous_month = period_add(first, -1)
    if previous_month >= supplier.ims_start_period:
        key = calendar.return_period(previous_month)
        if (Form.GSTR1, key) not in filed:
            raise RuleViolation("PREVIOUS_NOT_FILED", "GSTR-1 of the previous period must be filed first.")


def _iff_taxable(docs: list[Document]) -> Decimal:
    """R-3.12: invoices and DNs minus CNs; amendments by their difference to the document they amend."""
    amended_ids = {d.amends_id for d in docs if d.amends_id}
    amended = (
        dict(Document.objects.filter(id__in=amended_ids).values_list("id", "txval")) if amended_ids else {}
    )
    total = Decimal("0")
    for d in docs:
        value = d.txval - amended.get(d.amends_id, Decimal("0"))
        total += -value if d.doc_type == "CN" else value
    return total


@transaction.atomic
def return_file(*, supplier: Taxpayer, period: int, form: str, by: str, channel: str) -> dict:
    if form not in Form.values:
        raise RuleViolation(
            "VALIDATION",
            "form is GSTR1, IFF or GSTR1A.",
            status=400,
            details=[{"path": "form", "code": "INVALID", "message": "form is GSTR1, IFF or GSTR1A."}],
        )
    # Serialise filings of one supplier: two concurrent filings must not both pass the checks.
    Taxpayer.objects.select_for_update().filter(id=supplier.id).first()
    now = clock.now()
    today = business_date(now)
    calendar = Calendar(supplier)
    iff_close_sweep(supplier=supplier, calendar=calendar, today=today)
    filed = filed_forms(supplier)
    _refusal(supplier, period, form, calendar, filed, today)
    quarterly = form == Form.GSTR1 and calendar.quarterly(period)
    docs = list(
        Document.objects.filter(supplier=supplier, period=period, form=form, filed_at__isnull=True).order_by(
            "id"
        )
    )
    if form == Form.IFF and _iff_taxable(docs) > IFF_LIMIT:
        raise RuleViolation("IFF_LIMIT_EXCEEDED", "The IFF's taxable value exceeds ₹50,00,000.00.")
    try:
        with transaction.atomic():
            ReturnFiling.objects.create(
                taxpayer=supplier,
                form=form,
                period=period,
                quarterly=quarterly,
                filed_at=now,
                documents=len(docs),
            )
    except IntegrityError as exc:
        raise RuleViolation("ALREADY_FILED", "This return is already filed.") from exc
    Document.objects.filter(id__in=[d.id for d in docs]).update(filed_at=now, updated_at=now)
    for d in docs:
        d.filed_at = now
        d.supplier = supplier
        d._quarterly_return = quarterly
    _file_records(docs, now, today, by=by, channel=channel)
    return {"form": form, "filed_at": now, "documents": len(docs)}


def _file_records(docs: list[Document], now, today, *, by: str, channel: str) -> None:
    """Fix each record's 2B period and state at the filing instant."""
    if not docs:
        return
    by_doc = {d.id: d for d in docs}
    records = list(ImsRecord.objects.filter(document_id__in=list(by_doc), removed=False))
    if not records:
        return
    recipients = {r.taxpayer.id: r for r in recipients_with_3b({d.ctin for d in docs}).values()}
    amended_ids = {d.amends_id for d in docs if d.amends_id}
    amended_recs = (
        {
            (r.document_id, r.recipient_id): r
            for r in ImsRecord.objects.filter(document_id__in=amended_ids, removed=False)
        }
        if amended_ids
        else {}
    )
    amended_docs = {x.id: x for x in Document.objects.filter(id__in=amended_ids)} if amended_ids else {}
    audits, superseded = [], []
    for rec in records:
        doc = by_doc[rec.document_id]
        recipient = recipients[rec.recipient_id]
        was_active, before = rec.active, rec.action
        rec.filed_at = now
        amended_rec = amended_recs.get((doc.amends_id, rec.recipient_id))
        if doc.root_id:
            apply_amendment_facts(rec, doc, amended_docs.get(doc.amends_id), amended_rec, recipient)
        place_record(rec, doc, recipient, today)
        rec.updated_at = now
        if was_active and not rec.active:
            audits.append(
                system_audit(
                    rec,
                    at=now,
                    frm=before,
                    to=before,
                    reason="kept out of IMS at filing: filed after the section 16(4) time limit",
                )
            )
        if rec.active and doc.root_id and amended_rec is not None:
            order = domain.amendment_order(
                original_itc_period=amended_rec.itc_period,
                amendment_itc_period=rec.itc_period,
                original_action=amended_rec.action,
                original_3b_filed=recipient.is_3b_filed(amended_rec.itc_period),
            )
            rec.waiting_on_original = order == "wait"
            if order == "supersede" and amended_rec.active:
                superseded.append(amended_rec)
                audits.append(
                    system_audit(
                        amended_rec,
                        at=now,
                        frm=amended_rec.action,
                        to=Action.NO_ACTION,
                        reason="superseded by an amendment in the same 2B period",
                    )
                )
                reset_to_no_action(amended_rec)
                amended_rec.active, amended_rec.superseded, amended_rec.updated_at = False, True, now
            if rec.waiting_on_original and rec.action != Action.NO_ACTION:
                audits.append(
                    system_audit(
                        rec,
                        at=now,
                        frm=rec.action,
                        to=Action.NO_ACTION,
                        reason="amendment waits for its original",
                    )
                )
                reset_to_no_action(rec)
        # an action the newly assigned 2B period does not allow returns to N.
        after = domain.action_after_assignment(
            action=rec.action,
            itc_reducing=rec.itc_reducing,
            itc_period=rec.first_itc_period or rec.itc_period,
            deadline=rec.pending_deadline,
            today=today,
        )
        if after != rec.action:
            audits.append(
                system_audit(
                    rec,
                    at=now,
                    frm=rec.action,
                    to=after,
                    reason="pending not allowed in the assigned 2B period",
                )
            )
            reset_to_no_action(rec)
        if domain.declaration_blocked(
            itc_reducing=rec.itc_reducing, itc_period=rec.first_itc_period or rec.itc_period
        ):
            rec.itc_red_req = None
            rec.decl_igst = rec.decl_cgst = rec.decl_sgst = rec.decl_cess = None
    fields = [
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
        "eff_txval",
        "eff_igst",
        "eff_cgst",
        "eff_sgst",
        "eff_cess",
        "waiting_on_original",
        "action",
        "remarks",
        "itc_red_req",
        "decl_igst",
        "decl_cgst",
        "decl_sgst",
        "decl_cess",
        "updated_at",
    ]
    rows_update(ImsRecord, records, fields)
    if superseded:
        rows_update(
            ImsRecord,
            superseded,
            [
                "active",
                "superseded",
                "action",
                "remarks",
                "itc_red_req",
                "decl_igst",
                "decl_cgst",
                "decl_sgst",
                "decl_cess",
                "updated_at",
            ],
        )
    ImsAudit.objects.bulk_create(audits, batch_size=2000)


def gstr1_summary(*, supplier: Taxpayer, period: int) -> dict:
    """GET /gstr1/{gstin}/{period}: forms with status and counts, and totals."""
    calendar = Calendar(supplier)
    today = clock.today()
    iff_close_sweep(supplier=supplier, calendar=calendar, today=today)
    filings = {(f.form, f.period): f for f in ReturnFiling.objects.filter(taxpayer=supplier)}
    counts = dict((k, v) for k, v in _count_by_form(supplier, period))
    threeb = Gstr3bFiling.objects.filter(taxpayer=supplier, period=calendar.return_period(period)).exists()
    forms = []
    quarterly = calendar.quarterly(period)
    names = [Form.IFF] if quarterly and not is_quarter_last_month(period) else [Form.GSTR1, Form.GSTR1A]
    for name in names:
        f = filings.get((name, period))
        status = "filed" if f else "open"
        if name == Form.GSTR1A and not f and ((Form.GSTR1, period) not in filings or threeb):
            status = "closed" if threeb else "open"
        if name == Form.IFF and not f and today > iff_last_date(period):
            status = "closed"
        forms.append(
            {
                "form": name,
                "status": status,
                "filed_at": f.filed_at if f else None,
                "documents": counts.get(name, 0),
            }
        )
    # Net of the period as a practitioner reads GSTR-1: invoices and debit notes minus credit notes.
    signed = {
        f: Sum(Case(When(doc_type="CN", then=-F(f)), default=F(f), output_field=DecimalField()))
        for f in ("txval", "iamt", "camt", "samt", "csamt")
    }
    totals = Document.objects.filter(supplier=supplier, period=period).aggregate(**signed)
    return {
        "period": period,
        "quarterly": quarterly,
        "forms": forms,
        "totals": {k: v or Decimal("0.00") for k, v in totals.items()},
        "quarter": quarter_last_month(period) if quarterly else None,
    }


def _count_by_form(supplier: Taxpayer, period: int):
    from django.db.models import Count

    return (
        Document.objects.filter(supplier=supplier, period=period).values_list("form").annotate(n=Count("id"))
    )
