"""Supplier pages: the GSTR-1 / IFF / GSTR-1A period picker, one period (forms, totals, documents), a
small JSON file saved at once, and filing through a confirmation. Every write goes through the services the
API uses; refusals become words beside the form."""

import json
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from core import clock
from core.errors import DomainError, RuleViolation, ValidationFailed
from core.pages import page_period, rule_message
from core.periods import (
    is_quarter_last_month,
    parse_period,
    period_add,
    period_code,
    period_of,
)
from core.templatetags.portal import period_label
from core.words import pos_label
from invoices import selectors, services
from invoices.api.documents import count_documents
from invoices.forms import FORM_SECTIONS, ROW_TITLES, SECTION_TITLES, path_words
from invoices.models import Document, Form, ReturnFiling
from taxpayers.access import Perm
from taxpayers.models import Taxpayer
from taxpayers.pages import gstin_page
from taxpayers.selectors import Calendar, trade_names

CHANNEL = "web"


PICKER_MONTHS = 36


FORM_LABELS = dict(Form.choices)


SECTION_ORDER = (
    "b2b",
    "b2ba",
    "cdnr",
    "cdnra",
    "ecom",
    "ecoma",
    "b2cl",
    "b2cla",
    "exp",
    "expa",
    "cdnur",
    "cdnura",
)
ROW_ORDER = tuple(ROW_TITLES)
NIL_TYPES = {
    "INTRB2B": "Inter-state supplies to registered persons",
    "INTRAB2B": "Intra-state supplies to registered persons",
    "INTRB2C": "Inter-state supplies to unregistered persons",
    "INTRAB2C": "Intra-state supplies to unregistered persons",
}
DOC_KINDS = {
    1: "Invoices for outward supply",
    2: "Invoices for inward supply from unregistered person",
    3: "Revised invoice",
    4: "Debit note",
    5: "Credit note",
    6: "Receipt voucher",
    7: "Payment voucher",
    8: "Refund voucher",
    9: "Delivery challan for job work",
    10: "Delivery challan for supply on approval",
    11: "Delivery challan in case of liquid gas",
    12: "Delivery challan in cases other than by way of supply",
}


def _row_words(row) -> str:
    """What a summary row is, in the words of its table."""
    d = row.data
    if row.section == "nil":
        return NIL_TYPES.get(d.get("sply_ty"), d.get("sply_ty", ""))
    if row.section == "hsn":
        part = {"hsn_b2b": " (B2B)", "hsn_b2c": " (B2C)"}.get(d.get("part"), "")
        words = f"{d.get('hsn_sc')} · {d.get('uqc')}" + (f" · {d['rt']}%" if d.get("rt") else "")
        return words + (f" · {d['desc']}" if d.get("desc") else "") + part
    if row.section == "doc_issue":
        kind = DOC_KINDS.get(d.get("doc_num"), "")
        counts = f"({d.get('net_issue')} net of {d.get('cancel')} cancelled)"
        return f"{kind}: {d.get('from')} to {d.get('to')} {counts}"
    if row.section in ("supeco", "supecoa"):
        return f"Operator {d.get('etin')}" + (f" (amends {d['omon']})" if d.get("omon") else "")
    words = pos_label(row.pos) if row.pos else ""
    if row.rt is not None:
        words += f" · {row.rt.normalize():f}%"
    if d.get("etin"):
        words += f" · through {d['etin']}"
    if d.get("omon"):
        words += f" · amends {d['omon']}"
    return words


@gstin_page()
def gstr1_home(request, taxpayer):
    if raw := request.GET.get("period"):
        try:
            return redirect("gstr1_period", taxpayer.gstin, period_code(parse_period(raw.strip())))
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
    current = period_of(clock.today())
    calendar = Calendar(taxpayer)
    filed = defaultdict(list)
    for form, p in ReturnFiling.objects.filter(taxpayer=taxpayer).values_list("form", "period"):
        filed[p].append(FORM_LABELS[form])
    counts = dict(
        Document.objects.filter(supplier=taxpayer)
        .values_list("period")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("period", "n")
    )
    periods = []
    p = current
    while p >= taxpayer.ims_start_period and len(periods) < PICKER_MONTHS:
        quarterly = calendar.quarterly(p)
        periods.append(
            {
                "period": p,
                "code": period_code(p),
                "quarterly": quarterly,
                "quarter_end": quarterly and is_quarter_last_month(p),
                "filed": sorted(filed.get(p, [])),
                "documents": counts.get(p, 0),
            }
        )
        p = period_add(p, -1)
    return render(request, "gstr1/home.html", {"nav": "gstr1", "periods": periods})


def _file_choices(summary: dict) -> list[dict]:
    """The forms that can be filed from this page now, with the consequence in one sentence."""
    statuses = {f["form"]: f["status"] for f in summary["forms"]}
    out = []
    for f in summary["forms"]:
        if f["status"] != "open":
            continue
        if f["form"] == Form.GSTR1A and statuses.get(Form.GSTR1) != "filed":
            continue  # GSTR-1A opens once the period's GSTR-1 is filed
        out.append(f)
    return out


def consequence(form: str, period: int, quarterly: bool, documents: int) -> str:
    noun = "document" if documents == 1 else "documents"
    when = period_label(period, quarterly and form == Form.GSTR1)
    return (
        f"Filing {FORM_LABELS[form]} for {when} files {documents} {noun}; "
        "filed documents cannot be edited, only amended."
    )


PAGE_DOCUMENTS = 100


