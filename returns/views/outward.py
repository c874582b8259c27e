"""The IMS Outward page (R-7.1, R-6.4): the supplier's documents with each recipient's action, remarks
and 2B period, and the add-back entries recipients' rejections caused."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from core.errors import ValidationFailed
from ims import domain as ims_domain
from ims.models import Action, Section
from invoices.selectors import outward_list
from returns.selectors import addbacks_list
from taxpayers.pages import gstin_page
from taxpayers.selectors import trade_names

IMS_SECTION_NAMES = dict(Section.choices)


ACTION_NAMES = dict(Action.choices)


KEPT_OUT_REASONS = {
    "P": "ITC not available: place of supply is the supplier's state, not the recipient's",
    "C": "Filed after the section 16(4) time limit",
}


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
    names = trade_names([d.ctin for d, _ in rows] + [e.ctin for e in addbacks])
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
