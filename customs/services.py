"""The customs feed (R-10.1): bills of entry posted by customs (one request of up to 10,000, or a file of
any number through a job), all or nothing, written into their importers' IMS (``ims.services.boe``).

A report is classified against the BoE as last reported (port, number and date are its key): new, a
repeat of the same values (unchanged: posting twice changes nothing), a value amendment (``isamd`` Y, same
importer) or a GSTIN amendment (``isamd`` Y, ``old_gstin`` naming the importer it leaves). Anything else
is refused with its path, and then nothing is written.

Lock order (taxpayers.locks): the feed's own lock first — one feed writes at a time, so two feeds never
report the same BoE at once — then the importers' taxpayer rows, then their IMS records."""

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from core import clock
from core.db import bulk_insert, rows_update
from core.errors import RuleViolation, ValidationFailed
from core.periods import business_date
from customs.domain import MAX_BOE, BoeReport, boe_report
from customs.models import BillOfEntry
from ims.models import Channel, ImsRecord
from ims.services.boe import BoeChange, BoeFacts, boe_records_write
from invoices.services.uploads import (
    UploadInvalid,
    check_file,
    store_upload,
    upload_finished,
    upload_sections,
)
from jobs.models import Job, JobKind
from jobs.runner import register
from jobs.services import job_progress, job_start
from taxpayers.locks import lock_taxpayers
from taxpayers.selectors import calendars_by_gstin, trade_names

CHUNK = 2_000
BOE_FIELDS = [
    "importer",
    "refdt",
    "recdt",
    "sez_ctin",
    "txval",
    "igst",
    "cess",
    "amended",
    "record",
    "content_hash",
    "updated_at",
]


def may_feed(user) -> bool:
    """Staff, or a machine user given the ``customs_feed`` permission (R-10.1)."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("customs.customs_feed")))


def _feed_lock() -> None:
    """One feed at a time (the first lock of the order above); SQLite (`make run`) writes one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('ims.customs_feed'))")


def boe_reports(items: Iterable, *, today, errors: list[dict]) -> list[BoeReport]:
    """Every item checked (R-3.11's way: all problems, each at ``boe[i]…``); a BoE reported twice in one
    feed is refused at its second place."""
    out, seen = [], {}
    for i, item in enumerate(items):
        at = f"boe[{i}]"
        report, problems = boe_report(item, at, today)
        if problems:
            errors.extend(problems)
            continue
        if report.key in seen:
            errors.append(
                {
                    "path": at,
                    "code": "DUPLICATE",
                    "message": f"This bill of entry is also at boe[{seen[report.key]}] of this feed.",
                }
            )
            continue
        seen[report.key] = i
        out.append((i, report))
    return out


def _existing(reports: list) -> dict[tuple, BillOfEntry]:
    found = {}
    for start in range(0, len(reports), CHUNK):
        part = reports[start : start + CHUNK]
        numbers = {r.boenum for _, r in part}
        keys = {r.key for _, r in part}
        for boe in BillOfEntry.objects.select_related("importer").filter(boenum__in=numbers):
            if (boe.portcode, boe.boenum, boe.boedt) in keys:
                found[(boe.portcode, boe.boenum, boe.boedt)] = boe
    return found


def _facts(r: BoeReport) -> BoeFacts:
    return BoeFacts(
        portcode=r.portcode,
        boenum=r.boenum,
        boedt=r.boedt,
        refdt=r.refdt,
        recdt=r.recdt,
        sez_ctin=r.sez_ctin,
        txval=r.txval,
        igst=r.igst,
        cess=r.cess,
    )


def _classify(reports, existing, calendars) -> tuple[list, list[dict], int]:
    """``(plan, errors, unchanged)``: plan items are ``(report, kind, boe or None)``."""
    plan, errors, unchanged = [], [], 0
    for i, r in reports:
        at = f"boe[{i}]"
        if r.gstin not in calendars:
            errors.append(
                {
                    "path": f"{at}.gstin",
                    "code": "NOT_REGISTERED",
                    "message": "This GSTIN is not registered in the portal.",
                }
            )
            continue
        boe = existing.get(r.key)
        if boe is None:
            plan.append((r, "amend" if r.isamd else "new", None))
            continue
        same_importer = boe.importer.gstin == r.gstin
        if same_importer and boe.content_hash == _facts(r).content_hash:
            unchanged += 1
        elif same_importer and not r.isamd:
            errors.append(
                {
                    "path": f"{at}.isamd",
                    "code": "ALREADY_REPORTED",
                    "message": "This bill of entry was reported with other values; report the change as an "
                    "amendment (isamd Y).",
                }
            )
        elif same_importer:
            plan.append((r, "amend", boe))
        elif r.isamd and r.old_gstin == boe.importer.gstin:
            plan.append((r, "move", boe))
        else:
            errors.append(
                {
                    "path": f"{at}.gstin",
                    "code": "OTHER_IMPORTER",
                    "message": "This bill of entry was reported for another GSTIN; a change of importer "
                    "is an amendment (isamd Y) with old_gstin naming that GSTIN.",
                }
            )
    return plan, errors, unchanged


