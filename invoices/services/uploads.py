"""Large GSTR-1 uploads as jobs (issue 5; R-3.11, R-9.2, R-9.3).

``upload_receive`` checks a received file (size, declared type, first byte), stores it in the database in
1 MiB chunks — a worker on another machine reads it from there, no shared volume — and starts the
``gstr1_upload`` job, at most one queued or running per GSTIN. The job surveys the stored file once
(syntax, top-level keys, document count), then reads each big section entry by entry with ijson (never
``json.load`` of the whole file, never a second copy of the raw bytes) into ``documents_save``, which
validates, plans and writes it chunk by chunk in one transaction: the same rules as the synchronous
endpoint, all or nothing (issue 12). The stored bytes are deleted when the job ends. ``upload_sections``
(whole top-level sections) is the customs feed's reader.
"""

import re
from collections import Counter

import ijson
from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.db import connection, transaction

from core import clock
from core.collector import fewer_collections
from core.db import copy_rows
from core.errors import RuleViolation, ValidationFailed
from core.text import clean_json
from ims.models import Channel
from invoices.domain.gstr1 import UNREGISTERED_SECTIONS, parse_gstr1_sections
from invoices.models import Upload, UploadChunk, UploadStatus
from jobs.models import Job
from jobs.runner import register
from jobs.services import job_progress, job_start, upload_slot_claim
from taxpayers.models import Taxpayer

from .documents import WRITE_CHUNK, documents_save

JOB_KIND = "gstr1_upload"
# API.md: a GSTR-1 JSON file of up to 100 MB. Tests lower it with the setting GSTR1_UPLOAD_MAX_BYTES.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
# A failed upload lists this many errors in its job; the summary counts all of them by code.
ERRORS_SHOWN = 1_000
# Declared types a JSON file arrives with from browsers and HTTP clients; the content decides the rest.
ACCEPTED_TYPES = frozenset({"application/json", "text/plain", "application/octet-stream"})
# A multipart body is the file plus boundaries and headers: refuse a request clearly larger at once.
MULTIPART_SLACK = 64 * 1024
BOM = b"\xef\xbb\xbf"
WHITESPACE = b" \t\r\n"
PHASES = 3  # progress counts each document three times: parsed, validated, saved


def max_upload_bytes() -> int:
    return int(getattr(settings, "GSTR1_UPLOAD_MAX_BYTES", MAX_UPLOAD_BYTES))


def too_large(size: int | None = None, what: str = "GSTR-1") -> RuleViolation:
    limit = max_upload_bytes()
    got = f"The file is {size:,} bytes; " if size is not None else "The request is larger than the limit; "
    most = f"a {what} upload may be at most {limit:,} bytes ({limit // 2**20} MiB)."
    return RuleViolation("TOO_LARGE", got + most, status=413)


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Every uploaded file goes to a temporary file on disk, never into memory, and reading stops as soon
    as the body passes the limit (``exceeded`` then says so)."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = max_upload_bytes() if limit is None else limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def install_upload_handler(request) -> LimitedUploadHandler:
    """Call before the body is read (a view's ``dispatch``, or a ``csrf_exempt`` wrapper)."""
    handler = LimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


