"""Supplier pages: GSTR-1 / IFF / GSTR-1A periods, the document form, JSON upload, filing, and IMS Outward.

Every write goes through the services the API uses (documents_save, document_delete, return_file); the
pages only translate typed values to GSTR-1 JSON and refusals to words beside the fields."""

import json
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html

from ims_portal.errors import RuleViolation, ValidationFailed
from ims_portal.pages import gstin_page, page_period, rule_message
from ims_portal.templatetags.portal import period_label
from invoices import domain as ims_domain
from invoices import selectors, services
from invoices.api import count_documents
from invoices.forms import SECTION_TITLES, DocumentForm, blank_row, choices, pos_label
from invoices.models import Document, Form, ReturnFiling
from returns.outward import addbacks_list, outward_list
from taxpayers import clock
from taxpayers.access import Perm
from taxpayers.domain import (
    DomainError,
    fy_start_year,
    is_quarter_last_month,
    parse_doc_date,
    parse_period,
    period_add,
    period_code,
    period_of,
)
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

CHANNEL = "web"
PICKER_MONTHS = 36
FORM_LABELS = dict(Form.choices)
SECTION_ORDER = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma")
IMS_SECTION_NAMES = {
    "b2b": "B2B invoices",
    "b2ba": "B2B invoices (amendment)",
    "b2bdn": "Debit notes",
    "b2bdna": "Debit notes (amendment)",
    "b2bcn": "Credit notes",
    "b2bcna": "Credit notes (amendment)",
    "ecom": "ECO documents",
    "ecoma": "ECO documents (amendment)",
}
ACTION_NAMES = {"N": "No action", "A": "Accepted", "R": "Rejected", "P": "Pending"}
KEPT_OUT_REASONS = {
    "P": "ITC not available: place of supply is the supplier's state, not the recipient's",
    "C": "Filed after the section 16(4) time limit",
}


def _names(gstins) -> dict[str, str]:
    """Trade names of the GSTINs registered here, in one query."""
    return {t.gstin: t.display_name for t in Taxpayer.objects.filter(gstin__in=set(gstins))}


# --- GSTR-1 home: the period picker ---------------------------------------------------------------


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


# --- one period: forms, totals, documents, upload, filing -----------------------------------------


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


def _period_context(taxpayer: Taxpayer, p: int) -> dict:
    summary = services.gstr1_summary(supplier=taxpayer, period=p)
    docs = selectors.documents_for_period(supplier=taxpayer, period=p)
    names = _names(d.ctin for d in docs)
    groups = defaultdict(list)
    for d in docs:
        d.recipient_name = names.get(d.ctin, "")
        d.pos_label = pos_label(d.pos)
        d.editable = d.filed_at is None and d.section in ("b2b", "b2ba", "cdnr", "cdnra")
        groups[d.section].append(d)
    quarterly = summary["quarterly"]
    for f in summary["forms"]:
        f["label"] = FORM_LABELS[f["form"]]
    return {
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "summary": summary,
        "quarterly": quarterly,
        "sections": [
            {"key": s, "title": SECTION_TITLES[s], "docs": groups[s]} for s in SECTION_ORDER if groups.get(s)
        ],
        "document_count": len(docs),
        "fileable": _file_choices(summary),
    }


@gstin_page()
def gstr1_period(request, taxpayer, period):
    p = page_period(period)
    return render(request, "gstr1/period.html", _period_context(taxpayer, p))


@gstin_page(Perm.WRITE)
def gstr1_upload(request, taxpayer, period):
    """GSTR-1 JSON from a file, saved whole or not at all (R-3.11); every error shown with its path."""
    p = page_period(period)
    if request.method != "POST":
        return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    errors, refusal = [], None
    upload = request.FILES.get("file")
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
        {"upload_errors": errors, "upload_refusal": refusal, "upload_name": getattr(upload, "name", "")}
    )
    return render(request, "gstr1/period.html", ctx, status=400 if errors else 409)


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


# --- the document form ----------------------------------------------------------------------------


def _form_page(
    request, taxpayer, p, form: DocumentForm, doc: Document | None, status: int = 200, locked: bool = False
):
    ctx = {
        "locked": locked,
        "blank_row": blank_row(),
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "form": form,
        "doc": doc,
        "supplier_state": taxpayer.gstin[:2],
        **choices(),
    }
    return render(request, "gstr1/document_form.html", ctx, status=status)


def _save(request, taxpayer, p: int, form: DocumentForm, doc: Document | None):
    if doc is not None:
        try:
            new_fy = fy_start_year(parse_doc_date(form.values["date"]))
        except DomainError:
            new_fy = doc.fy  # the service reports the bad date beside the field
        if new_fy != doc.fy:
            form.errors["date"] = [
                "A date in another financial year makes this another document: "
                "delete this one and add a new one (NUMBER_FY)."
            ]
            return _form_page(request, taxpayer, p, form, doc, status=400)
    try:
        result = services.documents_save(
            supplier=taxpayer,
            period=doc.period if doc else p,
            payload=form.payload(),
            by=request.user.username,
            channel=CHANNEL,
        )
    except ValidationFailed as exc:
        form.add_errors(exc.details)
        return _form_page(request, taxpayer, p, form, doc, status=400)
    except RuleViolation as exc:
        form.general.append(rule_message(exc))
        return _form_page(request, taxpayer, p, form, doc, status=409)
    verb = "saved" if result["created"] else ("updated" if result["updated"] else "unchanged")
    messages.success(request, f"Document {form.values['number']} {verb} in {FORM_LABELS[result['form']]}.")
    saved = (
        Document.objects.filter(supplier=taxpayer, number_key=form.values["number"].upper(), filed_at=None)
        .order_by("-updated_at")
        .values_list("period", flat=True)
        .first()
    )
    return redirect("gstr1_period", taxpayer.gstin, period_code(saved or p))


