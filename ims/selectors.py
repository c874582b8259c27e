"""Reads of the recipient's IMS records, always scoped by one GSTIN first."""

import functools
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Count, F, Q, Sum

from core.api import keyset, make_cursor, page_args
from core.errors import DomainError, NotFound, ValidationFailed
from core.periods import parse_doc_date, parse_period
from ims import domain
from ims.models import Action, ImsAudit, ImsRecord
from taxpayers.domain import gstin_state, gstr3b_due_date, normalize_gstin
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

ACTION_NAMES = {"N": "noaction", "A": "accept", "R": "reject", "P": "pending"}
GOODS_TYPES = {"ALL_OTH": domain.SUPPLIER_SECTIONS, "IMP_GDS": domain.BOE_SECTIONS}


def _period_param(params, key: str) -> int | None:
    raw = params.get(key)
    if not raw:
        return None
    try:
        return parse_period(raw)
    except DomainError as exc:
        raise ValidationFailed([{"path": key, "code": exc.code, "message": exc.message}])


# A document type as the IMS sections hold it (ECO documents are invoices: GSTR-1 table 15).
DOC_TYPE_SECTIONS = {
    "INV": ("b2b", "b2ba", "ecom", "ecoma"),
    "CN": ("b2bcn", "b2bcna"),
    "DN": ("b2bdn", "b2bdna"),
    "BOE": domain.BOE_SECTIONS,
}
SUPPLIER_MATCHES = 500


def suppliers_matching(term: str) -> list[str]:
    """GSTINs of taxpayers whose GSTIN starts with ``term`` or whose trade or legal name contains it (the
    IMS page's supplier search); at most SUPPLIER_MATCHES, so the record filter stays one indexed IN."""
    term = term.strip()
    upper = term.upper()
    if len(upper) == 15:
        return [upper]
    found = Taxpayer.objects.filter(
        Q(gstin__startswith=upper) | Q(trade_name__icontains=term) | Q(legal_name__icontains=term)
    ).values_list("gstin", flat=True)
    return list(found[:SUPPLIER_MATCHES])


def ims_filter(*, recipient: Taxpayer, params):
    """The recipient's records matching the list query keys of API.md (every filter has its index)."""
    qs = ImsRecord.objects.filter(recipient=recipient)
    left = str(params.get("left") or "").lower()
    if left in ("true", "1", "yes"):
        qs = qs.filter(Q(active=True) | Q(left_ims=True))
    else:
        qs = qs.filter(active=True)
    errors = []
    if section := params.get("section"):
        if section not in domain.IMS_SECTIONS:
            errors.append({"path": "section", "code": "INVALID", "message": "Unknown IMS section."})
        qs = qs.filter(section=section)
    if action := params.get("action"):
        if action not in domain.ACTIONS:
            errors.append({"path": "action", "code": "INVALID", "message": "action is N, A, R or P."})
        qs = qs.filter(action=action)
    if stin := params.get("stin"):
        qs = qs.filter(stin=normalize_gstin(stin))
    if (p := _period_param(params, "rtnprd")) is not None:
        qs = qs.filter(rtnprd=p)
    if (p := _period_param(params, "itc_period")) is not None:
        qs = qs.filter(itc_period=p)
    if q := (params.get("q") or "").strip():
        qs = qs.filter(number_key__startswith=q.upper())
    if goods := params.get("goods_typ"):
        # GSTN's two IMS tabs: All other ITC (ALL_OTH) and Import of goods (IMP_GDS, R-10.2).
        if goods not in GOODS_TYPES:
            errors.append(
                {"path": "goods_typ", "code": "INVALID", "message": "goods_typ is ALL_OTH or IMP_GDS."}
            )
        else:
            qs = qs.filter(section__in=GOODS_TYPES[goods])
    if portcode := (params.get("portcode") or "").strip():
        qs = qs.filter(portcode=portcode.upper())
    if raw := (params.get("dt") or "").strip():
        try:
            qs = qs.filter(doc_date=parse_doc_date(raw))
        except DomainError:
            errors.append({"path": "dt", "code": "INVALID_DATE", "message": "A date is written DD-MM-YYYY."})
    # Issue 15, as GSTN's IMS filters: document dates from/to, document type, supplier by name or part of
    # a GSTIN. Each narrows through an indexed column (doc_date; section; stin).
    for key, lookup in (("dt_from", "doc_date__gte"), ("dt_to", "doc_date__lte")):
        if raw := (params.get(key) or "").strip():
            try:
                qs = qs.filter(**{lookup: parse_doc_date(raw)})
            except DomainError:
                errors.append(
                    {"path": key, "code": "INVALID_DATE", "message": "A date is written DD-MM-YYYY."}
                )
    if doc_type := params.get("doc_type"):
        if doc_type not in DOC_TYPE_SECTIONS:
            errors.append(
                {"path": "doc_type", "code": "INVALID", "message": "doc_type is INV, CN, DN or BOE."}
            )
        else:
            qs = qs.filter(section__in=DOC_TYPE_SECTIONS[doc_type])
    if term := (params.get("supplier") or "").strip():
        qs = qs.filter(stin__in=suppliers_matching(term))
    if errors:
        raise ValidationFailed(errors)
    return qs


