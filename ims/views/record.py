"""One IMS record: its fields in the words of the portal, and its history (R-4.9)."""

from datetime import datetime

from django.http import Http404
from django.shortcuts import render

from core import clock
from core.errors import NotFound
from core.templatetags.portal import dt_ist, inr
from ims import selectors
from ims.models import Action, Section
from ims.serializers import record_out
from taxpayers.pages import gstin_page

# GSTN's field names as a practitioner reads them (the key stays in a tooltip for ERP people).
FIELD_LABELS = {
    "id": "Record id",
    "section": "IMS section",
    "stin": "Supplier GSTIN",
    "trdnm": "Trade name",
    "sply_stin": "Actual supplier (ECO)",
    "rtnprd": "Return period",
    "srcform": "Source form",
    "srcfilstatus": "Filing status",
    "inum": "Invoice number",
    "idt": "Invoice date",
    "nt_num": "Note number",
    "nt_dt": "Note date",
    "oinum": "Original invoice number",
    "oidt": "Original invoice date",
    "ont_num": "Original note number",
    "ont_dt": "Original note date",
    "typ": "Note type",
    "inv_typ": "Invoice type",
    "pos": "Place of supply",
    "rchrg": "Reverse charge",
    "val": "Document value",
    "txval": "Taxable value",
    "iamt": "IGST",
    "camt": "CGST",
    "samt": "SGST",
    "cess": "Cess",
    "action": "Action",
    "ispendactblocked": "Pending blocked",
    "pending_deadline": "Pending allowed until",
    "remarks": "Remarks",
    "itcRedReq": "ITC reduction declared",
    "isItcRedReqBlocked": "Declaration blocked",
    "declIgst": "Declared IGST",
    "declCgst": "Declared CGST",
    "declSgst": "Declared SGST",
    "declCess": "Declared cess",
    "itc_period": "GSTR-2B period",
    "left_ims": "Left IMS",
    "deemed_accepted": "Deemed accepted",
    "kept_out": "Kept out of IMS",
    "rsn": "Reason kept out",
    "superseded": "Superseded",
    "waiting_on_original": "Waiting on original",
    "itc_reducing": "Reduces ITC",
    "updated_at": "Last changed",
}


HIDDEN_FIELDS = {"hash"}
MONEY_FIELDS = {
    "val",
    "txval",
    "iamt",
    "camt",
    "samt",
    "cess",
    "declIgst",
    "declCgst",
    "declSgst",
    "declCess",
}


def _record_fields(out: dict) -> list[tuple[str, str, object]]:
    rows = []
    for key, value in out.items():
        if key in HIDDEN_FIELDS:
            continue
        if key in MONEY_FIELDS and value is not None:
            value = inr(value)
        elif key == "updated_at" and value:
            value = dt_ist(datetime.fromisoformat(value))
        rows.append((FIELD_LABELS.get(key, key), key, value))
    return rows


@gstin_page()
def ims_record(request, taxpayer, record_id):
    try:
        rec = selectors.ims_record(recipient=taxpayer, record_id=record_id)
    except NotFound:
        raise Http404("Not found")
    out = record_out(rec, clock.today())
    history = selectors.ims_history(record=rec)
    return render(
        request,
        "ims/record.html",
        {
            "nav": "inward",
            "rec": rec,
            "fields": _record_fields(out),
            "history": history,
            "section_label": Section(rec.section).label,
            "action_label": Action(rec.action).label,
        },
    )
