"""The IMS Excel round trip (issue 5, R-4.10, R-9.3), like GSTN's IMS offline tool.

Export: the filtered records as a workbook (openpyxl write-only mode: rows go to temporary files, not
memory), one sheet per non-empty IMS section, with an editable Action column (list validation A/R/P/N)
and Remarks column, and hidden id and hash columns. Import: the edited workbook is stored as a job file
and applied by the ``ims_import`` job through ``ims_actions_apply`` — the same rules, codes and audit as
the API, with the row's hash as the STALE guard. Refused rows go to an error workbook.

The upload and the error workbook are job files (``jobs.files``).
"""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from rest_framework.utils.encoders import JSONEncoder

from core import clock
from core.errors import RuleViolation
from ims import domain
from ims.models import Channel, ImsRecord
from ims.selectors import ims_filter, record_names
from ims.serializers import EXCEL_HEADERS, MONEY_FIELDS, record_out
from ims.services.actions import MAX_ACTIONS
from ims.services.bulk import FILTER_KEYS
from ims.services.proposals import covered, ims_actions_submit
from ims.services.xlsx_guard import MAX_COLUMNS, MAX_ROWS, check_workbook
from jobs.files import job_file_write, jobfiles_dir
from jobs.models import Job
from jobs.runner import register
from jobs.services import job_progress
from taxpayers.access import role_for
from taxpayers.models import Taxpayer

EXPORT_CHUNK = 2_000
IMPORT_CHUNK = MAX_ACTIONS
MAX_IMPORT_BYTES = 20 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"

ACTION, REMARKS, ID, HASH = "Action", "Remarks", "id", "hash"
ERROR_CODE, REASON = "Error code", "Reason"
# record_out keys shown through the editable and hidden columns rather than as plain fields.
SPECIAL_FIELDS = ("id", "hash", "action", "remarks")
VALIDATED_ROWS = 1_048_576  # Excel's last row: the Action list applies to rows typed in later too.
NO_ID = "This row has no record id; export the workbook again rather than adding rows."


# --- export ------------------------------------------------------------------------------------------------


def export_filename(recipient: Taxpayer, ext: str) -> str:
    return f"IMS_{recipient.gstin}_inward.{ext}"


def ims_export_json(qs) -> Iterator[str]:
    """``{"records": [...], "next_cursor": null}`` of every record of ``qs`` (a validated ims_filter query),
    ordered by id like the list, read 2,000 rows per fetch and sent as it is produced."""
    today = clock.today()
    yield '{"records":['
    buf: list[str] = []
    first = True
    for rec in qs.order_by("id").iterator(chunk_size=EXPORT_CHUNK):
        buf.append(json.dumps(record_out(rec, today), cls=JSONEncoder, ensure_ascii=False))
        if len(buf) == EXPORT_CHUNK:
            yield ("" if first else ",") + ",".join(buf)
            buf, first = [], False
    if buf:
        yield ("" if first else ",") + ",".join(buf)
    yield '],"next_cursor":null}'


def ims_export_probe(qs) -> None:
    """Read and shape the first record now, before a streamed export sends its 200: a failure becomes an
    error reply instead of a reply that breaks off (issue 14). One query; the stream opens its own cursor."""
    head = qs.order_by("id").first()
    if head is not None:
        record_out(head, clock.today())