def ims_list(*, recipient: Taxpayer, params, fields: tuple[str, ...] = ()) -> tuple[list, str | None]:
    """One page of the recipient's records. With ``fields``, only those columns are read and each row is a
    plain object with them as attributes (issue 12: the list API reads no items and builds no model
    instances); without, whole records."""
    limit, after = page_args(params)
    qs = ims_filter(recipient=recipient, params=params)
    if not fields:
        return keyset(qs, limit, after)
    rows = [
        SimpleNamespace(**dict(zip(fields, row, strict=True)))
        for row in _page_tuples(qs, fields, after=after, size=limit + 1)
    ]
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], make_cursor(rows[limit - 1].id)


def _page_tuples(qs, fields: tuple[str, ...], *, after: int | None, size: int) -> list[tuple]:
    """``size`` rows of ``fields`` after id ``after``, in id order. On PostgreSQL the filter's WHERE clause
    is compiled by Django and the rest written here: psycopg2 already gives ``Decimal``, ``date``, aware
    ``datetime`` and ``bool`` for these columns, and Django's ``values_list`` (a join path per field) and
    per-value converters cost twice the query itself (issue 12). Elsewhere (SQLite) Django does it all."""
    if after is not None:
        qs = qs.filter(id__gt=after)
    joined = sum(1 for alias in qs.query.alias_map if qs.query.alias_refcount[alias]) > 1
    if connection.vendor != "postgresql" or joined:
        return list(qs.order_by("id").values_list(*fields)[:size])
    try:
        where, params = qs.query.get_compiler(using=qs.db).compile(qs.query.where)
    except EmptyResultSet:
        return []
    except FullResultSet:
        where, params = "TRUE", []
    table = qs.model._meta.db_table
    sql = f"SELECT {_columns(qs.model, fields)} FROM {table} WHERE {where} ORDER BY id LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size])
        return cursor.fetchall()


@functools.cache
def _columns(model, fields: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(f).column) for f in fields)


