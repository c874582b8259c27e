"""The IMS Outward page (R-7.1, R-6.4): the supplier's documents with each recipient's action, remarks
and 2B period, and the add-back entries recipients' rejections caused."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from core.api import xlsx_response
from core.errors import ValidationFailed
from core.periods import typed_period
from invoices.selectors import outward_filter, outward_list
from returns import outward
from returns.selectors import addbacks_list
from taxpayers.pages import gstin_page
from taxpayers.selectors import trade_names

# The filters' names on the page, for messages (issue 15: no API names such as ``ctin``).
FILTER_LABELS = {
    "period": "Return period",
    "ctin": "Recipient GSTIN",
    "q": "Number",
    "section": "Section",
    "action": "Recipient's action",
    "cursor": "Page",
}


@gstin_page()
def ims_outward(request, taxpayer):
    params = request.GET
    filter_errors = {}
    query = params.copy()
    if query.get("period"):  # "Nov 2025", as the page writes periods (issue 15)
        query["period"] = typed_period(query["period"])
    try:
        rows, nxt = outward_list(supplier=taxpayer, params=query)
        counts = outward.action_counts(supplier=taxpayer, params=query)
    except ValidationFailed as exc:
        rows, nxt, counts = [], None, []
        filter_errors = {FILTER_LABELS.get(d["path"], d["path"]): d["message"] for d in exc.details}
    try:
        addbacks, ab_next = addbacks_list(supplier=taxpayer, params={"cursor": params.get("ab_cursor")})
    except ValidationFailed:
        addbacks, ab_next = addbacks_list(supplier=taxpayer, params={})
    lines = outward.outward_lines(rows)
    names = trade_names(e.ctin for e in addbacks)
    for e in addbacks:
        e.name = names.get(e.ctin, "")
        e.section_name = outward.IMS_SECTION_NAMES.get(e.section, e.section)
        e.tax = e.igst + e.cgst + e.sgst + e.cess
    keep = {k: params.get(k, "") for k in outward.FILTER_KEYS}
    base = reverse("ims_outward", args=[taxpayer.gstin])
    filter_query = urlencode({k: v for k, v in keep.items() if v})
    ctx = {
        "nav": "outward",
        "lines": lines,
        "next_url": f"{base}?{filter_query}&cursor={nxt}" if nxt else None,
        "first_url": f"{base}?{filter_query}" if params.get("cursor") else None,
        "addbacks": addbacks,
        "ab_next_url": f"{base}?{filter_query}&ab_cursor={ab_next}" if ab_next else None,
        "filters": keep,
        "filter_errors": filter_errors,
        "section_choices": list(outward.IMS_SECTION_NAMES.items()),
        "action_choices": list(outward.ACTION_NAMES.items()),
        "counts": counts,
        "filter_query": filter_query,
    }
    template = (
        "outward/_results.html" if request.headers.get("HX-Request") == "true" else "outward/outward.html"
    )
    return render(request, template, ctx)


@gstin_page()
def ims_outward_export(request, taxpayer):
    """ "Download Excel" on IMS Outward: the filtered documents with their recipients' actions, at once, or
    for many documents a job the page follows, with the file when it is done."""
    from jobs.services import job_start
    from jobs.views import job_row

    params = request.GET.copy()
    if params.get("period"):
        params["period"] = typed_period(params["period"])
    try:
        qs = outward_filter(supplier=taxpayer, params=params)
    except ValidationFailed as exc:
        words = "; ".join(f"{FILTER_LABELS.get(d['path'], d['path'])}: {d['message']}" for d in exc.details)
        return render(request, "refused.html", {"message": words, "code": exc.code}, status=400)
    if qs.count() <= outward.export_sync_max():
        return xlsx_response(lambda fh: outward.outward_workbook(qs, fh), outward.workbook_name(taxpayer))
    flt = {k: params[k] for k in outward.FILTER_KEYS if params.get(k)}
    job = job_start(
        kind="outward_export",
        taxpayer=taxpayer,
        user=request.user,
        params={"filter": flt, "by": request.user.username},
    )
    context = {
        "nav": "outward",
        "j": job_row(job),
        "what": "IMS Outward workbook",
        "back_words": "Back to IMS Outward",
    }
    return render(
        request, "jobs/export.html", {**context, "back": reverse("ims_outward", args=[taxpayer.gstin])}
    )
