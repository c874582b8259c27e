"""Bulk action by filter (issue 5, R-4.10, R-9.2, R-9.3): one action on every active record matching the
list filters, as a job, one transaction per chunk of records in id order.

On PostgreSQL a chunk is one statement (issue 12): it locks the chunk, applies the action with
``UPDATE … RETURNING`` to every record whose outcome needs no per-record rule, and writes their audit rows
by ``INSERT … SELECT`` from what it returned. The rest of the chunk (few: credit notes being accepted or
kept pending, waiting amendments, records of a filed period, bills of entry a request cannot touch) is
decided record by record by the batch's own rule function (``actions.decide``), so refusals and
declarations are the batch's. On SQLite (``make run``) the whole chunk takes that second path: changed rows
by one UPDATE per group of equal new values, declarations by one ``UPDATE … FROM (VALUES …)``, audit rows by
one INSERT. Queries grow with chunks, not records."""

from django.db import connection, transaction

from core import clock
from core.db import bulk_insert, rows_update
from core.errors import DomainError, ValidationFailed
from core.periods import business_date, parse_doc_date, parse_period
from ims import domain
from ims.models import Channel, ImsAudit, ImsRecord
from ims.selectors import GOODS_TYPES, ims_filter, record_names
from ims.services.actions import action_audit, decide
from jobs.runner import register
from jobs.services import job_progress
from taxpayers.domain import gstin_error
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

CHUNK = 2_000
# The list query keys of API.md that select records. ``left`` is not one: only active records can change.
FILTER_KEYS = (
    "section",
    "action",
    "stin",
    "rtnprd",
    "itc_period",
    "q",
    "goods_typ",
    "portcode",
    "dt",
    "dt_from",
    "dt_to",
    "doc_type",
    "supplier",
)
DECL_FIELDS = ["itc_red_req", "decl_igst", "decl_cgst", "decl_sgst", "decl_cess", "updated_at"]


def bulk_request_errors(*, filter, action, remarks) -> list[dict]:
    """Problems of a bulk request, each with its path (``filter.section``, ``action``, ``remarks``). An
    unknown filter key is refused rather than ignored: a misspelt key would widen the action to every
    record. Remarks are checked once here (R-4.5) instead of being refused on every record."""
    errors = []
    if not isinstance(filter, dict):
        errors.append(
            {"path": "filter", "code": "REQUIRED", "message": "filter is an object of list filters."}
        )
    else:
        for key, value in filter.items():
            path = f"filter.{key}"
            if key not in FILTER_KEYS:
                errors.append(
                    {"path": path, "code": "UNKNOWN", "message": f"Filters are {', '.join(FILTER_KEYS)}."}
                )
            elif value is None or value == "":
                continue
            elif not isinstance(value, str):
                errors.append({"path": path, "code": "INVALID", "message": f"{key} is text."})
            elif key == "section" and value not in domain.IMS_SECTIONS:
                errors.append({"path": path, "code": "INVALID", "message": "Unknown IMS section."})
            elif key == "action" and value not in domain.ACTIONS:
                errors.append({"path": path, "code": "INVALID", "message": "action is N, A, R or P."})
            elif key == "stin" and (problem := gstin_error(value)):
                errors.append({"path": path, "code": problem[0], "message": problem[1]})
            elif key == "goods_typ" and value not in GOODS_TYPES:
                errors.append(
                    {"path": path, "code": "INVALID", "message": "goods_typ is ALL_OTH or IMP_GDS."}
                )
            elif key == "dt":
                try:
                    parse_doc_date(value)
                except DomainError:
                    errors.append(
                        {"path": path, "code": "INVALID_DATE", "message": "A date is written DD-MM-YYYY."}
                    )
            elif key in ("rtnprd", "itc_period"):
                try:
                    parse_period(value)
                except DomainError as exc:
                    errors.append({"path": path, "code": exc.code, "message": exc.message})
    if action not in domain.ACTIONS:
        errors.append({"path": "action", "code": "INVALID_ACTION", "message": "action is one of N, A, R, P."})
    elif remarks is not None and not isinstance(remarks, str):
        errors.append({"path": "remarks", "code": "INVALID_REMARKS", "message": "remarks must be text."})
    elif refusal := domain.remarks_refusal(action=action, remarks=remarks):
        errors.append({"path": "remarks", "code": refusal[0], "message": refusal[1]})
    return errors


