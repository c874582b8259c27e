"""Importing a purchase register (issue 16, item 1): a CSV or Excel file (our template, the layouts accounting
software exports, or any layout with a column-mapping step) or JSON from an ERP. The file is bounded before it
is read; every row is checked in one streaming pass; a register with any bad row is refused whole (its rows
and reasons listed), otherwise it becomes the period's next version, written in bulk, and is matched."""

import codecs
import contextlib
import csv
import io
import json
import uuid
from collections.abc import Iterator

from django.db import transaction
from openpyxl import load_workbook

from core import clock
from core.db import bulk_insert
from core.errors import RuleViolation, ValidationFailed
from ims.domain import number_norm
from ims.services.xlsx_guard import check_workbook
from jobs.files import jobfiles_dir
from jobs.models import Job
from jobs.runner import register
from jobs.services import job_progress, job_start
from recon import domain
from recon.models import Line, Register
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_LINES = 200_000
MAX_COLUMNS = 64
MAX_CELL = 1000  # characters of one cell of a CSV
MAX_ERRORS = 500  # rows listed when a register is refused
HEADER_ROWS = 15  # a report's title rows above its headings
SAMPLE_ROWS = 5
PROGRESS_EVERY = 5000
ZIP_MAGIC = b"PK\x03\x04"
JSON_KEYS = {
    "stin": "stin",
    "trdnm": "trdnm",
    "typ": "doc_type",
    "num": "number",
    "dt": "doc_date",
    "pos": "pos",
    "rchrg": "rchrg",
    "txval": "txval",
    "iamt": "iamt",
    "camt": "camt",
    "samt": "samt",
    "csamt": "cess",
}


def gone() -> RuleViolation:
    """An upload that is not (or no longer) there for this GSTIN: upload it again."""
    return RuleViolation("NOT_FOUND", "The uploaded register is no longer here; upload it again.", status=404)


def _unsupported(message: str) -> RuleViolation:
    return RuleViolation("UNSUPPORTED_FORMAT", message, status=400)


# --- the stored file ---------------------------------------------------------------------------------------


