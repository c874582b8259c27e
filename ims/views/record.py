"""One IMS record: its fields in the words of the portal, and its history (R-4.9)."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import clock
from core.errors import NotFound, RuleViolation
from core.pages import rule_message
from core.periods import parse_period
from core.templatetags.portal import dt_ist, inr, period_label
from core.words import INVOICE_TYPE_NAMES, SOURCE_FORMS, pos_label
from ims import selectors
from ims.models import Action, Section
from ims.serializers import FIELD_LABELS, HIDDEN_FIELDS, MONEY_FIELDS, record_out
from ims.services.proposals import ims_actions_submit
from ims.views.inward import BULK_ACTIONS, tab_actions
from taxpayers.access import Perm
from taxpayers.pages import gstin_page

YES_NO_FIELDS = {"rchrg", "ispendactblocked", "isItcRedReqBlocked", "itcRedReq"}
PERIOD_FIELDS = {"rtnprd", "itc_period"}


def _words(key: str, value):
    """A field's value as a practitioner reads it (issue 15: no raw codes such as A, 29 or 102025)."""
    if key in MONEY_FIELDS:
        return inr(value)
    if key == "updated_at":
        return dt_ist(datetime.fromisoformat(value))
    if key in PERIOD_FIELDS:
        return period_label(parse_period(value))
    if key == "section":
        return Section(value).label
    if key == "action":
        return Action(value).label
    if key == "pos":
        return pos_label(value)
    if key == "srcform":
        return SOURCE_FORMS.get(value, value)
    if key == "inv_typ":
        return INVOICE_TYPE_NAMES.get(value, value)
    if key == "typ":
        return {"C": "Credit note", "D": "Debit note"}.get(value, value)
    if key in YES_NO_FIELDS:
        return {"Y": "Yes", "N": "No"}.get(value, value)
    return value


def _record_fields(out: dict) -> list[tuple[str, str, object]]:
    return [
        (FIELD_LABELS.get(key, key), key, value if value in (None, "") else _words(key, value))
        for key, value in out.items()
        if key not in HIDDEN_FIELDS
    ]


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
            # Issue 15: the record page acts on its record (the buttons a record of its kind takes).
            "buttons": list(tab_actions("IMP_GDS" if rec.doc_type == "BOE" else "ALL_OTH").items()),
            "takes_remarks": rec.doc_type != "BOE",
        },
    )


@require_POST
@gstin_page(Perm.WRITE)
def ims_record_act(request, taxpayer, record_id):
    """One action on this record through the batch service (R-4.10's refusals in words), then back to it."""
    action = request.POST.get("action", "")
    item = {"id": record_id, "action": action}
    remarks = request.POST.get("remarks", "")
    if action in ("R", "P") and remarks:
        item["remarks"] = remarks
    try:
        result = ims_actions_submit(
            recipient=taxpayer, actions=[item], role=taxpayer.role, by=request.user.username, channel="web"
        )
    except RuleViolation as exc:
        messages.error(request, rule_message(exc))
    else:
        if result["errors"]:
            err = result["errors"][0]
            if err["code"] == "NOT_FOUND":
                raise Http404("Not found")
            messages.error(request, f"{err['message']} ({err['code']})")
        elif result.get("proposed"):
            messages.success(
                request, f"{BULK_ACTIONS.get(action, action)}: proposed for an owner's approval."
            )
        else:
            messages.success(request, f"{BULK_ACTIONS.get(action, action)}: done.")
    return redirect("ims_record", taxpayer.gstin, record_id)