def _write(plan: list, calendars, sez_names, *, now, channel: str) -> None:
    prev_ids = [boe.record_id for _, _, boe in plan if boe is not None and boe.record_id]
    previous = {r.id: r for r in ImsRecord.objects.filter(id__in=prev_ids)} if prev_ids else {}
    changes = [
        BoeChange(
            kind=kind,
            facts=_facts(r),
            calendar=calendars[r.gstin],
            previous=previous.get(boe.record_id) if boe is not None else None,
            sez_name=sez_names.get(r.sez_ctin, ""),
        )
        for r, kind, boe in plan
    ]
    records = boe_records_write(changes, now=now, channel=channel)
    created, updated = [], []
    for (r, kind, boe), rec in zip(plan, records, strict=True):
        row = boe or BillOfEntry(portcode=r.portcode, boenum=r.boenum, boedt=r.boedt, received_at=now)
        row.importer = calendars[r.gstin].taxpayer
        row.refdt, row.recdt, row.sez_ctin = r.refdt, r.recdt, r.sez_ctin
        row.txval, row.igst, row.cess = r.txval, r.igst, r.cess
        row.amended = row.amended or kind != "new"
        row.record, row.content_hash, row.updated_at = rec, rec.hash, now
        (updated if boe is not None else created).append(row)
    bulk_insert(BillOfEntry, created)  # COPY on PostgreSQL (issue 12)
    if updated:
        rows_update(BillOfEntry, updated, BOE_FIELDS)


def boe_feed_apply(
    items: Iterable,
    *,
    channel: str,
    limit: int | None = MAX_BOE,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Check every reported BoE, then write all of them or none (R-10.1): ``{"created", "amended",
    "unchanged"}`` (a GSTIN amendment counts as amended). ValidationFailed lists every problem."""
    if limit is not None and isinstance(items, list) and len(items) > limit:
        raise RuleViolation(
            "TOO_LARGE", f"At most {limit:,} bills of entry per request; upload a file for more.", status=413
        )
    now = clock.now()
    errors: list[dict] = []
    reports = boe_reports(items, today=business_date(now), errors=errors)
    total = len(reports) + len(errors)
    if progress:
        progress(total, total * 2)
    with transaction.atomic():
        _feed_lock()
        gstins = {r.gstin for _, r in reports} | {r.old_gstin for _, r in reports if r.old_gstin}
        calendars = calendars_by_gstin(gstins)
        existing = _existing(reports)
        plan, refused, unchanged = _classify(reports, existing, calendars)
        errors += refused
        if errors:
            errors.sort(key=lambda e: _index(e["path"]))
            raise ValidationFailed(errors)
        lock_taxpayers(
            [calendars[r.gstin].taxpayer.id for r, _, _ in plan]
            + [boe.importer_id for _, _, boe in plan if boe is not None]
        )
        sez_names = trade_names({r.sez_ctin for r, _, _ in plan if r.sez_ctin})
        for start in range(0, len(plan), CHUNK):
            _write(plan[start : start + CHUNK], calendars, sez_names, now=now, channel=channel)
            if progress:
                progress(total + min(start + CHUNK, len(plan)), total * 2)
    created = sum(1 for _, kind, boe in plan if boe is None and kind == "new")
    return {"created": created, "amended": len(plan) - created, "unchanged": unchanged}


def _index(path: str) -> int:
    try:
        return int(path.split("[", 1)[1].split("]", 1)[0])
    except (IndexError, ValueError):
        return -1


# --- files of any size, as a job ------------------------------------------------------------------------

JOB_KIND = JobKind.CUSTOMS_BOE_UPLOAD
SHAPE = '{"boe": [{"gstin", "portcode", "boenum", "boedt", "refdt", "txval", "igst", "cess"}, …]}'


def boe_upload_receive(*, file, user) -> Job:
    """Check and store a feed file (the GSTR-1 upload's bounds and storage) and start its job."""
    check_file(file, what="customs feed", shape=SHAPE)
    with transaction.atomic():
        upload = store_upload(taxpayer=None, period=0, file=file)
        return job_start(
            kind=JOB_KIND,
            user=user,
            params={"upload_id": upload.id, "by": user.username, "name": upload.name},
        )


@register(JOB_KIND, finish=upload_finished)
def boe_upload_run(job: Job) -> dict:
    """Stream the file's top-level keys (``boe`` only), then check and write as ``boe_feed_apply``."""
    job_progress(job, 0, 0)
    items = None
    errors = []
    for key, value in upload_sections(job.params["upload_id"]):
        if key != "boe":
            errors.append({"path": str(key), "code": "UNKNOWN", "message": "A customs feed has only 'boe'."})
        elif not isinstance(value, list):
            errors.append({"path": "boe", "code": "INVALID", "message": "boe is a list of bills of entry."})
        else:
            items = value
    if items is None and not errors:
        errors.append({"path": "boe", "code": "REQUIRED", "message": "The file has no 'boe' list."})
    if errors:
        raise UploadInvalid(errors)

    def progress(done: int, total: int) -> None:
        job_progress(job, done, total)

    try:
        return boe_feed_apply(items, channel=Channel.UPLOAD, limit=None, progress=progress)
    except ValidationFailed as exc:
        raise UploadInvalid(exc.details)