@gstin_page(Perm.WRITE)
def gstr1_document_new(request, taxpayer, period):
    p = page_period(period)
    if request.method == "POST":
        return _save(request, taxpayer, p, DocumentForm(request.POST), None)
    form = DocumentForm({"section": request.GET.get("section", "")})
    if amend := request.GET.get("amend"):
        original = Document.objects.filter(supplier=taxpayer, id=_int(amend), filed_at__isnull=False).first()
        if original is None:
            raise Http404("Not found")
        form = DocumentForm.from_document(original, amend=True)
        form.values["date"] = ""
    return _form_page(request, taxpayer, p, form, None)


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404("Not found")


@gstin_page(Perm.WRITE)
def gstr1_document_edit(request, taxpayer, period, doc_id):
    p = page_period(period)
    doc = Document.objects.filter(supplier=taxpayer, period=p, id=doc_id).first()
    if doc is None:
        raise Http404("Not found")
    if doc.filed_at is not None or doc.section not in ("b2b", "b2ba", "cdnr", "cdnra"):
        form = DocumentForm.from_document(doc)
        form.general.append(
            "This document is filed: it cannot be edited, only amended (ALREADY_FILED)."
            if doc.filed_at
            else "ECO documents are edited by uploading GSTR-1 JSON."
        )
        return _form_page(request, taxpayer, p, form, doc, status=409, locked=True)
    if request.method == "POST":
        # saving the same number again replaces the unfiled document.
        form = DocumentForm(request.POST, fixed={"section": doc.section, "number": doc.number})
        return _save(request, taxpayer, p, form, doc)
    return _form_page(request, taxpayer, p, DocumentForm.from_document(doc), doc)


@gstin_page(Perm.WRITE)
def gstr1_document_delete(request, taxpayer, period, doc_id):
    p = page_period(period)
    if request.method != "POST":
        return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    htmx = request.headers.get("HX-Request") == "true"
    try:
        services.document_delete(
            supplier=taxpayer, document_id=doc_id, by=request.user.username, channel=CHANNEL
        )
    except RuleViolation as exc:
        if exc.status == 404:
            raise Http404("Not found")
        if htmx:
            return HttpResponse(
                format_html(
                    '<tr class="row-error"><td colspan="12" role="alert">{}</td></tr>', rule_message(exc)
                ),
                status=200,
            )
        messages.error(request, rule_message(exc))
        return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    if htmx:
        return HttpResponse("")  # the row is swapped for nothing
    messages.success(request, "Document deleted.")
    return redirect("gstr1_period", taxpayer.gstin, period_code(p))


# --- IMS Outward ----------------------------------------------------------------------------------


@gstin_page()
def ims_outward(request, taxpayer):
    params = request.GET
    filter_errors = {}
    try:
        rows, nxt = outward_list(supplier=taxpayer, params=params)
    except ValidationFailed as exc:
        rows, nxt = [], None
        filter_errors = {d["path"]: f"{d['message']} ({d['code']})" for d in exc.details}
    try:
        addbacks, ab_next = addbacks_list(supplier=taxpayer, params={"cursor": params.get("ab_cursor")})
    except ValidationFailed:
        addbacks, ab_next = addbacks_list(supplier=taxpayer, params={})
    names = _names([d.ctin for d, _ in rows] + [e.ctin for e in addbacks])
    lines = []
    for doc, rec in rows:
        shown = rec is not None and not rec.kept_out
        lines.append(
            {
                "doc": doc,
                "section": IMS_SECTION_NAMES[
                    ims_domain.ims_section(gstr1_section=doc.section, doc_type=doc.doc_type)
                ],
                "name": names.get(doc.ctin, ""),
                "rec": rec,
                "action": rec.action if shown else None,
                "action_name": ACTION_NAMES[rec.action] if shown else "",
                "tax": doc.iamt + doc.camt + doc.samt + doc.csamt,
                "kept_out": rec is not None and rec.kept_out,
                "kept_out_reason": KEPT_OUT_REASONS.get(rec.rsn or "", "Reverse charge") if rec else "",
            }
        )
    for e in addbacks:
        e.name = names.get(e.ctin, "")
        e.section_name = IMS_SECTION_NAMES.get(e.section, e.section)
        e.tax = e.igst + e.cgst + e.sgst + e.cess
    keep = {k: params.get(k, "") for k in ("period", "ctin", "section", "action")}
    base = reverse("ims_outward", args=[taxpayer.gstin])
    query = urlencode({k: v for k, v in keep.items() if v})
    ctx = {
        "nav": "outward",
        "lines": lines,
        "next_url": f"{base}?{query}&cursor={nxt}" if nxt else None,
        "first_url": f"{base}?{query}" if params.get("cursor") else None,
        "addbacks": addbacks,
        "ab_next_url": f"{base}?{query}&ab_cursor={ab_next}" if ab_next else None,
        "filters": keep,
        "filter_errors": filter_errors,
        "section_choices": list(IMS_SECTION_NAMES.items()),
        "action_choices": list(ACTION_NAMES.items()),
    }
    template = (
        "outward/_results.html" if request.headers.get("HX-Request") == "true" else "outward/outward.html"
    )
    return render(request, template, ctx)
