"""The IMS Inward page: tiles by action, the deemed-acceptance banner, filters, keyset pages of records,
actions on the ticked rows and "select all N matching" as a bulk job; over the same services and
selectors as the API."""

from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core import clock
from core.errors import RuleViolation, ValidationFailed
from core.money import indian_grouping
from core.pages import rule_message
from core.periods import typed_period
from core.words import SOURCE_FORMS, pos_label
from ims import domain, selectors
from ims.models import Action, ImsRecord, Proposal, SavedView, Section
from ims.serializers import record_out
from ims.services import bulk
from ims.services.proposals import covered, ims_actions_submit, proposals_for_filter
from ims.services.records import record_reduction_of, regime_period
from jobs.services import job_start
from taxpayers.access import Perm
from taxpayers.pages import gstin_page

PAGE_ROWS = 50


FILTER_KEYS = (
    "section",
    "doc_type",
    "action",
    "supplier",
    "stin",
    "rtnprd",
    "itc_period",
    "dt_from",
    "dt_to",
    "q",
    "left",
    "portcode",
    "dt",
)
# GSTN's two tabs: the page always shows one; All other ITC unless Import of goods is asked for.
TABS = {"ALL_OTH": "All other ITC", "IMP_GDS": "Import of goods"}


SECTION_LABELS = dict(Section.choices)


DOC_TYPE_NAMES = {"INV": "Invoices", "CN": "Credit notes", "DN": "Debit notes"}


ACTION_LABELS = dict(Action.choices)


BULK_ACTIONS = {"A": "Accept", "R": "Reject", "P": "Pending", "N": "Reset"}


DECL_FIELDS = ("declIgst", "declCgst", "declSgst", "declCess")


# The filters' names on the page, for messages (issue 15: no API names such as ``rtnprd``).
FILTER_LABELS = {
    "section": "Section",
    "action": "Action",
    "stin": "Supplier GSTIN",
    "rtnprd": "Return period",
    "itc_period": "2B period",
    "q": "Number",
    "goods_typ": "Tab",
    "portcode": "Port code",
    "dt": "BoE date",
    "dt_from": "Document date from",
    "dt_to": "Document date to",
    "doc_type": "Document type",
    "supplier": "Supplier",
    "left": "Records that left IMS",
    "limit": "Rows",
    "cursor": "Page",
}
PERIOD_KEYS = ("rtnprd", "itc_period")


def _filters(params) -> dict:
    return {k: (params.get(k) or "").strip() for k in FILTER_KEYS}


def _tab(params) -> str:
    return "IMP_GDS" if params.get("goods_typ") == "IMP_GDS" else "ALL_OTH"


def _query(filters: dict, **extra) -> str:
    q = QueryDict(mutable=True)
    for k, v in {**filters, **extra}.items():
        if v:
            q[k] = v
    return q.urlencode()


def _table_context(taxpayer, params, refusals: dict | None = None, updated=(), checked=()) -> dict:
    """One page of rows (keyset, 50) for the filters in ``params``; a bad filter becomes a message."""
    filters = _filters(params)
    tab = _tab(params)
    query = params.copy()
    query["limit"] = str(PAGE_ROWS)
    query["goods_typ"] = tab
    for key in PERIOD_KEYS:  # "Nov 2025", as the page writes periods, is taken as 112025 (issue 15)
        if query.get(key):
            query[key] = typed_period(query[key])
    errors, rows, nxt = [], [], None
    try:
        rows, nxt = selectors.ims_list(recipient=taxpayer, params=query)
    except ValidationFailed as exc:
        errors = [f"{FILTER_LABELS.get(d['path'], d['path'])}: {d['message']}" for d in exc.details] or [
            rule_message(exc)
        ]
    today = clock.today()
    refusals = refusals or {}
    for rec in rows:
        out = record_out(rec, today)
        rec.decl_allowed = out["isItcRedReqBlocked"] == "N"
        # The dialog offers only the heads the note reduces, each with its maximum (issue 15).
        rec.reduction = record_reduction_of(rec) if rec.decl_allowed else {}
        rec.pend_blocked = out["ispendactblocked"] == "Y"
        rec.is_cn = rec.doc_type == "CN"
        rec.section_label = SECTION_LABELS.get(rec.section, rec.section)
        rec.action_label = ACTION_LABELS[rec.action]
        rec.tax = rec.iamt + rec.camt + rec.samt + rec.cess
        rec.pos_words = pos_label(rec.pos)
        rec.source_words = SOURCE_FORMS.get(rec.srcform, rec.srcform)
        rec.refusal = refusals.get(rec.id)
        rec.updated = rec.id in updated
        rec.checked = rec.id in checked or rec.id in refusals
    return {
        "rows": rows,
        "filters": filters,
        "filtered": any(filters.values()),
        "filter_errors": errors,
        "tab": tab,
        "imports": tab == "IMP_GDS",
        "query": _query(filters, goods_typ=tab, cursor=params.get("cursor") or ""),
        "next_query": _query(filters, goods_typ=tab, cursor=nxt) if nxt else "",
        "first_query": _query(filters, goods_typ=tab),
        "paged": bool(params.get("cursor")),
    }