def _period_context(taxpayer: Taxpayer, p: int, params=None) -> dict:
    params = params or {}
    summary = services.gstr1_summary(supplier=taxpayer, period=p)
    q = (params.get("q") or "").strip()[:16]
    try:
        after = int(params.get("after")) if params.get("after") else None
    except ValueError:
        after = None
    docs, counts, next_after = selectors.documents_page(
        supplier=taxpayer, period=p, q=q, after=after, size=PAGE_DOCUMENTS
    )
    names = trade_names(d.ctin for d in docs)
    groups = defaultdict(list)
    for d in docs:
        d.recipient_name = names.get(d.ctin, "")
        d.pos_label = pos_label(d.pos)
        d.editable = d.filed_at is None and d.section in FORM_SECTIONS
        groups[d.section].append(d)
    rows = defaultdict(list)
    for row in selectors.summary_rows_for_period(supplier=taxpayer, period=p):
        row.words = _row_words(row)
        rows[row.section].append(row)
    quarterly = summary["quarterly"]
    fileable = _file_choices(summary)
    for f in summary["forms"]:
        f["label"] = FORM_LABELS[f["form"]]
    return {
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "summary": summary,
        "quarterly": quarterly,
        "sections": [
            {"key": s, "title": SECTION_TITLES[s], "docs": groups[s], "count": counts.get(s, 0)}
            for s in SECTION_ORDER
            if groups.get(s)
        ],
        # Issue 15: the documents are paged (100 at a time, keyset) and searchable by number or GSTIN.
        "q": q,
        "paged": after is not None,
        "next_after": next_after,
        "row_sections": [
            {"key": s, "title": ROW_TITLES[s], "rows": rows[s], "nil": s == "nil", "plain": s == "doc_issue"}
            for s in ROW_ORDER
            if rows.get(s)
        ],
        "document_count": sum(counts.values()),
        "fileable": fileable,
        # Issue 15: documents can be added only while a form of the period is open (GSTR-1, then GSTR-1A
        # until GSTR-3B is filed, or the IFF until its 13th); otherwise the page says where they go.
        "accepting": bool(fileable),
    }


@gstin_page()
def gstr1_period(request, taxpayer, period):
    p = page_period(period)
    return render(request, "gstr1/period.html", _period_context(taxpayer, p, request.GET))


@gstin_page(Perm.WRITE)
def gstr1_upload(request, taxpayer, period):
    """GSTR-1 JSON from a file, saved whole or not at all (R-3.11); every error shown with its path."""
    p = page_period(period)
    if request.method != "POST":
        return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    errors, refusal = [], None
    # The same bound as the synchronous API's body (issue 14): the file is read whole, so refuse a larger
    # one from its declared length before Django reads it, and from its size after.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:
        return _too_large(request, taxpayer, p, limit)
    upload = request.FILES.get("file")
    if upload is not None and upload.size > limit:
        return _too_large(request, taxpayer, p, limit)
    if upload is None:
        errors = [{"path": "file", "code": "REQUIRED", "message": "Choose a GSTR-1 JSON file."}]
    else:
        try:
            payload = json.loads(upload.read(), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError) as exc:
            errors = [{"path": "file", "code": "INVALID", "message": f"The file is not valid JSON: {exc}"}]
        else:
            if count_documents(payload) > services.MAX_SYNC_DOCUMENTS:
                refusal = (
                    "At most 10,000 documents per file here; upload larger files through the API (TOO_LARGE)"
                )
            else:
                try:
                    result = services.documents_save(
                        supplier=taxpayer,
                        period=p,
                        payload=payload,
                        by=request.user.username,
                        channel=CHANNEL,
                    )
                except ValidationFailed as exc:
                    errors = exc.details
                except RuleViolation as exc:
                    refusal = rule_message(exc)
                else:
                    messages.success(
                        request,
                        f"{upload.name} saved in {FORM_LABELS[result['form']]}: {result['created']} created, "
                        f"{result['updated']} updated, {result['unchanged']} unchanged.",
                    )
                    return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    ctx = _period_context(taxpayer, p)
    ctx.update(
        {
            "upload_errors": [{**e, "where": path_words(e.get("path") or "")} for e in errors],
            "upload_refusal": refusal,
            "upload_name": getattr(upload, "name", ""),
        }
    )
    return render(request, "gstr1/period.html", ctx, status=400 if errors else 409)


def _too_large(request, taxpayer, p: int, limit: int):
    ctx = _period_context(taxpayer, p)
    ctx["upload_refusal"] = (
        f"The file is larger than {limit // (1024 * 1024)} MB; upload it as a large file instead (TOO_LARGE)."
    )
    return render(request, "gstr1/period.html", ctx, status=413)


@gstin_page(Perm.FILE)
def gstr1_file(request, taxpayer, period):
    """GET: the confirmation, saying the consequence; POST: file through the same service as the API."""
    p = page_period(period)
    form = request.POST.get("form") if request.method == "POST" else request.GET.get("form")
    if form not in Form.values:
        raise Http404("Not found")
    summary = services.gstr1_summary(supplier=taxpayer, period=p)
    info = next((f for f in summary["forms"] if f["form"] == form), None)
    documents = info["documents"] if info else 0
    ctx = {
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "form": form,
        "form_label": FORM_LABELS[form],
        "quarterly": summary["quarterly"],
        "consequence": consequence(form, p, summary["quarterly"], documents),
    }
    if request.method != "POST":
        return render(request, "gstr1/file_confirm.html", ctx)
    try:
        result = services.return_file(
            supplier=taxpayer, period=p, form=form, by=request.user.username, channel=CHANNEL
        )
    except RuleViolation as exc:
        ctx["refusal"] = rule_message(exc)
        return render(request, "gstr1/file_confirm.html", ctx, status=409)
    messages.success(request, f"{FORM_LABELS[form]} filed with {result['documents']} documents.")
    return redirect("gstr1_period", taxpayer.gstin, period_code(p))
