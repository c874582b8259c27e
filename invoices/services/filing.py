"""Filing GSTR-1, IFF and GSTR-1A (R-3.10, R-3.12); what filing does to the recipients' IMS records (R-4.1,
R-4.4, R-4.7, R-5.1) is decided by the IMS app (``ims.services.copies.records_filed``)."""

from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count

from core import clock
from core.db import retry_on_conflict
from core.errors import RuleViolation
from core.periods import (
    business_date,
    is_quarter_last_month,
    period_add,
    period_ended,
    quarter_first_month,
    quarter_last_month,
)
from ims.services import copies
from invoices.figures import TABLES, outward_figures
from invoices.models import Document, Form, ReturnFiling, SummaryRow
from invoices.services.documents import doc_facts, filed_forms, iff_close_sweep, in_ims
from taxpayers.domain import iff_last_date
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

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
        if calendar.is_3b_filed(period):
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


@retry_on_conflict
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
    lock_taxpayers([supplier.id])
    now = clock.now()
    today = business_date(now)
    calendar = Calendar(supplier)
    iff_close_sweep(supplier=supplier, today=today)
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
    # the summary tables (B2CS, advances, nil, HSN, documents issued, e-commerce) are filed with it.
    rows = SummaryRow.objects.filter(
        supplier=supplier, period=period, form=form, filed_at__isnull=True
    ).update(filed_at=now, updated_at=now)
    for d in docs:
        d.filed_at = now
    facts = [doc_facts(d, supplier, quarterly_return=quarterly) for d in docs if in_ims(d)]
    copies.records_filed(docs=facts, now=now, channel=channel)
    return {"form": form, "filed_at": now, "documents": len(docs), "rows": rows}


def gstr1_summary(*, supplier: Taxpayer, period: int) -> dict:
    """GET /gstr1/{gstin}/{period}: forms with status and counts, and totals."""
    calendar = Calendar(supplier)
    # A closed IFF's documents are already in the quarterly GSTR-1: every request settles first
    # (ims_portal.middleware), and so do the scheduled task, saving and filing; a read writes nothing.
    today = clock.today()
    filings = {(f.form, f.period): f for f in ReturnFiling.objects.filter(taxpayer=supplier)}
    counts = dict((k, v) for k, v in _count_by_form(supplier, period))
    threeb = calendar.is_3b_filed(calendar.return_period(period))
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
    # The GSTR-1 summary: each table's effect (credit notes and adjusted advances reduce, amendments by
    # their difference), and the total as GSTR-3B counts it, saved documents included.
    figures = outward_figures(supplier=supplier, months=[period], filed_only=False)
    tables = [
        {"section": section, "label": label, **figures.tables[section]}
        for section, label in TABLES
        if section in figures.tables
    ]
    return {
        "period": period,
        "quarterly": quarterly,
        "forms": forms,
        "tables": tables,
        "nil": figures.nil,
        "totals": figures.total(),
        "quarter": quarter_last_month(period) if quarterly else None,
    }


def _count_by_form(supplier: Taxpayer, period: int):
    """Documents and summary rows of the period, by form."""
    counts = defaultdict(int)
    for model in (Document, SummaryRow):
        rows = (
            model.objects.filter(supplier=supplier, period=period).values_list("form").annotate(n=Count("id"))
        )
        for form, n in rows.order_by():
            counts[form] += n
    return counts.items()
