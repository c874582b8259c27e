"""GSTN's asynchronous requests over our services: IMS SAVE / RESETIMS (records named by their natural key,
applied through the same batch as /api/v1/…/actions), GEN2B (the recompute job), RETSAVE (the GSTR-1
upload job). Each answers a ``reference_id`` — the job's id — polled with REQSTS / GENSTS2B / RETSTATUS."""

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError, NotFound, RuleViolation, ValidationFailed
from core.money import parse_amount
from core.periods import parse_doc_date, parse_period
from core.text import clean_json
from gstn import domain
from ims.models import Channel, ImsRecord
from ims.services.actions import MAX_ACTIONS
from ims.services.proposals import ims_actions_submit
from invoices.services import uploads
from jobs.models import Job, JobKind
from jobs.runner import register
from jobs.services import job_progress, job_start, job_visible
from taxpayers.access import role_for
from taxpayers.models import Taxpayer

STALE_MESSAGE = "Either previous action is incorrect/ invoice might have edited by supplier"


def _bad(path: str, message: str, code: str = "INVALID") -> ValidationFailed:
    return ValidationFailed([{"path": path, "code": code, "message": message}])


def ims_request_start(*, recipient: Taxpayer, data, user, reset: bool) -> Job:
    """PUT returns/ims SAVE / RESETIMS: check the envelope's shape (at most 5,000 records, GSTN's keys),
    then apply it as a job. Records are matched when the job runs, under the recipient's lock."""
    if not isinstance(data, dict):
        raise _bad("data", "data is an object with rtin, reqtyp and invdata.")
    invdata = data.get("invdata")
    if not isinstance(invdata, dict) or not invdata:
        raise _bad("data.invdata", "invdata is an object of sections (b2b, b2bcn, …), at least one.")
    count = 0
    for key, rows in invdata.items():
        if key not in domain.SECTION_CODES.values():
            raise _bad(
                f"data.invdata.{key}",
                f"Unknown section; the sections are {', '.join(domain.SECTION_CODES.values())}.",
            )
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _bad(f"data.invdata.{key}", "A section is a list of records.")
        count += len(rows)
    if count > MAX_ACTIONS:
        raise RuleViolation("TOO_LARGE", f"At most {MAX_ACTIONS:,} records per request.", status=413)
    return job_start(
        kind=JobKind.GSTN_IMS_SAVE,
        taxpayer=recipient,
        user=user,
        params={"reset": reset, "invdata": plain(clean_json(invdata)), "by": user.username},
    )


def _number(section: str, row: dict) -> tuple[str, str]:
    """The (number key, date key) a record of ``section`` is named by."""
    if section in domain.BOE_SECTIONS:
        return "boenum", "boedt"
    if section in domain.NOTE_SECTIONS:
        return "nt_num", "nt_dt"
    return "inum", "idt"


def _natural_key(section: str, row: dict) -> tuple | None:
    num_key, date_key = _number(section, row)
    number, when = row.get(num_key), row.get(date_key)
    if not isinstance(number, str) or not number.strip():
        return None
    try:
        d = parse_doc_date(when)
    except DomainError:
        return None
    if section in domain.BOE_SECTIONS:
        return (section, number.strip().upper(), d, (row.get("portcode") or "").strip().upper())
    try:
        rtnprd = parse_period(row.get("rtnprd"))
    except DomainError:
        return None
    return (section, number.strip().upper(), d, rtnprd)


def _record_key(rec: ImsRecord) -> tuple:
    if rec.section in domain.BOE_SECTIONS:
        return (rec.section, rec.number_key, rec.doc_date, rec.portcode)
    return (rec.section, rec.number_key, rec.doc_date, rec.rtnprd)


def _same_values(rec: ImsRecord, row: dict) -> bool:
    for key in ("val", *domain.VALUE_KEYS):
        if rec.section in domain.BOE_SECTIONS and key in ("val", "camt", "samt"):
            continue
        amount = parse_amount(row.get(key)) if row.get(key) is not None else None
        if amount is None or amount != getattr(rec, key):
            return False
    return True


def _stin_matches(rec: ImsRecord, row: dict) -> bool:
    if rec.section in ("impg", "impga"):
        return True
    stin = (row.get("stin") or "").strip().upper()
    return stin in (rec.stin, rec.sply_stin)


def _candidates(recipient: Taxpayer, keys: list[tuple]) -> dict[tuple, list[ImsRecord]]:
    """Active records of the recipient that can answer ``keys``: one query per 2,000 numbers."""
    out: dict[tuple, list[ImsRecord]] = defaultdict(list)
    numbers = sorted({k[1] for k in keys})
    sections = sorted({k[0] for k in keys})
    for start in range(0, len(numbers), 2000):
        for rec in ImsRecord.objects.filter(
            recipient=recipient,
            active=True,
            section__in=sections,
            number_key__in=numbers[start : start + 2000],
        ):
            out[_record_key(rec)].append(rec)
    return out


def _ref(section: str, row: dict) -> dict:
    num_key, _ = _number(section, row)
    ref = {num_key: row.get(num_key)}
    if section not in domain.BOE_SECTIONS:
        ref["rtnprd"] = row.get("rtnprd")
    return ref


