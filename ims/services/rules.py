"""Saved views and auto-action rules (issue 17, item 5).

A rule selects records at No action by the IMS filters (and, when set, a document value cap) and gives them
one action. Its preview and its run read the same selection (``rule_queryset``), and a run is the bulk job's
machinery (``ims_bulk_apply``: the same rules, chunks, audit and idempotency), as a visible ``ims_rule`` job,
started on demand or, for rules marked so, after each supplier change to the GSTIN's IMS."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core import clock, events
from core.errors import ValidationFailed
from ims.models import ActionRule, Channel
from ims.services.bulk import bulk_queryset, bulk_request_errors, ims_bulk_apply
from jobs.runner import register
from jobs.services import job_start
from taxpayers.models import Taxpayer

PREVIEW_ROWS = 20
RULE_FILTER_KEYS = (
    "section",
    "doc_type",
    "supplier",
    "stin",
    "rtnprd",
    "itc_period",
    "dt_from",
    "dt_to",
    "q",
)


def _filter_of(rule: ActionRule) -> dict:
    # A rule never overrides a decision: it acts on records still at No action.
    return {**{k: v for k, v in (rule.filter or {}).items() if k in RULE_FILTER_KEYS and v}, "action": "N"}


def rule_queryset(rule: ActionRule):
    return bulk_queryset(recipient=rule.taxpayer, filter=_filter_of(rule), max_value=rule.max_value)


def rule_preview(rule: ActionRule) -> dict:
    """What running the rule now would act on: the count and the first records."""
    qs = rule_queryset(rule)
    return {
        "count": qs.count(),
        "records": list(qs.order_by("id").values("id", "number", "trdnm", "stin", "val")[:PREVIEW_ROWS]),
    }


def rule_create(
    *,
    taxpayer: Taxpayer,
    name: str,
    filter: dict,
    action: str,
    remarks,
    max_value,
    after_upload: bool,
    by: str,
) -> ActionRule:
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append({"path": "name", "code": "REQUIRED", "message": "Name the rule."})
    flt = {k: str(v).strip() for k, v in (filter or {}).items() if k in RULE_FILTER_KEYS and str(v).strip()}
    cap = None
    if max_value not in (None, ""):
        try:
            cap = Decimal(str(max_value).replace(",", ""))
            if cap < 0 or cap != cap.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            errors.append(
                {"path": "max_value", "code": "INVALID", "message": "The value cap is an amount in rupees."}
            )
    errors += [
        e
        for e in bulk_request_errors(filter={**flt, "action": "N"}, action=action, remarks=remarks or None)
        if e["path"] != "filter.action"
    ]
    if errors:
        raise ValidationFailed(errors)
    rule = ActionRule(
        taxpayer=taxpayer,
        name=name[:80],
        filter=flt,
        action=action,
        remarks=remarks or None,
        max_value=cap,
        after_upload=bool(after_upload),
        created_by=by,
        created_at=clock.now(),
    )
    rule_queryset(rule)  # building the query refuses a bad filter value (a period, a date) before it is kept
    rule.save()
    return rule


def rule_start(rule: ActionRule, *, by: str, user=None):
    return job_start(
        kind="ims_rule",
        taxpayer=rule.taxpayer,
        user=user,
        params={"rule": rule.id, "name": rule.name, "by": by},
    )


@register("ims_rule")
def _ims_rule_job(job) -> dict:
    rule = ActionRule.objects.select_related("taxpayer").get(id=job.params["rule"], taxpayer=job.taxpayer)
    return ims_bulk_apply(
        recipient=rule.taxpayer,
        filter=_filter_of(rule),
        action=rule.action,
        remarks=rule.remarks,
        by=f"rule “{rule.name}” of {rule.created_by}",
        channel=Channel.BULK,
        job=job,
        max_value=rule.max_value,
    )


def _after_upload(event: str, by_taxpayer: dict[int, dict]) -> None:
    """A supplier changed these GSTINs' IMS: their after-upload rules run, each as a job, once committed."""
    if event != events.RECORDS_CHANGED:
        return
    rules = list(
        ActionRule.objects.filter(
            taxpayer_id__in=list(by_taxpayer), active=True, after_upload=True
        ).select_related("taxpayer")
    )
    if rules:
        transaction.on_commit(lambda: [rule_start(r, by="system") for r in rules])


events.subscribe(_after_upload)
