"""The document form of the GSTR-1 pages: add, edit, amend and delete one document through the services
the API uses (documents_save, document_delete); the service's validation details are shown beside the
fields they concern."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html

from core.errors import DomainError, RuleViolation, ValidationFailed
from core.pages import page_period, rule_message
from core.periods import (
    fy_start_year,
    parse_doc_date,
    period_code,
)
from core.templatetags.portal import period_label
from invoices import services
from invoices.forms import FORM_SECTIONS, DocumentForm, blank_row, choices
from invoices.models import Document
from invoices.views.periods import CHANNEL, FORM_LABELS
from taxpayers.access import Perm
from taxpayers.pages import gstin_page
from taxpayers.selectors import Calendar


def _form_page(
    request, taxpayer, p, form: DocumentForm, doc: Document | None, status: int = 200, locked: bool = False
):
    ctx = {
        "target": _target_words(taxpayer, p),
        "locked": locked,
        "blank_row": blank_row(),
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "form": form,
        "doc": doc,
        "supplier_state": taxpayer.gstin[:2],
        **choices(eco_operator=taxpayer.eco_operator),
    }
    return render(request, "gstr1/document_form.html", ctx, status=status)


def _target_words(taxpayer, p: int) -> str | None:
    """Issue 15: the form says which return a new document goes into (GSTR-1A once GSTR-1 is filed)."""
    target = services.documents_target(supplier=taxpayer, period=p)
    if target is None:
        return None
    form, period = target
    quarter = form != "IFF" and Calendar(taxpayer).quarterly(period)
    return f"{FORM_LABELS[form]} of {period_label(period, quarter)}"


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
        # The amendment starts from the filed document, its date included (issue 15: it started blank).
        form = DocumentForm.from_document(original, amend=True)
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
    if doc.filed_at is not None or doc.section not in FORM_SECTIONS:
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
