"""The practitioner's cockpit (issue 17, item 1): every GSTIN a user may see on one screen, each row what the
dashboard says of one GSTIN — records by action, what filing GSTR-3B will deem accepted, pending credit notes
near their deadline, where the 2B and 3B of the period due stand, the last upload and open jobs.

Served from set-based aggregates over all the GSTINs at once: a fixed number of queries whatever their
number (calendars, versions, staleness, records by action, deemed, pending near the deadline, uploads and
jobs)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum

from ims.models import ImsRecord
from jobs.models import Job, JobStatus
from returns import domain
from returns.models import Gstr2bVersion
from returns.selectors import relevant_period
from taxpayers.domain import gstin_state, gstr3b_due_date
from taxpayers.models import Taxpayer
from taxpayers.selectors import calendars_for

ACTIONS = ("N", "A", "R", "P")
NEAR_DAYS = 7  # a pending credit note whose deadline is this close is "near its deadline"
UPLOAD_KINDS = ("gstr1_upload", "customs_boe_upload")
# The 2B states as the cockpit names them (UI.md): not due, draft, stale, final; "not generated" when it is
# due but missing (a previous 3B unfiled, or the 14th's run not yet done).
STATE_WORDS = {
    "not_due": "Not due",
    "missing": "Not generated",
    "draft": "Draft",
    "stale": "Stale",
    "final": "Final",
}


def cockpit_rows(taxpayers: list[Taxpayer], today: date) -> list[dict]:
    """One row per taxpayer, in the order given."""
    if not taxpayers:
        return []
    ids = [t.id for t in taxpayers]
    cals = calendars_for(taxpayers)
    periods = {t.id: relevant_period(cals[t.id], today) for t in taxpayers}

    latest: dict[int, Gstr2bVersion] = {}
    for v in Gstr2bVersion.objects.filter(taxpayer_id__in=ids, period__in=set(periods.values())).order_by(
        "version"
    ):
        if v.period == periods[v.taxpayer_id]:
            latest[v.taxpayer_id] = v
    stale = _stale(list(latest.values()))

    counts = {tid: dict.fromkeys(ACTIONS, 0) for tid in ids}
    for tid, action, n in (
        ImsRecord.objects.filter(recipient_id__in=ids, active=True)
        .values_list("recipient_id", "action")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[tid][action] = n

    deemed = {tid: {"n": 0, "tax": Decimal("0.00")} for tid in ids}
    for tid, period, n, tax in (
        ImsRecord.objects.filter(
            recipient_id__in=ids, active=True, action="N", waiting_on_original=False, filed_at__isnull=False
        )
        .values_list("recipient_id", "itc_period")
        .annotate(n=Count("id"), tax=Sum(F("iamt") + F("camt") + F("samt") + F("cess")))
        .order_by()
    ):
        # filing the 3B of the period due deems its records (and earlier unfiled ones) accepted.
        if period <= periods[tid] and period not in cals[tid].filed_3b:
            deemed[tid]["n"] += n
            deemed[tid]["tax"] += tax or Decimal("0.00")

    near = {}
    for tid, n, first in (
        ImsRecord.objects.filter(
            recipient_id__in=ids,
            active=True,
            action="P",
            pending_deadline__gte=today,
            pending_deadline__lte=today + timedelta(days=NEAR_DAYS),
        )
        .values_list("recipient_id")
        .annotate(n=Count("id"), first=Min("pending_deadline"))
        .order_by()
    ):
        near[tid] = {"n": n, "first": first}

    uploads = dict(
        Job.objects.filter(taxpayer_id__in=ids, kind__in=UPLOAD_KINDS)
        .values_list("taxpayer_id")
        .annotate(at=Max("created_at"))
        .order_by()
    )
    open_jobs = dict(
        Job.objects.filter(taxpayer_id__in=ids, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
        .values_list("taxpayer_id")
        .annotate(n=Count("id"))
        .order_by()
    )

    rows = []
    for t in taxpayers:
        cal, p = cals[t.id], periods[t.id]
        quarterly = cal.quarterly(p)
        filed = p in cal.filed_3b
        due = gstr3b_due_date(p, quarterly, gstin_state(t.gstin))
        v = latest.get(t.id)
        if v is None:
            s2b = "not_due" if today < domain.draft_date(p) else "missing"
        elif filed:
            s2b = "final"
        else:
            s2b = "stale" if v.id in stale else "draft"
        rows.append(
            {
                "taxpayer": t,
                "gstin": t.gstin,
                "name": t.display_name,
                "period": p,
                "quarterly": quarterly,
                "counts": counts[t.id],
                "deemed": deemed[t.id],
                "near": near.get(t.id, {"n": 0, "first": None}),
                "s2b": s2b,
                "s2b_words": STATE_WORDS[s2b],
                "version": v.version if v else None,
                "filed_3b": filed,
                "due_3b": due,
                "overdue": not filed and today > due,
                "last_upload": uploads.get(t.id),
                "open_jobs": open_jobs.get(t.id, 0),
            }
        )
    return rows


def _stale(versions: list[Gstr2bVersion]) -> set[int]:
    """The versions among ``versions`` (at most one per taxpayer) with a record of their period changed
    after they were generated (R-5.5), in one query: one OR-ed condition per version."""
    if not versions:
        return set()
    changed = Q()
    for v in versions:
        changed |= Q(recipient_id=v.taxpayer_id, itc_period=v.period, updated_at__gt=v.generated_at)
    recipients = set(ImsRecord.objects.filter(changed).values_list("recipient_id", flat=True).distinct())
    return {v.id for v in versions if v.taxpayer_id in recipients}