def upload_store(upload, *, owner_id: int) -> tuple[str, str]:
    """Check ``upload`` (a Django UploadedFile) for size and kind, store it for the mapping step and the job;
    ``(token, source)``. 413 over MAX_FILE_BYTES; 400 for anything but CSV text or an xlsx within bounds. The
    token names the GSTIN it was uploaded for (``token_of``): another GSTIN's page cannot use it."""
    if upload.size > MAX_FILE_BYTES:
        raise RuleViolation(
            "TOO_LARGE", f"The register is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", status=413
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(ZIP_MAGIC):
        check_workbook(upload, max_rows=MAX_LINES, what="a purchase register")
        source = "xlsx"
    elif b"\x00" in head:
        raise _unsupported("The file is neither CSV text nor an Excel workbook (.xlsx).")
    else:
        source = "csv"
    token = f"{owner_id}x{uuid.uuid4().hex}"
    folder = jobfiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(_path(token, source), "wb") as fh:
        for part in upload.chunks():
            fh.write(part)
    return token, source


def _path(token: str, source: str):
    if not token.isalnum() or source not in ("csv", "xlsx", "json"):
        raise gone()
    return jobfiles_dir() / f"register-{token}.{source}"


def token_of(owner_id: int, token: str) -> bool:
    """Whether ``token`` is an upload made for the GSTIN whose taxpayer id is ``owner_id``."""
    return isinstance(token, str) and token.startswith(f"{owner_id}x")


def stored(token: str, source: str) -> bool:
    try:
        return _path(token, source).is_file()
    except RuleViolation:
        return False


def _discard(token: str, source: str) -> None:
    with contextlib.suppress(RuleViolation):
        _path(token, source).unlink(missing_ok=True)


# --- reading rows ------------------------------------------------------------------------------------------


def _csv_rows(path) -> Iterator[list]:
    raw = open(path, "rb")  # noqa: SIM115 (closed in the finally below, after the generator's last row)
    try:
        sample = raw.read(65536)
        raw.seek(0)
        encoding = "utf-8-sig"
        try:  # incremental: a character cut at the sample's end is not a decoding error
            codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        except UnicodeDecodeError:
            encoding = "cp1252"  # Excel's "CSV" on Windows
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        first = sample.decode(encoding, errors="replace").splitlines()[:1]
        delimiter = max((",", ";", "\t", "|"), key=lambda d: first[0].count(d) if first else 0)
        csv.field_size_limit(MAX_CELL)
        try:
            yield from csv.reader(text, delimiter=delimiter)
        except csv.Error as exc:
            raise _unsupported(f"The CSV file cannot be read: {exc}.")
    finally:
        raw.close()


def _xlsx_rows(path) -> Iterator[list]:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign zip
        raise _unsupported("The file is not an Excel workbook (.xlsx) that can be read.")
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def _rows(token: str, source: str) -> Iterator[list]:
    path = _path(token, source)
    if not path.is_file():
        raise gone()
    return _csv_rows(path) if source == "csv" else _xlsx_rows(path)


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def preview(token: str, source: str) -> dict:
    """The file's heading row (found below any title rows), a few rows under it, and the columns known by
    their headings: what the mapping step shows."""
    head = []
    for i, row in enumerate(_rows(token, source)):
        head.append(row[:MAX_COLUMNS])
        if i >= HEADER_ROWS + SAMPLE_ROWS:
            break
    if not head:
        raise _unsupported("The register is empty.")
    scored = [(domain.header_score(r), -i) for i, r in enumerate(head[:HEADER_ROWS])]
    best = max(scored)
    at = -best[1] if best[0] >= 2 else 0
    headers = ["" if v is None else str(v).strip() for v in head[at]]
    sample = [
        ["" if v is None else str(v) for v in r] for r in head[at + 1 : at + 1 + SAMPLE_ROWS] if not _blank(r)
    ]
    return {
        "header_row": at,
        "headers": headers,
        "sample": sample,
        "mapping": domain.auto_mapping(headers),
    }


def mapping_check(mapping, headers: list) -> dict[str, int]:
    """A mapping from the page or the API: field -> column index, each column used once, required fields
    present. Refused (400 VALIDATION) with each problem named."""
    if not isinstance(mapping, dict):
        raise ValidationFailed(
            [
                {
                    "path": "mapping",
                    "code": "INVALID",
                    "message": "The column mapping must name a column per field.",
                }
            ]
        )
    out, used, details = {}, {}, []
    for field, col in mapping.items():
        if field not in domain.FIELDS:
            details.append({"path": f"mapping.{field}", "code": "INVALID", "message": "No such field."})
            continue
        if col in (None, ""):
            continue
        if isinstance(col, str) and col.isdigit():
            col = int(col)
        if not isinstance(col, int) or isinstance(col, bool) or not 0 <= col < len(headers):
            details.append({"path": f"mapping.{field}", "code": "INVALID", "message": "No such column."})
            continue
        if col in used:
            details.append(
                {
                    "path": f"mapping.{field}",
                    "code": "INVALID",
                    "message": f"The column is already used for {domain.FIELDS[used[col]]}.",
                }
            )
            continue
        used[col] = field
        out[field] = col
    for field in domain.missing_fields(out):
        details.append(
            {
                "path": f"mapping.{field}",
                "code": "REQUIRED",
                "message": f"Choose the column of {domain.FIELDS[field]}.",
            }
        )
    if details:
        raise ValidationFailed(details, "The column mapping is not complete.")
    return out


# --- starting ----------------------------------------------------------------------------------------------


def import_start(
    *,
    taxpayer: Taxpayer,
    period: int,
    token: str,
    source: str,
    filename: str,
    mapping,
    header_row: int,
    user,
    by: str,
) -> Job:
    """Start the import job of a stored register."""
    if not token_of(taxpayer.id, token) or not stored(token, source):
        raise gone()
    with transaction.atomic():
        return job_start(
            kind="recon_import",
            taxpayer=taxpayer,
            user=user,
            params={
                "gstin": taxpayer.gstin,
                "period": period,
                "token": token,
                "source": source,
                "filename": filename[:200],
                "mapping": mapping,
                "header_row": header_row,
                "by": by,
            },
        )


def json_start(*, taxpayer: Taxpayer, period: int, body, user, by: str) -> Job:
    """POST /recon/{gstin}/{period}/register: ``{"lines": [...]}`` in GSTN's field names, stored and imported
    by the same job as a file."""
    lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(lines, list):
        raise RuleViolation(
            "VALIDATION",
            'The body is {"lines": [...]}.',
            details=[{"path": "lines", "code": "REQUIRED", "message": "lines must be a list of documents."}],
            status=400,
        )
    if len(lines) > MAX_LINES:
        raise RuleViolation("TOO_LARGE", f"At most {MAX_LINES:,} lines per register.", status=413)
    token = f"{taxpayer.id}x{uuid.uuid4().hex}"
    jobfiles_dir().mkdir(parents=True, exist_ok=True)
    with open(_path(token, "json"), "w", encoding="utf-8") as fh:
        json.dump(lines, fh, default=str)
    return import_start(
        taxpayer=taxpayer,
        period=period,
        token=token,
        source="json",
        filename="",
        mapping={},
        header_row=0,
        user=user,
        by=by,
    )


# --- the job -----------------------------------------------------------------------------------------------


def _json_line(item) -> tuple[object, list[tuple[str, str]]]:
    """A JSON line's reader (GSTN's field names to ours), or what is wrong with its shape."""
    if not isinstance(item, dict):
        return None, [("", "Each line is an object with the document's fields.")]
    named = {JSON_KEYS[k]: v for k, v in item.items() if k in JSON_KEYS}
    bad = [(f, "Give text or a number.") for f, v in named.items() if isinstance(v, (dict, list))]
    return named.get, bad


def _lines(job: Job) -> Iterator[tuple[int, object, list]]:
    """``(row number, get, shape problems)`` per data row; ``get(field)`` reads that field's raw value."""
    p = job.params
    if p["source"] == "json":
        with open(_path(p["token"], "json"), encoding="utf-8") as fh:
            items = json.load(fh)
        for i, item in enumerate(items):
            yield i, *_json_line(item)
        return
    mapping = {f: int(c) for f, c in p["mapping"].items()}
    header_row = int(p["header_row"])
    for i, row in enumerate(_rows(p["token"], p["source"])):
        if i <= header_row or _blank(row):
            continue
        yield (
            i + 1,
            (
                lambda field, row=row: (
                    row[mapping[field]] if field in mapping and mapping[field] < len(row) else None
                )
            ),
            [],
        )


def _where(source: str, row: int, field: str) -> str:
    if source == "json" and not field:
        return f"lines[{row}]"
    if source == "json":
        return f"lines[{row}].{next((k for k, v in JSON_KEYS.items() if v == field), field)}"
    return f"Row {row}, {domain.FIELDS.get(field, field)}"


def _expected_rows(p: dict) -> int:
    """About how many data rows the stored file holds, for the job's progress before it is read: a CSV's
    line breaks, a sheet's declared size, a JSON list's length is only known once parsed (0)."""
    path = _path(p["token"], p["source"])
    if p["source"] == "csv":
        with open(path, "rb") as fh:
            breaks = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        return max(breaks - int(p.get("header_row", 0)) - 1, 0)
    if p["source"] == "xlsx":
        try:
            wb = load_workbook(path, read_only=True)
            try:
                return max((wb.worksheets[0].max_row or 0) - int(p.get("header_row", 0)) - 1, 0)
            finally:
                wb.close()
        except Exception:  # noqa: BLE001 - the reading pass reports a bad workbook in words
            return 0
    return 0


def _import(job: Job) -> dict:
    p = job.params
    taxpayer = Taxpayer.objects.get(id=job.taxpayer_id)
    period = int(p["period"])
    expected = _expected_rows(p)
    job_progress(job, 0, expected)
    facts, errors, skipped, n = [], [], 0, 0
    for row, get, shape in _lines(job):
        n += 1
        if n > MAX_LINES:
            raise RuleViolation("TOO_LARGE", f"At most {MAX_LINES:,} lines per register.", status=413)
        line, problems, left_out = (None, shape, False) if shape else domain.parse_line(get)
        if left_out:
            skipped += 1
        elif problems:
            for field, message in problems:
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        {"path": _where(p["source"], row, field), "code": "INVALID", "message": message}
                    )
        else:
            facts.append((row, line))
        if n % PROGRESS_EVERY == 0:
            job_progress(job, n, max(n, expected))
    if errors:
        exc = RuleViolation(
            "REGISTER_INVALID",
            "Some rows of the register are not right; nothing was imported. Correct them and upload again.",
            details=errors,
            status=400,
        )
        raise exc
    if not facts:
        raise RuleViolation(
            "REGISTER_EMPTY", "The register has no document with a supplier GSTIN.", status=400
        )
    reg, counts = register_save(
        taxpayer=taxpayer,
        period=period,
        facts=facts,
        source=p["source"],
        filename=p.get("filename", ""),
        by=p.get("by", ""),
    )
    job_progress(job, n, n)
    return {
        "register": reg.id,
        "version": reg.version,
        "lines": len(facts),
        "left_out": skipped,
        "counts": counts,
    }