@register(JobKind.GSTN_IMS_SAVE)
def _ims_request_run(job: Job) -> dict:
    """Match each record by section, supplier, number, date and period; refuse per record (IMSSAV0010)
    what no longer matches its values or ``prev_status``; apply the rest through ims_actions_apply."""
    p = job.params
    recipient, reset = job.taxpayer, p["reset"]
    rows = [(section, row) for section, lst in p["invdata"].items() for row in lst]
    job_progress(job, 0, len(rows))
    keys = [_natural_key(section, row) for section, row in rows]
    found = _candidates(recipient, [k for k in keys if k is not None])
    errors: list[tuple[str, dict, str, str]] = []
    items, by_id = [], {}
    for (section, row), key in zip(rows, keys, strict=True):
        matches = [r for r in found.get(key, []) if _stin_matches(r, row)] if key else []
        if len(matches) != 1:
            errors.append((section, row, "NOT_FOUND", "No such record in this GSTIN's IMS."))
            continue
        rec = matches[0]
        if row.get("prev_status") != rec.action or not _same_values(rec, row):
            errors.append((section, row, "IMSSAV0010", STALE_MESSAGE))
            continue
        item = {"id": rec.id, "action": "N" if reset else row.get("action")}
        if not reset:
            if item["action"] not in ("A", "R", "P"):
                errors.append(
                    (section, row, "INVALID_ACTION", "action in SAVE is A, R or P; use RESETIMS for N.")
                )
                continue
            for key_name in ("remarks", "itcRedReq", "declIgst", "declCgst", "declSgst", "declCess"):
                if row.get(key_name) is not None:
                    item[key_name] = row[key_name]
        items.append(item)
        by_id[rec.id] = (section, row)
    processed = 0
    if items:
        # Issue 17: a preparer's SAVE under maker-checker proposes what the setting covers.
        role = role_for(job.created_by, recipient) if job.created_by_id else None
        result = ims_actions_submit(
            recipient=recipient, actions=items, role=role, by=p["by"], channel=Channel.API
        )
        processed = result["processed"]
        for err in result["errors"]:
            section, row = by_id[err["id"]]
            code = "IMSSAV0010" if err["code"] == "STALE" else err["code"]
            errors.append((section, row, code, err["message"]))
    report: dict[str, list] = {}
    grouped: dict[tuple, dict] = {}
    for section, row, code, message in errors:
        gkey = (section, (row.get("stin") or ""), code)
        if gkey not in grouped:
            grouped[gkey] = {"stin": row.get("stin") or "", "error_cd": code, "error_msg": message, "inv": []}
            report.setdefault(section, []).append(grouped[gkey])
        grouped[gkey]["inv"].append(_ref(section, row))
    job_progress(job, len(rows), len(rows))
    return {
        "transTypCd": "RST" if reset else "SAV",
        "proc_cnt": processed,
        "err_cnt": len(errors),
        "error_report": report,
    }


def request_job(user, reference, kinds: tuple[str, ...], taxpayer: Taxpayer) -> Job:
    """The job a reference_id names, of one of ``kinds`` and for this GSTIN; anything else is not found."""
    try:
        job_id = int(str(reference))
    except (TypeError, ValueError):
        raise NotFound("No such reference id.")
    job = job_visible(user, job_id)
    if job.kind not in kinds or job.taxpayer_id != taxpayer.id:
        raise NotFound("No such reference id.")
    return job


def ims_request_status(job: Job) -> dict:
    """REQSTS (§3.5): counts as strings, as GSTN sends them."""
    result = job.result or {}
    errors = result.get("err_cnt", 0)
    out = {
        "status_cd": domain.request_status(job.status, errors),
        "transTypCd": result.get("transTypCd") or ("RST" if (job.params or {}).get("reset") else "SAV"),
        "proc_cnt": str(result.get("proc_cnt", 0)),
        "err_cnt": str(errors),
        "err_cd": "",
        "err_msg": "",
        "error_report": result.get("error_report", {}),
    }
    if job.status == "failed":
        out.update(
            {"err_cd": (job.error or {}).get("code", ""), "err_msg": (job.error or {}).get("message", "")}
        )
    return out


# --- GSTR-1 RETSAVE ---------------------------------------------------------------------------------------


def gstr1_retsave(*, supplier: Taxpayer, period: int, data, user) -> Job:
    """RETSAVE: the GSTR-1 JSON goes through the upload job (the same rules, all or nothing)."""
    if not isinstance(data, dict):
        raise _bad("data", "data is the GSTR-1 JSON object.")
    raw = json.dumps(plain(clean_json(data))).encode()
    file = SimpleUploadedFile("RETSAVE.json", raw, content_type="application/json")
    return uploads.upload_receive(taxpayer=supplier, period=period, file=file, user=user)


def plain(value):
    """JSON-able: an exact Decimal becomes a float, which prints back as the same number (amounts have at
    most 15 significant digits, within a float's exact range); integral ones stay integers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def gstr1_status(job: Job) -> dict:
    """RETSTATUS (§1.1): P, IP or ER, with the refusals by section."""
    if job.status in ("queued", "running"):
        return {"status_cd": domain.RUNNING, "form_typ": "R1", "action": "SAVE"}
    if job.status == "succeeded":
        return {"status_cd": domain.PROCESSED, "form_typ": "R1", "action": "SAVE"}
    error = job.error or {}
    report: dict[str, list] = {}
    for d in error.get("details") or []:
        path = str(d.get("path", ""))
        section = path.split("[", 1)[0].split(".", 1)[0] or "gstr1"
        report.setdefault(section, []).append(
            {"error_cd": d.get("code"), "error_msg": d.get("message"), "path": path}
        )
    if not report:
        report["gstr1"] = [{"error_cd": error.get("code"), "error_msg": error.get("message"), "path": ""}]
    return {"status_cd": domain.ERROR, "form_typ": "R1", "action": "SAVE", "error_report": report}
