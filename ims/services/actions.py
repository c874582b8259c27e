"""The recipient's IMS actions (R-4.2 to R-4.10): one record at a time in rules, one batch in SQL."""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from core import clock
from core.db import bulk_insert, retry_on_conflict, rows_update
from core.errors import RuleViolation
from core.money import TAX_MAX, parse_amount
from core.periods import business_date
from ims import domain
from ims.models import ImsAudit, ImsRecord
from ims.services.records import ACTION_STATE, audit, record_state
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

MAX_ACTIONS = 5_000
DECL_KEYS = {"igst": "declIgst", "cgst": "declCgst", "sgst": "declSgst", "cess": "declCess"}
ACTION_FIELDS = [*ACTION_STATE, "updated_at"]


def _error(rid, code: str, message: str) -> dict:
    return {"id": rid, "code": code, "message": message}


def _record_id(item) -> int | None:
    """The entry's record id when it is a JSON integer; anything else (string, list, bool, null) names no
    record and is answered NOT_FOUND for that entry."""
    rid = item.get("id") if isinstance(item, dict) else None
    return rid if isinstance(rid, int) and not isinstance(rid, bool) else None


def _parse_request(item: dict) -> tuple[domain.ActionRequest | None, tuple[str, str] | None]:
    decl = {}
    for head, key in DECL_KEYS.items():
        raw = item.get(key)
        if raw is None:
            decl[head] = None
            continue
        amount = parse_amount(raw, TAX_MAX)
        if amount is None:
            return None, ("DECLARATION_EXCEEDS_TAX", f"{key} must be a number of at least 0 with 2 decimals.")
        decl[head] = amount
    remarks = item.get("remarks")
    if remarks is not None and not isinstance(remarks, str):
        return None, ("INVALID_REMARKS", "remarks must be text.")
    red = item.get("itcRedReq")
    if red is not None and not isinstance(red, str):
        return None, ("DECLARATION_NOT_ALLOWED", "itcRedReq is Y or N.")
    action = item.get("action")
    return domain.ActionRequest(
        action=action if isinstance(action, str) else "", remarks=remarks, itc_red_req=red, decl=decl
    ), None


def action_audit(rec: ImsRecord, decision: "Decision", *, at, by: str, channel: str, reason: str = ""):
    """The audit row of an applied action (R-4.9): who, how, from and to, remarks and declaration."""
    return audit(
        rec,
        at=at,
        by=by,
        channel=channel,
        frm=decision.before,
        to=rec.action,
        remarks=rec.remarks,
        decl=decl_json(rec),
        reason=reason,
    )


def decl_json(rec: ImsRecord):
    if rec.itc_red_req is None:
        return None
    return {"itcRedReq": rec.itc_red_req, **{k: str(getattr(rec, f"decl_{h}")) for h, k in DECL_KEYS.items()}}


@retry_on_conflict
@transaction.atomic
def ims_actions_apply(*, recipient: Taxpayer, actions, by: str, channel: str, reason: str = "") -> dict:
    """Apply each action or refuse it with a code (R-4.10). Two queries to read, two to write. ``reason``
    goes to each audit row (an approved maker-checker proposal names its preparer there)."""
    if not isinstance(actions, list):
        raise RuleViolation(
            "VALIDATION",
            "actions must be a list.",
            status=400,
            details=[{"path": "actions", "code": "INVALID", "message": "actions must be a list."}],
        )
    if len(actions) > MAX_ACTIONS:
        raise RuleViolation("TOO_LARGE", f"At most {MAX_ACTIONS} actions per request.", status=413)
    now = clock.now()
    today = business_date(now)
    ids = [rid for item in actions if (rid := _record_id(item)) is not None]
    # a record named twice is refused at every occurrence and stays as it was.
    repeated = {rid for rid, n in Counter(ids).items() if n > 1}
    # The lock order (taxpayers.locks): the recipient's row first, as GSTR-3B filing takes it, then the
    # records in id order.
    lock_taxpayers([recipient.id])
    records = {
        r.id: r
        for r in ImsRecord.objects.select_for_update()
        .filter(recipient=recipient, id__in=ids, removed=False)
        .order_by("id")
    }
    cal = Calendar(recipient)
    processed, errors, changed, audits = 0, [], [], []
    for i, item in enumerate(actions):
        if not isinstance(item, dict):
            errors.append(_error(None, "INVALID_ACTION", f"actions[{i}] is not an object."))
            continue
        rid = _record_id(item)
        rec = records.get(rid) if rid is not None else None
        if rec is None:
            errors.append(_error(item.get("id"), "NOT_FOUND", "No such record in this GSTIN's IMS."))
            continue
        if rid in repeated:
            errors.append(_error(rid, "INVALID_ACTION", "This record appears more than once in the batch."))
            continue
        if item.get("action") not in domain.ACTIONS:
            errors.append(_error(rid, "INVALID_ACTION", "action is one of N, A, R, P."))
            continue
        prev, digest = item.get("prev_status"), item.get("hash")
        if (prev is not None and prev != rec.action) or (digest is not None and digest != rec.hash):
            errors.append(_error(rid, "STALE", "The record changed since you read it; reload and try again."))
            continue
        request, bad = _parse_request(item)
        if bad:
            errors.append(_error(rid, *bad))
            continue
        decision = decide(rec, request, cal, today)
        if decision.refusal:
            errors.append(_error(rid, *decision.refusal))
            continue
        processed += 1
        if decision.changed:
            rec.updated_at = now
            changed.append(rec)
            audits.append(action_audit(rec, decision, at=now, by=by, channel=channel, reason=reason))
    if changed:
        rows_update(ImsRecord, changed, ACTION_FIELDS, owner="recipient_id")
        bulk_insert(ImsAudit, audits)
    return {"processed": processed, "errors": errors}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one action on one record: refused (``refusal``), or applied in memory — ``changed``
    says whether anything moved, ``before`` the action it had."""

    refusal: tuple[str, str] | None = None
    before: str = ""
    changed: bool = False


def decide(rec: ImsRecord, request: domain.ActionRequest, cal: Calendar, today) -> Decision:
    """Decide one action on one record (R-4.2 to R-4.7) and, when allowed, change the record in memory."""
    state = record_state(rec, cal)
    refusal = domain.action_refusal(record=state, request=request, today=today)
    if refusal:
        return Decision(refusal=refusal)
    red, decl = domain.normalize_declaration(
        action=request.action,
        itc_reducing=state.itc_reducing,
        itc_period=state.itc_period,
        itc_red_req=request.itc_red_req,
        decl=request.decl,
        reduction=state.reduction,
    )
    remarks = domain.stored_remarks(request.action, request.remarks)
    new = (
        request.action,
        remarks,
        red,
        decl.get("igst"),
        decl.get("cgst"),
        decl.get("sgst"),
        decl.get("cess"),
    )
    old = (
        rec.action,
        rec.remarks,
        rec.itc_red_req,
        rec.decl_igst,
        rec.decl_cgst,
        rec.decl_sgst,
        rec.decl_cess,
    )
    before = rec.action
    (rec.action, rec.remarks, rec.itc_red_req, rec.decl_igst, rec.decl_cgst, rec.decl_sgst, rec.decl_cess) = (
        new
    )
    return Decision(before=before, changed=new != old)