def register_save(*, taxpayer: Taxpayer, period: int, facts: list, source: str, filename: str, by: str):
    """Write checked lines as the period's next version and match it, in one transaction: ``(register,
    counts per category)``."""
    from recon.services.match import register_match

    with transaction.atomic():
        lock_taxpayers([taxpayer.id])
        reg = register_new(taxpayer=taxpayer, period=period, source=source, filename=filename, by=by)
        lines_write(reg, facts)
        return reg, register_match(reg)


def register_from_lines(*, taxpayer: Taxpayer, period: int, lines: list[dict], by: str):
    """A register given as JSON lines (GSTN's field names), imported at once: the demo's and an ERP's small
    registers. Any bad line refuses the whole register (400 VALIDATION with each line's problems)."""
    facts, errors = [], []
    for i, item in enumerate(lines):
        get, shape = _json_line(item)
        line, problems, left_out = (None, shape, False) if shape else domain.parse_line(get)
        errors += [{"path": _where("json", i, f), "code": "INVALID", "message": m} for f, m in problems]
        if line is not None:
            facts.append((i, line))
    if errors:
        raise ValidationFailed(errors, "Some lines of the register are not right; nothing was imported.")
    return register_save(taxpayer=taxpayer, period=period, facts=facts, source="json", filename="", by=by)


