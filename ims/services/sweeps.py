"""The daily pending-expiry sweep (R-4.4, R-9.1): set-based, a few queries per chunk of records."""

from django.conf import settings
from django.db import transaction

from core import clock
from core.db import bulk_insert
from core.periods import business_date
from ims.models import Action, Channel, ImsAudit, ImsRecord
from ims.services.records import RecordRef, audit
from jobs.runner import Child, FanOut, register
from taxpayers.locks import lock_taxpayers

# Records expired per transaction: bounded locks and memory whatever the backlog.
CHUNK = 1000
REASON = "pending expired"


def _due(today):
    return ImsRecord.objects.filter(active=True, action=Action.PENDING, pending_deadline__lt=today)


def pending_expiry_sweep(*, by: str = "system", recipient_ids: list[int] | None = None) -> int:
    """R-4.4: active records at P whose ``pending_deadline`` is before today (so from 00:00 IST the day
    after the deadline) return to N, remarks cleared, one audit row each; at GSTR-3B filing they are
    then deemed accepted. Records without a deadline (invoices, 2B periods before 102025) never
    expire. Running it again expires nothing more. Returns the number of records expired. With
    ``recipient_ids``, only those recipients' records (one part of the fanned-out job)."""
    now = clock.now()
    today = business_date(now)
    due = _due(today)
    if recipient_ids is not None:
        recipients = sorted(recipient_ids)
    else:
        recipients = list(due.order_by().values_list("recipient_id", flat=True).distinct())
    expired = 0
    for recipient_id in recipients:
        last_id = 0
        while True:
            n, last_id = _expire_chunk(due.filter(recipient_id=recipient_id, id__gt=last_id), now, by)
            expired += n
            if n < CHUNK:
                break
    return expired


@transaction.atomic
def _expire_chunk(due, now, by: str) -> tuple[int, int]:
    # FOR UPDATE waits for a concurrent action on the same records and re-checks the filter
    # afterwards, so a record the recipient just moved off P is left alone, and a second sweep
    # running at the same time finds nothing left to expire.
    # The lock order (taxpayers.locks): the chunk's recipients first, then their records in id order.
    found = list(due.order_by("id").values_list("id", "recipient_id")[:CHUNK])
    if not found:
        return 0, 0
    lock_taxpayers({recipient_id for _, recipient_id in found})
    rows = list(
        due.filter(id__in=[rid for rid, _ in found])
        .select_for_update()
        .order_by("id")
        .values_list("id", "recipient_id")
    )
    if not rows:
        return 0, 0
    ids = [rid for rid, _ in rows]
    ImsRecord.objects.filter(id__in=ids).update(
        action=Action.NO_ACTION,
        remarks=None,
        itc_red_req=None,
        decl_igst=None,
        decl_cgst=None,
        decl_sgst=None,
        decl_cess=None,
        updated_at=now,
    )
    bulk_insert(
        ImsAudit,
        [
            audit(
                RecordRef(rid, recipient_id),
                at=now,
                by=by,
                channel=Channel.JOB,
                frm=Action.PENDING,
                to=Action.NO_ACTION,
                reason=REASON,
            )
            for rid, recipient_id in rows
        ],
        batch_size=2000,
    )
    return len(ids), ids[-1]


def _sum_expired(parent, children) -> dict:
    return {"expired": sum((c.result or {}).get("expired", 0) for c in children)}


@register("pending_expiry", aggregate=_sum_expired)
def _pending_expiry_job(job):
    """Fanned out (issue 13): the recipients with records due, in parts of FANOUT_CHUNK."""
    recipients = list(
        _due(business_date(clock.now()))
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    chunk = max(1, settings.FANOUT_CHUNK)
    return FanOut(
        [
            Child("pending_expiry_chunk", {"ids": recipients[i : i + chunk]}, len(recipients[i : i + chunk]))
            for i in range(0, len(recipients), chunk)
        ]
    )


@register("pending_expiry_chunk")
def _pending_expiry_chunk_job(job) -> dict:
    return {"expired": pending_expiry_sweep(by="system", recipient_ids=job.params["ids"])}