def xlsx_value(ws, value):
    """Text stays text: openpyxl would turn a value starting with ``=`` (a trade name, a remark) into a
    formula, and refuses control characters."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
    return value


def _sheet(wb: Workbook, title: str, header: list[str]):
    """A sheet with the Action list validation, the id and hash columns hidden, the header frozen. A sheet
    of bills of entry (R-10.2) offers no R: a BoE is accepted or kept pending, never rejected."""
    boe = title in domain.BOE_SECTIONS
    choices, words = (
        (
            "A,P,N",
            "Action is A (accept), P (pending) or N (no action); a bill of entry cannot "
            "be rejected. Blank means N.",
        )
        if boe
        else ("A,R,P,N", "Action is A (accept), R (reject), P (pending) or N (no action); blank means N.")
    )
    ws = wb.create_sheet(title)
    for name in (ID, HASH):
        if name in header:
            ws.column_dimensions[get_column_letter(header.index(name) + 1)].hidden = True
    if ACTION in header:
        col = get_column_letter(header.index(ACTION) + 1)
        dv = DataValidation(
            type="list",
            formula1=f'"{choices}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Action",
            error=words,
        )
        dv.add(f"{col}2:{col}{VALIDATED_ROWS}")
        ws.data_validations.append(dv)
    # The header and every column up to Remarks stay in view (Action and Remarks; an error workbook's
    # Error code and Reason before them).
    last = header.index(REMARKS) + 1 if REMARKS in header else 2
    ws.freeze_panes = f"{get_column_letter(last + 1)}2"
    ws.append(header)
    return ws


def ims_export_xlsx(qs, out, progress=None) -> None:
    """Write the records of ``qs`` (a validated ims_filter query) as a workbook to the file object ``out``.
    One sheet per non-empty section in IMS order; columns Action, Remarks, every other record field, then
    the hidden id and hash. Amounts are numbers; dates stay text (DD-MM-YYYY) as in GSTN's layout.
    ``progress(rows_written)`` is called every EXPORT_CHUNK rows (the export job's progress)."""
    today = clock.today()
    written = 0
    wb = Workbook(write_only=True)
    present = set(qs.order_by().values_list("section", flat=True).distinct())
    for section in (s for s in domain.IMS_SECTIONS if s in present):
        ws, fields = None, []
        for rec in qs.filter(section=section).order_by("id").iterator(chunk_size=EXPORT_CHUNK):
            row = record_out(rec, today)
            if ws is None:
                fields = [k for k in row if k not in SPECIAL_FIELDS]
                ws = _sheet(
                    wb, section, [ACTION, REMARKS, *(EXCEL_HEADERS.get(k, k) for k in fields), ID, HASH]
                )
            values = [
                row["action"],
                row["remarks"],
                *(_cell(ws, k, row[k]) for k in fields),
                row["id"],
                row["hash"],
            ]
            ws.append([xlsx_value(ws, v) for v in values])
            written += 1
            if progress is not None and written % EXPORT_CHUNK == 0:
                progress(written)
    if not wb.worksheets:
        wb.create_sheet("IMS").append(["No records match the filters."])
    wb.save(out)


# Amounts shown with Indian digit grouping (1,23,45,678.00) and stored as numbers (issue 15).
INR_FORMAT = r"[>=10000000]##\,##\,##\,##0.00;[>=100000]##\,##\,##0.00;##,##0.00"


def money_cell(ws, value):
    """An amount as a number shown with Indian grouping (write-only sheets)."""
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = INR_FORMAT
    return cell


def _cell(ws, key: str, value):
    if key in MONEY_FIELDS and isinstance(value, Decimal | int | float):
        return money_cell(ws, value)
    return value


def export_sync_max() -> int:
    """Above this many records an Excel export is a job (issue 12: a large workbook never holds a request
    past its timeout); the setting IMS_EXPORT_SYNC_MAX changes it."""
    return int(getattr(settings, "IMS_EXPORT_SYNC_MAX", 10_000))


EXPORT_PARAMS = (*FILTER_KEYS, "left")  # the bulk filters, and records that left IMS


def export_params(params) -> dict:
    """The list filters of a request, as a job keeps them."""
    return {k: str(params.get(k)) for k in EXPORT_PARAMS if params.get(k)}


@register("ims_export")
def _ims_export_job(job) -> dict:
    """The workbook of the filtered records, written row by row (write-only mode) to a job file."""
    qs = ims_filter(recipient=job.taxpayer, params=job.params.get("filter") or {})
    total = qs.count()
    job_progress(job, 0, total)
    url = job_file_write(
        job.id,
        export_filename(job.taxpayer, "xlsx"),
        lambda fh: ims_export_xlsx(qs, fh, progress=lambda n: job_progress(job, min(n, total), total)),
    )
    job_progress(job, total, total)
    return {"records": total, "file": url}


# --- import: the upload ------------------------------------------------------------------------------------


def _unsupported(message: str) -> RuleViolation:
    return RuleViolation("UNSUPPORTED_FORMAT", message, status=400)


def _columns(header) -> dict[str, int] | None:
    """Positions of the columns the import reads, found by header name; None for a sheet that is not an
    IMS export sheet (no id or no Action column)."""
    names = [h.strip() if isinstance(h, str) else h for h in (header or ())]
    if ID not in names or ACTION not in names:
        return None
    return {n: names.index(n) for n in (ID, HASH, ACTION, REMARKS) if n in names}


def _open(source):
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign zip
        raise _unsupported("The file is not an Excel workbook (.xlsx) that can be read.")


def import_file_store(*, upload) -> str:
    """Store ``upload`` (a Django UploadedFile that passed ``import_file_check``) as a job file; returns
    its name."""
    name = f"import-{uuid.uuid4().hex}.xlsx"
    folder = jobfiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    upload.seek(0)
    with open(folder / name, "wb") as fh:
        for part in upload.chunks():
            fh.write(part)
    return name


def import_file_check(upload) -> None:
    """Everything the request checks before the job: 413 TOO_LARGE over 20 MB; 400 UNSUPPORTED_FORMAT for
    anything but an xlsx within xlsx_guard's bounds with a sheet having id and Action columns. Call it
    outside any lock: it reads the file."""
    if upload.size > MAX_IMPORT_BYTES:
        raise RuleViolation("TOO_LARGE", "The workbook is larger than 20 MB.", status=413)
    upload.seek(0)
    if upload.read(4) != ZIP_MAGIC:
        raise _unsupported("The file is not an Excel workbook (.xlsx).")
    upload.seek(0)
    check_workbook(upload)
    wb = _open(upload)
    try:
        usable = any(_columns(next(ws.iter_rows(max_row=1, values_only=True), None)) for ws in wb.worksheets)
    finally:
        wb.close()
    if not usable:
        raise _unsupported("No sheet has the id and Action columns of an IMS export workbook.")
    upload.seek(0)


# --- import: the job ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    sheet: int
    line: int  # the row number in its sheet (1 = header)
    id: int | None
    hash: str | None
    action: str
    remarks: str | None


def _record_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value)


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _at(values, cols: dict[str, int], name: str):
    i = cols.get(name)
    return values[i] if i is not None and i < len(values) else None