def register_new(*, taxpayer: Taxpayer, period: int, source: str, filename: str, by: str) -> Register:
    """The period's next version, made current (call with the taxpayer locked)."""
    last = (
        Register.objects.filter(taxpayer=taxpayer, period=period)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    Register.objects.filter(taxpayer=taxpayer, period=period, current=True).update(current=False)
    return Register.objects.create(
        taxpayer=taxpayer,
        period=period,
        version=(last or 0) + 1,
        current=True,
        source=source,
        filename=filename,
        created_by=by,
        created_at=clock.now(),
    )


def lines_write(reg: Register, facts: list) -> None:
    objs = [
        Line(
            taxpayer_id=reg.taxpayer_id,
            register_id=reg.id,
            row=row,
            stin=f.stin,
            pan=f.stin[2:12],
            trdnm=f.trdnm,
            doc_type=f.doc_type,
            number=f.number,
            number_key=f.number.upper(),
            number_norm=number_norm(f.number),
            doc_date=f.doc_date,
            pos=f.pos,
            rchrg=f.rchrg,
            txval=f.txval,
            iamt=f.iamt,
            camt=f.camt,
            samt=f.samt,
            cess=f.cess,
        )
        for row, f in facts
    ]
    bulk_insert(Line, objs, batch_size=5000)
    Register.objects.filter(taxpayer_id=reg.taxpayer_id, id=reg.id).update(lines=len(objs))
    reg.lines = len(objs)


def _upload_delete(job_id: int, failure: Exception | None) -> None:
    job = Job.objects.filter(id=job_id).only("params").first()
    if job is not None and isinstance(job.params, dict) and job.params.get("token"):
        _discard(job.params["token"], job.params.get("source", ""))


@register("recon_import", finish=_upload_delete)
def _recon_import(job) -> dict:
    return _import(job)