def bulk_queryset(*, recipient: Taxpayer, filter: dict, max_value=None):
    """The active records a bulk request selects (the IMS list filters, without ``left``); an auto-action
    rule may also cap the document value (issue 17)."""
    params = {k: v for k, v in filter.items() if k in FILTER_KEYS and isinstance(v, str) and v}
    try:
        qs = ims_filter(recipient=recipient, params=params)
    except ValidationFailed as exc:
        raise ValidationFailed([{**d, "path": f"filter.{d['path']}"} for d in exc.details])
    qs = qs.filter(active=True)
    return qs if max_value is None else qs.filter(val__lte=max_value)


def bulk_count(*, recipient: Taxpayer, filter: dict) -> int:
    """ "Select all N matching": one COUNT, asked for only when the user wants it."""
    return bulk_queryset(recipient=recipient, filter=filter).count()


def ims_bulk_apply(
    *,
    recipient: Taxpayer,
    filter: dict,
    action: str,
    remarks: str | None,
    by: str,
    channel: str = Channel.BULK,
    job=None,
    chunk_size: int = CHUNK,
    max_value=None,
) -> dict:
    """Apply ``action`` to every active record matching ``filter`` (R-4.10): ``{"processed", "errors"}``.

    Each chunk is one transaction, so a job that dies part-way leaves whole chunks applied and each record
    changed fully or not at all (R-9.2); a rerun finds the applied records already at the action, which
    are no-ops (counted as processed, not audited), and finishes the rest."""
    if errors := bulk_request_errors(filter=filter, action=action, remarks=remarks):
        raise ValidationFailed(errors)
    qs = bulk_queryset(recipient=recipient, filter=filter, max_value=max_value)
    total = qs.count()
    cal = Calendar(recipient)
    request = domain.ActionRequest(action=action, remarks=remarks)
    processed, errors, done, last_id = 0, [], 0, 0
    if job is not None:
        job_progress(job, 0, total)
    set_based = _set_based()
    while True:
        with transaction.atomic():
            lock_taxpayers([recipient.id])  # the lock order of taxpayers.locks
            # The filter is applied again under the lock: a record changed meanwhile so that it no longer
            # matches is left alone. Keyset by id: records this job moved are never read twice.
            if set_based:
                rows = _sql_chunk(
                    qs,
                    request,
                    cal,
                    owner=recipient.id,
                    after=last_id,
                    size=chunk_size,
                    by=by,
                    channel=channel,
                )
                ids = [rid for rid, _ in rows]
                left = [rid for rid, applied in rows if not applied]
                chunk = list(ImsRecord.objects.filter(recipient_id=recipient.id, id__in=left).order_by("id"))
            else:
                chunk = list(qs.filter(id__gt=last_id).order_by("id").select_for_update()[:chunk_size])
                ids = [rec.id for rec in chunk]
            if not ids:
                break
            n, refused = _apply_chunk(chunk, request, cal, by=by, channel=channel)
        processed += n + len(ids) - len(chunk)
        errors += refused
        done += len(ids)
        last_id = ids[-1]
        if job is not None:
            job_progress(job, done, max(total, done))
        if len(ids) < chunk_size:
            break
    return {"processed": processed, "errors": errors}


def _set_based() -> bool:
    return connection.vendor == "postgresql"