def check_request_size(meta) -> None:
    """413 before reading anything when Content-Length already says the body is too large."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_upload_bytes() + MULTIPART_SLACK:
        raise too_large()


def _first_byte(file) -> bytes:
    """The first byte that is not whitespace (after a UTF-8 byte-order mark), or b"" for an empty file."""
    file.seek(0)
    head = file.read(len(BOM))
    if head != BOM:
        file.seek(0)
    while block := file.read(64 * 1024):
        stripped = block.lstrip(WHITESPACE)
        if stripped:
            return stripped[:1]
    return b""


GSTR1_SHAPE = '{"gstin": …, "fp": …, "b2b": […], …}'


def check_file(file, what: str = "GSTR-1", shape: str = GSTR1_SHAPE) -> None:
    """TOO_LARGE, or UNSUPPORTED_FORMAT for a file that is not JSON whatever it claims to be. ``what`` names
    the kind of file in the words of a refusal, ``shape`` shows the JSON it should be."""
    if file is None:
        raise ValidationFailed(
            [{"path": "file", "code": "REQUIRED", "message": f"Attach the {what} JSON file as 'file'."}]
        )
    if file.size > max_upload_bytes():
        raise too_large(file.size, what)
    declared = (file.content_type or "").split(";")[0].strip().lower()
    if declared and declared not in ACCEPTED_TYPES:
        raise RuleViolation(
            "UNSUPPORTED_FORMAT",
            f"The file is declared as {declared}; upload {what} JSON (application/json).",
            status=400,
        )
    first = _first_byte(file)
    if first != b"{":
        problem = "is empty" if not first else "does not start with '{'"
        raise RuleViolation(
            "UNSUPPORTED_FORMAT",
            f"The file {problem}: {what} JSON is one JSON object, {shape}. Nothing was stored.",
            status=400,
        )


def store_upload(*, taxpayer: Taxpayer | None, period: int, file) -> Upload:
    """The checked file stored in 1 MiB chunks (any worker reads it from the database), in the caller's
    transaction."""
    upload = Upload.objects.create(
        taxpayer=taxpayer,
        period=period,
        name=(getattr(file, "name", "") or "")[:255],
        size=file.size,
        created_at=clock.now(),
    )
    file.seek(0)
    for seq, piece in enumerate(file.chunks(CHUNK_BYTES)):
        UploadChunk.objects.create(upload=upload, seq=seq, data=piece)
    return upload


def upload_receive(*, taxpayer: Taxpayer, period: int, file, user) -> Job:
    """Check and store the file and start its job, or refuse. One upload job per GSTIN at a time: the
    taxpayer row is locked while checking, so two requests cannot both pass (R-9.2)."""
    check_file(file)
    with transaction.atomic():
        upload_slot_claim(taxpayer=taxpayer)
        upload = store_upload(taxpayer=taxpayer, period=period, file=file)
        by = user.username if user is not None and user.is_authenticated else "system"
        return job_start(
            kind=JOB_KIND,
            taxpayer=taxpayer,
            user=user,
            params={"upload_id": upload.id, "period": period, "by": by, "name": upload.name},
        )


# --- the job -------------------------------------------------------------------------------------


class ChunkReader:
    """A read-only binary file over an upload's chunks: one chunk (1 MiB) in memory at a time."""

    def __init__(self, upload_id: int):
        self.upload_id = upload_id
        self.seq = 0
        self.buf = b""
        self.pos = 0
        self.consumed = 0

    def _next_chunk(self) -> bool:
        data = (
            UploadChunk.objects.filter(upload_id=self.upload_id, seq=self.seq)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            return False
        self.buf = bytes(data)
        if self.seq == 0 and self.buf.startswith(BOM):
            self.buf = self.buf[len(BOM) :]
        self.seq += 1
        self.pos = 0
        return True

    def read(self, n: int = -1) -> bytes:
        if n == 0:
            return b""
        if n < 0:
            return b"".join(iter(lambda: self.read(CHUNK_BYTES), b""))
        while self.pos >= len(self.buf):
            if not self._next_chunk():
                return b""
        out = self.buf[self.pos : self.pos + n]
        self.pos += len(out)
        self.consumed += len(out)
        return out


class UploadInvalid(ValidationFailed):
    """R-3.11 with a cap: the first ERRORS_SHOWN errors, and counts of all of them by code."""

    def __init__(self, errors: list[dict]):
        message = "The request has errors; nothing was saved."
        if len(errors) > ERRORS_SHOWN:
            message += f" The first {ERRORS_SHOWN:,} of {len(errors):,} errors are listed."
        super().__init__(errors[:ERRORS_SHOWN], message)
        self.all_errors = errors
        self.summary = {
            "total_errors": len(errors),
            "by_code": dict(sorted(Counter(e["code"] for e in errors).items())),
        }


def _json_error_text(exc: Exception) -> str:
    text = str(exc)
    if text[:2] in ("b'", 'b"'):
        text = text[2:]
    return re.split(r"\\n|\n", text, maxsplit=1)[0].strip().rstrip(".") or "unexpected end of file"


def failure_path(upload_id: int) -> str:
    """Where the parser stopped, as a payload path (``b2b[3].inv[17].itms``); a second, event-by-event
    pass run only for a malformed file, in constant memory."""
    stack: list[list] = []  # ["map", key] or ["array", index]

    def bump():
        if stack and stack[-1][0] == "array":
            stack[-1][1] += 1

    try:
        for _prefix, event, value in ijson.parse(ChunkReader(upload_id), use_float=False):
            if event == "map_key":
                stack[-1][1] = value
            elif event in ("start_map", "start_array"):
                bump()
                stack.append(["map", None] if event == "start_map" else ["array", -1])
            elif event in ("end_map", "end_array"):
                stack.pop()
            else:
                bump()
    except (ijson.JSONError, UnicodeDecodeError):
        path = ""
        for kind, at in stack:
            if kind == "map" and at is not None:
                path += f".{at}" if path else str(at)
            elif kind == "array" and at >= 0:
                path += f"[{at}]"
        return path
    return ""


def _invalid_json(upload_id: int, exc: Exception) -> UploadInvalid:
    message = f"The file is not valid JSON ({_json_error_text(exc)}); nothing was saved."
    return UploadInvalid([{"path": failure_path(upload_id), "code": "INVALID", "message": message}])


def upload_sections(upload_id: int):
    """The top-level ``(key, value)`` pairs of the stored file, one whole section at a time, numbers as
    Decimal; a malformed file raises UploadInvalid (code INVALID at the path the parser reached)."""
    pairs = ijson.kvitems(ChunkReader(upload_id), "", use_float=False)
    while True:
        try:
            pair = next(pairs)
        except StopIteration:
            return
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise _invalid_json(upload_id, exc)
        yield pair
        del pair  # the section just validated is not kept while the next one is parsed


# Sections whose entries are documents or groups of them: read entry by entry, never whole (issue 12).
STREAMED = frozenset({"b2b", "b2ba", "cdnr", "cdnra"}) | UNREGISTERED_SECTIONS
_STREAM = object()  # a survey's mark for a section read later, entry by entry
_DOC_LISTS = ("inv", "nt")


def survey(upload_id: int) -> tuple[list[tuple[str, object]], int]:
    """One pass over the stored file, event by event: the top-level keys in the file's order, each with
    its value — built, except a streamed section's list, marked to be read later — and how many documents
    the file holds (progress). The whole file's syntax is checked here, before anything is validated."""
    heads: list[tuple[str, object]] = []
    documents = depth = 0  # depth 1: inside the root object
    key = entry_key = builder = None
    streamed = False
    try:
        for event, value in ijson.basic_parse(ChunkReader(upload_id), use_float=False):
            if event == "start_map" or event == "start_array":
                depth += 1
                if depth == 2:  # a top-level value begins
                    streamed = event == "start_array" and key in STREAMED
                    builder = None if streamed else ijson.ObjectBuilder()
                elif streamed and depth == 5 and entry_key in _DOC_LISTS:
                    documents += 1  # a document of a group's inv or nt list
            elif event == "end_map" or event == "end_array":
                depth -= 1
            elif depth == 1:
                if event == "map_key":
                    key = value
                else:  # a top-level scalar
                    heads.append((key, value))
                continue
            elif depth == 3 and event == "map_key":
                entry_key = value
            if builder is not None and depth >= 1:
                builder.event(event, value)
            if depth == 1 and (event == "end_map" or event == "end_array"):  # the top-level value ended
                heads.append((key, _STREAM if streamed else builder.value))
                if builder is not None:
                    documents += count_documents({key: builder.value})
                builder = None
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise _invalid_json(upload_id, exc)
    return heads, documents


def gstr1_sections(upload_id: int, heads: list[tuple[str, object]]):
    """The top-level ``(key, value)`` pairs of a surveyed file; a streamed section's value is an iterator
    over its entries, each read from the stored file when the validator reaches it (one pass of the file
    per streamed section, one entry in memory at a time)."""
    keys = [k for k, _ in heads]
    for key, value in heads:
        if value is not _STREAM:
            yield key, value
        elif keys.count(key) > 1:
            message = f"'{key}' appears more than once in the file: put all its entries in one list."
            raise UploadInvalid([{"path": key, "code": "INVALID", "message": message}])
        else:
            yield key, ijson.items(ChunkReader(upload_id), f"{key}.item", use_float=False)


def count_documents(payload: dict) -> int:
    n = 0
    for key, value in payload.items():
        groups = value
        if key in ("ecom", "ecoma") and isinstance(value, dict):
            groups = [g for v in value.values() if isinstance(v, list) for g in v]
        if not isinstance(groups, list):
            continue
        for g in groups:
            if isinstance(g, dict):
                n += sum(len(g[k]) for k in ("inv", "nt") if isinstance(g.get(k), list))
    return n


class BatchNumbers:
    """R-3.2 within a streamed batch (issue 12: memory flat in the size of the file): the validator's keys
    ("owner fy series NUMBER") and the paths that use them go, a chunk at a time, into a temporary table of
    the job's transaction instead of a dict that would hold one per document. A call takes a chunk's
    ``(key, path)`` pairs in request order and answers the repeats: ``(index in the chunk, path of the
    key's first use)``, a repeat within the chunk or of an earlier one. Two statements per chunk, indexed
    probes only (the primary key finds the chunk's rows, the key index each one's first use)."""

    TABLE = "gstr1_batch_numbers"

    def __init__(self):
        self.count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.TABLE} (at integer PRIMARY KEY, key text NOT NULL, "
                "path text NOT NULL) ON COMMIT DROP"
            )
            cursor.execute(f"CREATE INDEX ON {self.TABLE} (key, at)")

    def __call__(self, pairs: list[tuple[str, str]]) -> list[tuple[int, str]]:
        start = self.count
        copy_rows(self.TABLE, ("at", "key", "path"), ((start + i, k, p) for i, (k, p) in enumerate(pairs)))
        self.count += len(pairs)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.at - %(start)s, f.path FROM {self.TABLE} c CROSS JOIN LATERAL "
                f"(SELECT p.at, p.path FROM {self.TABLE} p WHERE p.key = c.key ORDER BY p.at LIMIT 1) f "
                "WHERE c.at >= %(start)s AND f.at < c.at ORDER BY c.at",
                {"start": start},
            )
            return cursor.fetchall()