def _read_rows(wb) -> list[Row]:
    """The data rows of every IMS sheet (blank rows skipped): id, hash, Action (blank = N), Remarks."""
    rows = []
    for s, ws in enumerate(wb.worksheets):
        # The declared size is the sender's word: read the rows the sheet holds, no padding to a declared
        # A1:XFD1048576, and only as many columns as the IMS columns need.
        ws.reset_dimensions()
        header = next(ws.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
        cols = _columns(header)
        if cols is None:
            continue
        width = max(cols.values()) + 1
        for line, values in enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            if line > MAX_ROWS + 1:
                raise _unsupported(
                    f"A sheet has more than {MAX_ROWS:,} rows; an IMS export sheet has at most that."
                )
            if _blank(values):
                continue
            action = _text(_at(values, cols, ACTION))
            rows.append(
                Row(
                    sheet=s,
                    line=line,
                    id=_record_id(_at(values, cols, ID)),
                    hash=_text(_at(values, cols, HASH)),
                    action=action.strip().upper() if action and action.strip() else "N",
                    remarks=_text(_at(values, cols, REMARKS)),
                )
            )
    return rows


def ims_import_apply(
    *, recipient: Taxpayer, rows: list[Row], by: str, job=None, role: str | None = None
) -> tuple[dict, dict]:
    """Apply the changed rows in batches of at most 5,000 through ims_actions_apply (each batch one
    transaction, R-4.10), counting rows whose Action and Remarks equal the record's as unchanged.
    Returns the counts and the refusals keyed by (sheet, line)."""
    processed = unchanged = proposed = 0
    refused: dict[tuple[int, int], dict] = {}
    # a record on two rows is refused on both and stays as it was.
    counts = Counter(r.id for r in rows if r.id is not None)
    repeated = {rid for rid, n in counts.items() if n > 1}
    total = len(rows)
    if job is not None:
        job_progress(job, 0, total)
    for start in range(0, total, IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        ids = [r.id for r in chunk if r.id is not None]
        current = {
            rid: (action, remarks)
            for rid, action, remarks in ImsRecord.objects.filter(
                recipient=recipient, id__in=ids, removed=False
            ).values_list("id", "action", "remarks")
        }
        batch, batch_rows = [], []
        for r in chunk:
            if r.id is None:
                refused[(r.sheet, r.line)] = {"id": None, "code": "NOT_FOUND", "message": NO_ID}
                continue
            if r.id in repeated:
                refused[(r.sheet, r.line)] = {
                    "id": r.id,
                    "code": "INVALID_ACTION",
                    "message": "This record is on more than one row of the workbook.",
                }
                continue
            if current.get(r.id) == (r.action, r.remarks):
                unchanged += 1
                continue
            item = {"id": r.id, "action": r.action}
            if r.remarks is not None:
                item["remarks"] = r.remarks
            if r.hash is not None:
                item["hash"] = r.hash
            batch.append(item)
            batch_rows.append(r)
        if batch:
            # Issue 17: a preparer's workbook under maker-checker proposes what the setting covers.
            result = ims_actions_submit(
                recipient=recipient, actions=batch, role=role, by=by, channel=Channel.UPLOAD
            )
            proposed += result.get("proposed", 0)
            errors = {e["id"]: e for e in result["errors"]}
            covered_ids = {
                i["id"] for i in batch if result.get("proposed") and covered(recipient, role, i["action"])
            }
            for r in batch_rows:
                if r.id in errors:
                    e = errors[r.id]
                    refused[(r.sheet, r.line)] = {"id": r.id, "code": e["code"], "message": e["message"]}
                elif r.id not in covered_ids:
                    processed += 1
        if job is not None:
            job_progress(job, start + len(chunk), total)
    counts = {"processed": processed, "unchanged": unchanged}
    if proposed:
        counts["proposed"] = proposed
    return counts, refused


def _error_workbook(wb, refused: dict[tuple[int, int], dict], out) -> None:
    """The refused rows with their original columns, Error code and Reason first (issue 15: they were at the
    far right, columns AQ-AR), one sheet per source sheet. The columns keep their names, so the corrected
    error workbook can be imported again (the import finds columns by name)."""
    book = Workbook(write_only=True)
    for s, ws in enumerate(wb.worksheets):
        lines = {line: e for (sheet, line), e in refused.items() if sheet == s}
        if not lines:
            continue
        it = ws.iter_rows(values_only=True)
        header = list(next(it, None) or ())
        while header and header[-1] is None:
            header.pop()
        width = len(header)
        target = _sheet(book, ws.title, [ERROR_CODE, REASON, *header])
        for line, values in enumerate(it, start=2):
            if line in lines:
                e = lines[line]
                row = (list(values[:width]) + [None] * width)[:width]
                target.append([xlsx_value(target, v) for v in [e["code"], e["message"], *row]])
    book.save(out)


def ims_import_run(job) -> dict:
    """The ``ims_import`` job: read the stored workbook, apply it, write the error workbook if any row was
    refused. Result ``{"processed","unchanged","errors","error_file"}``; the three counts add up to the
    data rows. Each batch commits on its own, so a retry after a crash finds the applied rows unchanged."""
    source = jobfiles_dir() / job.params["file"]
    if not source.is_file():
        raise RuleViolation("NOT_FOUND", "The uploaded workbook is no longer stored.", status=404)
    check_workbook(source)
    wb = _open(source)
    try:
        rows = _read_rows(wb)
    finally:
        wb.close()
    role = role_for(job.created_by, job.taxpayer) if job.created_by_id else None
    counts, refused = ims_import_apply(
        recipient=job.taxpayer, rows=rows, by=job.params["by"], job=job, role=role
    )
    error_file = None
    if refused:
        wb = _open(source)
        try:
            error_file = job_file_write(job.id, "errors.xlsx", lambda out: _error_workbook(wb, refused, out))
        finally:
            wb.close()
    ordered = [refused[k] for k in sorted(refused)]
    return {**counts, "errors": ordered, "error_file": error_file}


def _upload_delete(job_id: int, failure: Exception | None) -> None:
    """Once the job has ended (either way) its upload is no longer needed: the error workbook, if any,
    already holds the refused rows."""
    params = Job.objects.filter(id=job_id).values_list("params", flat=True).first()
    name = params.get("file") if isinstance(params, dict) else None
    if isinstance(name, str) and "/" not in name and name.startswith("import-"):
        (jobfiles_dir() / name).unlink(missing_ok=True)


@register("ims_import", finish=_upload_delete, refusal_names=record_names)
def _ims_import(job) -> dict:
    return ims_import_run(job)