def _sql_chunk(
    qs, request, cal: Calendar, *, owner: int, after: int, size: int, by: str, channel: str
) -> list[tuple]:
    """One chunk in one statement (PostgreSQL): lock the next ``size`` matching records in id order and apply
    the action to each whose outcome needs no per-record rule — allowed whatever its dates and amounts, and
    storing no declaration — with the audit rows of those that changed. The predicate is narrower than the
    rules, never wider: a record it leaves out is decided by ``decide`` as in the batch. Answers
    ``(id, applied)`` for every record of the chunk, in id order (applied: done here, changed or not)."""
    action = request.action
    remarks = domain.stored_remarks(action, request.remarks)
    picked, picked_params = qs.filter(id__gt=after).order_by("id").values("id")[:size].query.sql_with_params()
    # A request a bill of entry refuses goes to ``decide`` for every bill of entry, to be refused
    # there in words. An ITC-reducing record has a deadline for P and a declaration with A.
    boe_ok = domain.boe_refusal(request) is None
    reducing_ok = action in ("R", "N")
    now = clock.now()
    sql = f"""
        WITH picked AS ({picked} FOR NO KEY UPDATE),
        chunk AS (
            SELECT r.id, r.action AS before,
                   (NOT r.waiting_on_original AND NOT (r.itc_period = ANY(%s::integer[]))
                    AND (r.doc_type <> 'BOE' OR %s) AND (NOT r.itc_reducing OR %s)) AS ok,
                   (r.action <> %s OR r.remarks IS DISTINCT FROM %s::varchar OR r.itc_red_req IS NOT NULL
                    OR r.decl_igst IS NOT NULL OR r.decl_cgst IS NOT NULL OR r.decl_sgst IS NOT NULL
                    OR r.decl_cess IS NOT NULL) AS differs
            FROM {ImsRecord._meta.db_table} r JOIN picked p ON p.id = r.id
            WHERE r.recipient_id = %s
        ),
        changed AS (
            UPDATE {ImsRecord._meta.db_table} r
            SET action = %s, remarks = %s, itc_red_req = NULL, decl_igst = NULL, decl_cgst = NULL,
                decl_sgst = NULL, decl_cess = NULL, updated_at = %s
            FROM chunk c
            WHERE r.id = c.id AND r.recipient_id = %s AND c.ok AND c.differs
            RETURNING r.id, c.before
        ),
        audited AS (
            INSERT INTO {ImsAudit._meta.db_table}
                (recipient_id, record_id, "at", "by", channel, from_action, to_action, remarks, decl, reason)
            SELECT %s, u.id, %s, %s, %s, u.before, %s, %s, NULL, '' FROM changed u ORDER BY u.id
        )
        SELECT c.id, c.ok FROM chunk c ORDER BY c.id
    """
    filed = sorted(cal.filed_3b)
    params = [*picked_params, filed, boe_ok, reducing_ok, action, remarks, owner]
    params += [action, remarks, now, owner, owner, now, by, channel, action, remarks]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _apply_chunk(
    chunk: list[ImsRecord], request, cal: Calendar, *, by: str, channel: str
) -> tuple[int, list[dict]]:
    if not chunk:
        return 0, []
    now = clock.now()
    today = business_date(now)
    processed, refused, audits = 0, [], []
    # Changed records by their new (action, remarks): the same for the whole request, so one UPDATE.
    plain: dict[tuple, list[int]] = {}
    declared: list[ImsRecord] = []  # accepted ITC-reducing records: amounts per record
    for rec in chunk:
        decision = decide(rec, request, cal, today)
        if decision.refusal:
            refused.append({"id": rec.id, "code": decision.refusal[0], "message": decision.refusal[1]})
            continue
        processed += 1
        if not decision.changed:
            continue
        rec.updated_at = now
        if rec.itc_red_req is None:
            plain.setdefault((rec.action, rec.remarks), []).append(rec.id)
        else:
            declared.append(rec)
        audits.append(action_audit(rec, decision, at=now, by=by, channel=channel))
    owner = chunk[0].recipient_id  # one recipient's records; its id routes the writes (issue 13)
    for (new_action, new_remarks), ids in plain.items():
        ImsRecord.objects.filter(recipient_id=owner, id__in=ids).update(
            action=new_action,
            remarks=new_remarks,
            itc_red_req=None,
            decl_igst=None,
            decl_cgst=None,
            decl_sgst=None,
            decl_cess=None,
            updated_at=now,
        )
    if declared:
        rows_update(
            ImsRecord,
            declared,
            ["action", "remarks", *DECL_FIELDS],
            batch_size=len(declared),
            owner="recipient_id",
        )
    if audits:
        bulk_insert(ImsAudit, audits)
    return processed, refused


@register("ims_bulk", refusal_names=record_names)
def _ims_bulk_job(job) -> dict:
    p = job.params
    return ims_bulk_apply(
        recipient=job.taxpayer,
        filter=p.get("filter") or {},
        action=p.get("action"),
        remarks=p.get("remarks"),
        by=p.get("by") or "system",
        job=job,
    )