def _tiles(taxpayer, tab: str) -> tuple[list, list]:
    """The section x action matrix and the per-action totals of the tab's sections, from one GROUP BY."""
    summary = selectors.ims_summary_tax(recipient=taxpayer)
    matrix, totals = [], {a: {"n": 0, "tax": 0} for a in domain.ACTIONS}
    for section in selectors.GOODS_TYPES[tab]:
        cells = []
        for a in domain.ACTIONS:
            cell = summary[section][a]
            totals[a]["n"] += cell["n"]
            totals[a]["tax"] += cell["tax"]
            cells.append({"action": a, "count": indian_grouping(str(cell["n"])), **cell})
        if any(c["n"] for c in cells):
            matrix.append({"section": section, "label": SECTION_LABELS[section], "cells": cells})
    tiles = [
        {"action": a, "label": ACTION_LABELS[a], "count": indian_grouping(str(totals[a]["n"])), **totals[a]}
        for a in domain.ACTIONS
    ]
    return matrix, tiles


def _page(request, taxpayer, params, extra: dict | None = None, **table_kw):
    """The whole page, or for htmx only the table region (filters, paging); after a bulk action the
    region plus the tiles and banner out of band, since the action changed their counts."""
    ctx = {"nav": "inward", **_table_context(taxpayer, params, **table_kw), **(extra or {})}
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    acted = request.method == "POST"
    if partial and not acted:
        return render(request, "ims/_table.html", ctx)
    matrix, tiles = _tiles(taxpayer, ctx["tab"])
    deemed = selectors.ims_deemed_outlook(recipient=taxpayer)
    if deemed:
        deemed["count"] = indian_grouping(str(deemed["n"]))
        for row in deemed["periods"]:
            row["count"] = indian_grouping(str(row["n"]))
    ctx.update({"matrix": matrix, "tiles": tiles, "deemed": deemed, "overview_oob": partial})
    if partial:
        return render(request, "ims/_table.html", ctx)
    ctx.update(
        {
            "tabs": TABS,
            "sections": {k: SECTION_LABELS[k] for k in selectors.GOODS_TYPES[ctx["tab"]]},
            "actions": {k: v for k, v in ACTION_LABELS.items() if not (ctx["imports"] and k == "R")},
            "bulk_actions": tab_actions(ctx["tab"]),
            "doc_types": DOC_TYPE_NAMES,
            **_proposals(taxpayer),
            "saved_views": SavedView.objects.filter(user=request.user, taxpayer=taxpayer).order_by("name"),
            "decl_heads": [("igst", "IGST"), ("cgst", "CGST"), ("sgst", "SGST/UTGST"), ("cess", "Cess")],
        }
    )
    return render(request, "ims/inward.html", ctx)


def _proposals(taxpayer) -> dict:
    """Issue 17: the open maker-checker proposals (an owner decides them here) and the last ones returned."""
    if (
        not taxpayer.maker_checker
        and not Proposal.objects.filter(recipient=taxpayer, status=Proposal.OPEN).exists()
    ):
        return {}
    rows = Proposal.objects.filter(recipient=taxpayer).select_related("record").order_by("-id")
    return {
        "proposals": list(rows.filter(status=Proposal.OPEN)[:200]),
        "returned": list(rows.filter(status=Proposal.RETURNED)[:10]),
        "action_labels": ACTION_LABELS,
    }


def tab_actions(tab: str) -> dict:
    """The bulk buttons of a tab: a bill of entry cannot be rejected (R-10.2), so Import of goods has no
    Reject button."""
    return {k: v for k, v in BULK_ACTIONS.items() if not (tab == "IMP_GDS" and k == "R")}


@gstin_page()
def ims_inward(request, taxpayer):
    return _page(request, taxpayer, request.GET)


def _action_items(taxpayer, post, ids: list[int], action: str) -> tuple[list[dict], dict]:
    """The batch for ims_actions_apply from the bulk form: remarks go with Reject/Pending only; the R-4.6
    declaration goes with Accept on records where it is allowed (amounts only for a single record)."""
    records = {
        r.id: r
        for r in ImsRecord.objects.filter(recipient=taxpayer, id__in=ids).only(
            "id", "number", "doc_type", "itc_reducing", "itc_period", "first_itc_period"
        )
    }
    remarks = post.get("remarks", "") if action in ("R", "P") else None
    red = post.get("itcRedReq") or None
    amounts = {k: post.get(k, "").strip() for k in DECL_FIELDS}
    items = []
    for rid in ids:
        item = {"id": rid, "action": action}
        if remarks:
            item["remarks"] = remarks
        rec = records.get(rid)
        allowed = rec is not None and not domain.declaration_blocked(
            itc_reducing=rec.itc_reducing, itc_period=regime_period(rec)
        )
        if action == "A" and red in ("Y", "N") and allowed:
            item["itcRedReq"] = red
            if red == "Y" and len(ids) == 1:
                item.update({k: _form_amount(v) for k, v in amounts.items() if v})
        items.append(item)
    return items, records


