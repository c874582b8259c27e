"""Reads of a supplier's documents, always scoped by its GSTIN first, and its outward view (R-7.1): each
document with its recipient's action, read back from the recipient's records by document id."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from core.api import keyset, page_args
from core.errors import DomainError, ValidationFailed
from core.periods import parse_period
from ims import domain as ims_domain
from ims.models import ImsRecord
from invoices.domain.gstr1_tables import B2B_SECTIONS
from invoices.models import Document, SummaryRow
from taxpayers.domain import normalize_gstin
from taxpayers.models import Taxpayer


def documents_for_period(*, supplier: Taxpayer, period: int) -> list[Document]:
    return list(Document.objects.filter(supplier=supplier, period=period).order_by("section", "ctin", "id"))


def documents_page(
    *, supplier: Taxpayer, period: int, q: str = "", after: int | None = None, size: int = 100
) -> tuple[list[Document], dict[str, int], int | None]:
    """One page of a period's documents in the order they were saved (keyset on id, index
    ``document_period_page``), those whose number or recipient GSTIN starts with ``q``; the matching count
    per section (one GROUP BY); and the id to continue after, or None on the last page (issue 15: a period
    of 3,000 documents rendered them all)."""
    qs = Document.objects.filter(supplier=supplier, period=period)
    if q:
        qs = qs.filter(Q(number_key__startswith=q.upper()) | Q(ctin__startswith=q.upper()))
    counts = dict(qs.values_list("section").annotate(n=Count("id")).order_by())
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, counts, rows[-1].id if more else None


def summary_rows_for_period(*, supplier: Taxpayer, period: int) -> list[SummaryRow]:
    """A period's summary rows (R-3.13) in a stable order: by table, then as the rows' keys sort."""
    return list(SummaryRow.objects.filter(supplier=supplier, period=period).order_by("section", "key", "id"))


# IMS section -> the document's GSTR-1 section and, for notes, its type.
DOC_SECTION = {
    "b2b": ("b2b", None),
    "b2ba": ("b2ba", None),
    "b2bdn": ("cdnr", "DN"),
    "b2bcn": ("cdnr", "CN"),
    "b2bdna": ("cdnra", "DN"),
    "b2bcna": ("cdnra", "CN"),
    "ecom": ("ecom", None),
    "ecoma": ("ecoma", None),
}
RECORD_FIELDS = (
    "document_id",
    "kept_out",
    "rsn",
    "action",
    "remarks",
    "itc_period",
    "left_ims",
    "deemed_accepted",
)


def outward_filter(*, supplier: Taxpayer, params):
    """R-7.1 filters: ``period`` (supplier return period), ``ctin``, ``section`` (IMS), ``action``; and
    for the page ``q``, the start of a document number."""
    # only the B2B sections reach a recipient's IMS; B2C, exports and notes to unregistered
    # persons have no recipient action to show.
    qs = Document.objects.filter(supplier=supplier, section__in=B2B_SECTIONS)
    errors = []
    if raw := params.get("period"):
        try:
            qs = qs.filter(period=parse_period(raw))
        except DomainError as exc:
            errors.append({"path": "period", "code": exc.code, "message": exc.message})
    if ctin := params.get("ctin"):
        qs = qs.filter(ctin=normalize_gstin(ctin))
    if q := (params.get("q") or "").strip():  # the page's number search (issue 15), prefix as on IMS
        qs = qs.filter(number_key__startswith=q.upper())
    if section := params.get("section"):
        if section not in DOC_SECTION:
            errors.append({"path": "section", "code": "INVALID", "message": "Unknown IMS section."})
        else:
            gstr1_section, note_type = DOC_SECTION[section]
            qs = qs.filter(section=gstr1_section)
            if note_type:
                qs = qs.filter(doc_type=note_type)
    if action := params.get("action"):
        if action not in ims_domain.ACTIONS:
            errors.append({"path": "action", "code": "INVALID", "message": "action is N, A, R or P."})
        # Documents kept out of IMS have no action, so they never match.
        acted = ImsRecord.objects.filter(
            document=OuterRef("pk"), removed=False, kept_out=False, action=action
        )
        qs = qs.filter(Exists(acted))
    if errors:
        raise ValidationFailed(errors)
    return qs


def outward_list(*, supplier: Taxpayer, params) -> tuple[list[tuple[Document, ImsRecord | None]], str | None]:
    """A keyset page of the supplier's documents, each with its recipient's record or None: two queries."""
    limit, after = page_args(params)
    docs, nxt = keyset(outward_filter(supplier=supplier, params=params), limit, after)
    records = {
        r.document_id: r
        for r in ImsRecord.objects.filter(document_id__in=[d.id for d in docs], removed=False).only(
            *RECORD_FIELDS
        )
    }
    return [(d, records.get(d.id)) for d in docs], nxt


def outward_counts(qs) -> dict:
    """The documents of ``qs`` (an outward_filter query) counted by their recipient's action, one GROUP BY;
    documents with no record in a recipient's IMS (kept out, or recipient not registered here) under None."""
    shown = ImsRecord.objects.filter(document=OuterRef("pk"), removed=False, kept_out=False)
    rows = (
        qs.order_by().annotate(act=Subquery(shown.values("action")[:1])).values("act").annotate(n=Count("id"))
    )
    return {r["act"]: r["n"] for r in rows}


def outward_rows(qs, *, chunk: int):
    """Every document of ``qs`` with its record, ``chunk`` documents at a time (keyset on id): two queries
    a chunk, for the IMS Outward workbook."""
    after = 0
    while True:
        docs = list(qs.filter(id__gt=after).order_by("id")[:chunk])
        if not docs:
            return
        records = {
            r.document_id: r
            for r in ImsRecord.objects.filter(document_id__in=[d.id for d in docs], removed=False).only(
                *RECORD_FIELDS
            )
        }
        yield [(d, records.get(d.id)) for d in docs]
        after = docs[-1].id
