"""Maker-checker (issue 17, item 3): on a GSTIN whose owner turned it on, a preparer's rejects (setting
"reject") or all of a preparer's actions (setting "all") become proposals; an owner approves them — applied
through ``ims_actions_apply``, the audit row naming the owner and, in its reason, the preparer — or returns
them with a comment. GSTR-3B of a period cannot be filed while proposals on its records are open
(PROPOSALS_OPEN, returns.services.gstr3b)."""

from django.db import transaction

from core import clock
from core.errors import RuleViolation
from ims import domain
from ims.models import ImsRecord, Proposal
from ims.services.actions import MAX_ACTIONS, ims_actions_apply
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Role, Taxpayer

MODES = {
    "": "Off",
    "reject": "A preparer's rejects need an owner's approval",
    "all": "Every action of a preparer needs an owner's approval",
}
DECL_KEYS = ("itcRedReq", "declIgst", "declCgst", "declSgst", "declCess")


def covered(taxpayer: Taxpayer, role: str | None, action) -> bool:
    """Whether an action by someone of ``role`` on ``taxpayer`` becomes a proposal."""
    mode = taxpayer.maker_checker or ""
    return role == Role.PREPARER and (mode == "all" or (mode == "reject" and action == "R"))


@transaction.atomic
def proposals_for_filter(*, recipient: Taxpayer, filter: dict, action: str, remarks, by: str) -> int:
    """A covered preparer's bulk action by filter: a proposal for every matching record (issue 17), written
    in batches; the owner decides them like any other."""
    from ims.services.bulk import bulk_queryset

    now = clock.now()
    ids = list(bulk_queryset(recipient=recipient, filter=filter).order_by("id").values_list("id", flat=True))
    Proposal.objects.filter(recipient=recipient, record_id__in=ids, status=Proposal.OPEN).update(
        status=Proposal.WITHDRAWN, decided_by=by, decided_at=now
    )
    Proposal.objects.bulk_create(
        (
            Proposal(
                recipient=recipient,
                record_id=rid,
                action=action,
                remarks=remarks or None,
                proposed_by=by,
                proposed_at=now,
            )
            for rid in ids
        ),
        batch_size=2000,
    )
    return len(ids)


def ims_actions_submit(*, recipient: Taxpayer, actions, role: str | None, by: str, channel: str) -> dict:
    """Apply ``actions``, except those maker-checker turns into proposals for an owner; the reply is the
    action service's, with ``proposed`` (the count) and the proposals' refusals among its errors."""
    if not isinstance(actions, list) or not (recipient.maker_checker and role == Role.PREPARER):
        # The contract's reply unchanged when maker-checker does not apply ("proposed" only when it does).
        return ims_actions_apply(recipient=recipient, actions=actions, by=by, channel=channel)
    proposing, rest = [], []
    for a in actions:
        (proposing if isinstance(a, dict) and covered(recipient, role, a.get("action")) else rest).append(a)
    result = (
        ims_actions_apply(recipient=recipient, actions=rest, by=by, channel=channel)
        if rest
        else {"processed": 0, "errors": []}
    )
    proposed, errors = proposals_create(recipient=recipient, actions=proposing, by=by)
    return {**result, "errors": [*result["errors"], *errors], "proposed": proposed}


@transaction.atomic
def proposals_create(*, recipient: Taxpayer, actions: list[dict], by: str) -> tuple[int, list[dict]]:
    """Record each action as an open proposal (a newer one withdraws the record's open one)."""
    if not actions:
        return 0, []
    now = clock.now()
    ids = [a.get("id") for a in actions if isinstance(a.get("id"), int)]
    records = {r.id: r for r in ImsRecord.objects.filter(recipient=recipient, id__in=ids, active=True)}
    errors, made = [], []
    for a in actions:
        rec = records.get(a.get("id")) if isinstance(a.get("id"), int) else None
        if rec is None:
            errors.append(
                {"id": a.get("id"), "code": "NOT_FOUND", "message": "No such record in this GSTIN's IMS."}
            )
            continue
        if a.get("action") not in domain.ACTIONS:
            errors.append({"id": rec.id, "code": "INVALID_ACTION", "message": "action is one of N, A, R, P."})
            continue
        decl = {k: str(a[k]) for k in DECL_KEYS if a.get(k) not in (None, "")}
        made.append(
            Proposal(
                recipient=recipient,
                record=rec,
                action=a["action"],
                remarks=a.get("remarks") or None,
                decl=decl or None,
                proposed_by=by,
                proposed_at=now,
            )
        )
    Proposal.objects.filter(
        recipient=recipient, record_id__in=[p.record_id for p in made], status=Proposal.OPEN
    ).update(status=Proposal.WITHDRAWN, decided_by=by, decided_at=now)
    Proposal.objects.bulk_create(made)
    return len(made), errors


def proposals_decide(
    *, recipient: Taxpayer, ids: list[int], approve: bool, by: str, comment: str = "", channel: str = "web"
) -> dict:
    """An owner approves (applies) or returns (with ``comment``) open proposals. A proposal the rules now
    refuse stays open with the refusal in the reply."""
    if not approve and not comment.strip():
        raise RuleViolation(
            "VALIDATION",
            "Say why the proposal is returned.",
            status=400,
            details=[{"path": "comment", "code": "REQUIRED", "message": "Say why the proposal is returned."}],
        )
    with transaction.atomic():
        lock_taxpayers([recipient.id])  # the lock order of taxpayers.locks: the GSTIN's row first
        props = list(
            Proposal.objects.select_for_update()
            .filter(recipient=recipient, id__in=ids, status=Proposal.OPEN)
            .order_by("id")
        )
        now = clock.now()
        done, errors = [], []
        if approve:
            # One action batch per proposer (the audit reason names them), at most MAX_ACTIONS each.
            by_proposer: dict[str, list[Proposal]] = {}
            for p in props:
                by_proposer.setdefault(p.proposed_by, []).append(p)
            for proposer, group in by_proposer.items():
                for start in range(0, len(group), MAX_ACTIONS):
                    part = group[start : start + MAX_ACTIONS]
                    result = ims_actions_apply(
                        recipient=recipient,
                        actions=[
                            {"id": p.record_id, "action": p.action, "remarks": p.remarks, **(p.decl or {})}
                            for p in part
                        ],
                        by=by,
                        channel=channel,
                        reason=f"proposed by {proposer}, approved by {by}",
                    )
                    refused = {e["id"]: e for e in result["errors"]}
                    for p in part:
                        if p.record_id in refused:
                            errors.append({**refused[p.record_id], "proposal": p.id})
                        else:
                            done.append(p.id)
        else:
            done = [p.id for p in props]
        Proposal.objects.filter(id__in=done).update(
            status=Proposal.APPROVED if approve else Proposal.RETURNED,
            decided_by=by,
            decided_at=now,
            comment=comment.strip()[:500],
        )
    missing = [i for i in ids if i not in {p.id for p in props}]
    errors.extend({"proposal": i, "code": "NOT_FOUND", "message": "No such open proposal."} for i in missing)
    return {"processed": len(done), "errors": errors}


def open_proposals_in(*, recipient: Taxpayer, period: int) -> int:
    """Open proposals on records of ``period`` (the 2B period GSTR-3B files): PROPOSALS_OPEN."""
    return Proposal.objects.filter(
        recipient=recipient,
        status=Proposal.OPEN,
        # Every read of an owner's table names its owner (issue 13): the records' recipient too.
        record__recipient=recipient,
        record__itc_period=period,
        record__active=True,
    ).count()