def _form_amount(raw: str):
    """A typed amount as the number the service expects; text that is no number goes through as text,
    so the service refuses it with its own code and words."""
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return raw


def _ids(post) -> list[int]:
    out = []
    for raw in post.getlist("ids"):
        try:
            rid = int(raw)
        except ValueError:
            continue
        if rid not in out:
            out.append(rid)
    return out


@require_POST
@gstin_page(Perm.WRITE)
def ims_inward_actions(request, taxpayer):
    """The bulk buttons: apply one action to the ticked rows (R-4.10), answer the table region with the
    rows re-read and every refusal under its row and in the message list."""
    params = QueryDict(request.POST.get("qs", ""))
    ids = _ids(request.POST)
    action = request.POST.get("action", "")
    message, refused, updated = "", {}, ()
    if not ids:
        message = "Tick at least one record first."
    elif action not in BULK_ACTIONS:
        message = "Choose Accept, Reject, Pending or Reset."
    else:
        items, records = _action_items(taxpayer, request.POST, ids, action)
        credit_notes = [r for r in records.values() if r.doc_type == "CN"]
        if action == "R" and credit_notes and "1" not in request.POST.getlist("confirmed"):
            return _page(
                request,
                taxpayer,
                params,
                extra={"confirm_reject": len(credit_notes)},
                checked=set(ids),
            )
        try:
            result = ims_actions_submit(
                recipient=taxpayer, actions=items, role=taxpayer.role, by=request.user.username, channel="web"
            )
        except RuleViolation as exc:
            message = rule_message(exc)
        else:
            for err in result["errors"]:
                rec = records.get(err["id"])
                name = (
                    selectors.document_words(
                        doc_type=rec.doc_type, number=rec.number, trdnm=rec.trdnm, stin=rec.stin
                    )
                    if rec
                    else f"Record {err['id']}"
                )
                refused[err["id"]] = f"{name}: {err['message']} ({err['code']})"
            updated = set(ids) - set(refused)
            message = f"{BULK_ACTIONS[action]}: {result['processed']} of {len(ids)} records done."
            if result.get("proposed"):
                # Issue 17: under maker-checker a preparer's action waits for an owner.
                message = (
                    f"{BULK_ACTIONS[action]}: {result['proposed']} of {len(ids)} records proposed for an "
                    "owner's approval."
                )
                updated = ()
    return _page(
        request,
        taxpayer,
        params,
        refusals=refused,
        updated=updated,
        extra={"bulk_message": message, "bulk_refusals": list(refused.values())},
    )


def _bulk_filter(params) -> dict:
    out = {k: (params.get(k) or "").strip() for k in bulk.FILTER_KEYS if (params.get(k) or "").strip()}
    return {k: typed_period(v) if k in PERIOD_KEYS else v for k, v in out.items()}


@gstin_page()
def ims_inward_count(request, taxpayer):
    """One COUNT of the records the filters select, asked for only when every row of the page is ticked;
    answers the "Select all N matching" offer with its own bulk buttons."""
    flt = _bulk_filter(request.GET)
    try:
        n = bulk.bulk_count(recipient=taxpayer, filter=flt)
    except ValidationFailed:
        n = None
    return render(
        request,
        "ims/_bulk_all.html",
        {"n": n, "count": indian_grouping(str(n or 0)), "bulk_actions": tab_actions(_tab(request.GET))},
    )


@require_POST
@gstin_page(Perm.WRITE)
def ims_inward_bulk(request, taxpayer):
    """Apply one action to every record the filters select (R-4.10) as a job; answer its progress."""
    from jobs.views import job_row

    flt = _bulk_filter(QueryDict(request.POST.get("qs", "")))
    action = request.POST.get("action", "")
    remarks = (request.POST.get("remarks") or None) if action in ("R", "P") else None
    errors = bulk.bulk_request_errors(filter=flt, action=action, remarks=remarks)
    if errors:
        return render(request, "jobs/_refused.html", {"message": " ".join(e["message"] for e in errors)})
    if covered(taxpayer, taxpayer.role, action):  # issue 17: a preparer's bulk action becomes proposals
        n = proposals_for_filter(
            recipient=taxpayer, filter=flt, action=action, remarks=remarks, by=request.user.username
        )
        return render(
            request,
            "ims/_bulk_proposed.html",
            {"n": n, "action": BULK_ACTIONS[action]},
        )
    job = job_start(
        kind="ims_bulk",
        taxpayer=taxpayer,
        user=request.user,
        params={"filter": flt, "action": action, "remarks": remarks, "by": request.user.username},
    )
    return render(request, "ims/_bulk_job.html", {"j": job_row(job), "qs": _query(flt)})