def ims_summary(*, recipient: Taxpayer) -> dict:
    """Counts by section and action of active records: one GROUP BY."""
    out = {"ttl_cnt": 0}
    for section in domain.IMS_SECTIONS:
        out[section] = {name: 0 for name in ACTION_NAMES.values()}
    rows = (
        ImsRecord.objects.filter(recipient=recipient, active=True)
        .values_list("section", "action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for section, action, n in rows:
        out[section][ACTION_NAMES[action]] += n
        out["ttl_cnt"] += n
    return out


def ims_summary_tax(*, recipient: Taxpayer) -> dict:
    """Count, taxable value and total tax of active records by section and action: one GROUP BY.
    ``{section: {action_letter: {"n", "txval", "tax"}}}`` with every section and action present."""
    zero = Decimal("0.00")
    out = {s: {a: {"n": 0, "txval": zero, "tax": zero} for a in domain.ACTIONS} for s in domain.IMS_SECTIONS}
    rows = (
        ImsRecord.objects.filter(recipient=recipient, active=True)
        .values_list("section", "action")
        .annotate(n=Count("id"), txval=Sum("txval"), tax=Sum(F("iamt") + F("camt") + F("samt") + F("cess")))
        .order_by()
    )
    for section, action, n, txval, tax in rows:
        out[section][action] = {"n": n, "txval": txval or zero, "tax": tax or zero}
    return out


def ims_deemed_outlook(*, recipient: Taxpayer) -> dict | None:
    """Active records at No action whose 2B period's GSTR-3B is not filed: filing that return marks them
    deemed accepted (R-4.11), so the banner counts them with their total tax and names the GSTR-3B due
    date (R-2.2) of the nearest such 2B period. Amendments waiting on their original and records of unfiled
    documents are carried forward, not deemed accepted, so they stay out. Two queries: one GROUP BY by 2B
    period and the calendar.
    ``{"n", "tax", "due", "period", "periods": [{"period", "n", "tax", "due"}]}`` or None."""
    calendar = Calendar(recipient)
    rows = list(
        ImsRecord.objects.filter(
            recipient=recipient, active=True, action="N", waiting_on_original=False, filed_at__isnull=False
        )
        .exclude(itc_period__in=calendar.filed_3b)
        .values_list("itc_period")
        .annotate(n=Count("id"), tax=Sum(F("iamt") + F("camt") + F("samt") + F("cess")))
        .order_by("itc_period")
    )
    if not rows:
        return None
    state = gstin_state(recipient.gstin)
    periods = [
        {"period": p, "n": n, "tax": tax, "due": gstr3b_due_date(p, calendar.quarterly(p), state)}
        for p, n, tax in rows
    ]
    return {
        "n": sum(r["n"] for r in periods),
        "tax": sum((r["tax"] for r in periods), Decimal("0.00")),
        "due": periods[0]["due"],
        "period": periods[0]["period"],
        "periods": periods,
    }


def ims_filing_outlook(*, recipient: Taxpayer, period: int) -> dict:
    """What filing GSTR-3B of ``period`` will do to IMS (R-4.11), for its confirmation: records at No action
    deemed accepted (count and tax) and records carried forward (pending, or amendments waiting on their
    original). One GROUP BY."""
    rows = (
        ImsRecord.objects.filter(recipient=recipient, itc_period=period, active=True, filed_at__isnull=False)
        .values_list("action", "waiting_on_original")
        .annotate(n=Count("id"), tax=Sum(F("iamt") + F("camt") + F("samt") + F("cess")))
        .order_by()
    )
    out = {"deemed": 0, "deemed_tax": Decimal("0.00"), "carried": 0}
    for action, waiting, n, tax in rows:
        if action == "P" or waiting:
            out["carried"] += n
        elif action == "N":
            out["deemed"] += n
            out["deemed_tax"] += tax or Decimal("0.00")
    return out


def ims_record(*, recipient: Taxpayer, record_id) -> ImsRecord:
    try:
        rid = int(record_id)
    except (TypeError, ValueError):
        raise NotFound()
    rec = ImsRecord.objects.filter(recipient=recipient, id=rid, removed=False).first()
    if rec is None:
        raise NotFound()
    return rec


def ims_history(*, record: ImsRecord) -> list[ImsAudit]:
    return list(ImsAudit.objects.filter(recipient_id=record.recipient_id, record=record).order_by("id"))


def ims_action_counts(*, recipient: Taxpayer) -> dict[str, int]:
    """Active records by action (N, A, R, P): one GROUP BY."""
    out = {a: 0 for a in (Action.NO_ACTION, Action.ACCEPT, Action.REJECT, Action.PENDING)}
    rows = (
        ImsRecord.objects.filter(recipient=recipient, active=True)
        .values_list("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for action, n in rows:
        out[action] = out.get(action, 0) + n
    return out


def deemed_countdown(cal: Calendar, period: int) -> dict | None:
    """R-4.11: the records of ``period`` still at No action, which filing its GSTR-3B deems accepted —
    count, taxable value and tax, in one aggregate. None once the 3B is filed."""
    if period in cal.filed_3b:
        return None
    row = ImsRecord.objects.filter(
        recipient=cal.taxpayer,
        itc_period=period,
        active=True,
        action=Action.NO_ACTION,
        kept_out=False,
        filed_at__isnull=False,
        removed=False,
        superseded=False,
        waiting_on_original=False,
    ).aggregate(
        n=Count("id"),
        txval=Sum("txval"),
        tax=Sum(F("iamt") + F("camt") + F("samt") + F("cess")),
    )
    quarterly = cal.quarterly(period)
    return {
        "count": row["n"],
        "txval": row["txval"] or Decimal("0.00"),
        "tax": row["tax"] or Decimal("0.00"),
        "period": period,
        "due": gstr3b_due_date(period, quarterly, cal.taxpayer.state_code),
    }


DOC_TYPE_WORDS = {"INV": "Invoice", "CN": "Credit note", "DN": "Debit note", "BOE": "Bill of entry"}


def document_words(*, doc_type: str, number: str, trdnm: str, stin: str) -> str:
    """A record as a practitioner names it: "Credit note CN-1 of Acme" (issue 15: never "Record 16")."""
    words = f"{DOC_TYPE_WORDS.get(doc_type, 'Document')} {number}"
    party = trdnm or stin
    return f"{words} of {party}" if party else words


def record_names(job, ids: list[int]) -> dict[int, str]:
    """Records a batch job refused, as pages name them: type, number and supplier (one query; issue 15)."""
    rows = ImsRecord.objects.filter(recipient_id=job.taxpayer_id, id__in=ids).values_list(
        "id", "doc_type", "number", "trdnm", "stin"
    )
    return {
        rid: document_words(doc_type=doc_type, number=number, trdnm=trdnm, stin=stin)
        for rid, doc_type, number, trdnm, stin in rows
    }