def upload_finished(job_id: int, failure: Exception | None) -> None:
    """Whatever the outcome: the stored bytes go; a failed upload keeps every error for the error file."""
    job = Job.objects.filter(id=job_id).only("params").first()
    upload_id = (job.params or {}).get("upload_id") if job else None
    if upload_id is None:
        return
    UploadChunk.objects.filter(upload_id=upload_id).delete()
    Upload.objects.filter(id=upload_id).update(
        status=UploadStatus.FAILED if failure is not None else UploadStatus.SUCCEEDED,
        errors=clean_json(failure.all_errors) if isinstance(failure, UploadInvalid) else None,
    )


@register(JOB_KIND, finish=upload_finished)
def gstr1_upload_run(job: Job) -> dict:
    """Survey the file (its syntax and size), then validate, plan and write it chunk by chunk, all or
    nothing (issue 12: memory flat in the size of the file). Progress counts each document three times:
    read (known once the survey ends), validated, saved."""
    params = job.params
    supplier = job.taxpayer
    job_progress(job, 0, 0)
    parsed = 0

    def parse(**rules):
        nonlocal parsed
        heads, parsed = survey(params["upload_id"])
        job_progress(job, parsed, max(parsed, 1) * PHASES)
        sections = gstr1_sections(params["upload_id"], heads)
        # R-3.2's keys in the database on PostgreSQL (issue 12); the embedded SQLite keeps them in memory.
        numbers = BatchNumbers() if connection.vendor == "postgresql" else None
        return parse_gstr1_sections(
            sections,
            supplier_gstin=supplier.gstin,
            period=params["period"],
            chunk=WRITE_CHUNK,
            numbers=numbers,
            **rules,
        )

    def progress(documents: int) -> None:
        total = max(parsed, 1) * PHASES
        job_progress(job, min(total, parsed + 2 * documents), total)

    try:
        with fewer_collections():
            result = documents_save(
                supplier=supplier,
                period=params["period"],
                by=params["by"],
                channel=Channel.UPLOAD,
                parse=parse,
                progress=progress,
            )
    except UploadInvalid:
        raise
    except ValidationFailed as exc:
        raise UploadInvalid(exc.details)
    total = max(parsed, 1) * PHASES
    job_progress(job, total, total)
    return result
