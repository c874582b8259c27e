"""GSTR-2B as an Excel workbook (issue 5, API.md ``GET /gstr2b/{gstin}/{period}/export?format=xlsx``).

Built from the very reply of ``GET /gstr2b`` (``gstr2b_reply``), so the workbook can never disagree with the
API: a ``Summary`` sheet with the itcsumm figures as values (no formulas), one sheet per docdata section
with its lines, and a ``Rejected`` sheet with the lines of docRejdata."""

from django.conf import settings
from openpyxl import Workbook

from core.periods import period_code
from ims.serializers import BOE_FIELD_WORDS, DECLARATION_WORDS, TAX_HEAD_WORDS
from ims.services.excel import xlsx_value
from jobs.files import job_file_write
from jobs.runner import register
from jobs.services import job_progress
from returns.domain import DOC_SECTIONS
from returns.selectors import gstr2b_line_count, gstr2b_reply, gstr2b_version

HEADS = ("txval", "igst", "cgst", "sgst", "cess")
SUMMARY_HEADER = ["Group", "Sub-group", "Section", "Taxable", "IGST", "CGST", "SGST", "Cess"]
NOTE_SECTIONS = ("cdnr", "cdnra")
AMENDMENT_SECTIONS = ("b2ba", "cdnra", "ecoma")
GROUP_COLS = ["ctin", "trdnm", "supprd", "supfildt"]
AMOUNT_COLS = ["val", "pos", "rev", "itcavl", "rsn", *HEADS, "imsStatus"]
DELTA_COLS = [f"delta.{h}" for h in HEADS]
DECL_COLS = ["itcRedReq", "declIgst", "declCgst", "declSgst", "declCess"]


BOE_COLS = [
    "id",
    "portcode",
    "boenum",
    "boedt",
    "refdt",
    "recdt",
    "isamd",
    "txval",
    "igst",
    "cess",
    "imsStatus",
]
BOE_DELTA_COLS = ["delta.txval", "delta.igst", "delta.cess"]


def _columns(section: str) -> list[str]:
    if section == "impg":
        return [*BOE_COLS, *BOE_DELTA_COLS]
    if section == "impgsez":
        return ["ctin", "trdnm", *BOE_COLS, *BOE_DELTA_COLS]
    note = section in NOTE_SECTIONS
    cols = [*GROUP_COLS, "id", "ntnum" if note else "inum", "typ", "dt", *AMOUNT_COLS]
    if section in AMENDMENT_SECTIONS:
        cols += ["ont_num", "ont_dt"] if note else ["oinum", "oidt"]
        cols += DELTA_COLS
    return cols + DECL_COLS


REJECTED_COLS = [
    "section",
    *GROUP_COLS,
    "id",
    "inum",
    "ntnum",
    "typ",
    "dt",
    *AMOUNT_COLS,
    "oinum",
    "oidt",
    "ont_num",
    "ont_dt",
    *DELTA_COLS,
    *DECL_COLS,
    "remarks",
]


# The columns' headers in words (issue 15: they were GSTN's JSON keys), tax heads as GSTN's offline tool
# names them; a key not listed keeps its name.
COLUMN_WORDS = {
    "section": "Section",
    "ctin": "GSTIN of supplier",
    "trdnm": "Trade/legal name",
    "supprd": "Supplier's return period",
    "supfildt": "Supplier's filing date",
    "id": "Record id",
    "inum": "Invoice number",
    "ntnum": "Note number",
    "typ": "Type",
    "dt": "Date",
    "val": "Document value (₹)",
    "pos": "Place of supply",
    "rev": "Reverse charge",
    "itcavl": "ITC available",
    "rsn": "Reason",
    **TAX_HEAD_WORDS,
    "imsStatus": "IMS action",
    "oinum": "Original invoice number",
    "oidt": "Original invoice date",
    "ont_num": "Original note number",
    "ont_dt": "Original note date",
    **{f"delta.{h}": f"Change in {w[0].lower()}{w[1:]}" for h, w in TAX_HEAD_WORDS.items()},
    **DECLARATION_WORDS,
    "remarks": "Remarks",
    **BOE_FIELD_WORDS,
}


def _header(cols: list[str]) -> list[str]:
    return [COLUMN_WORDS.get(c, c) for c in cols]


def _lines(docdata: dict, section: str):
    """Each line of a section as one flat dict: its supplier's fields, its own, ``delta.*``."""
    groups = docdata.get(section, [])
    if section == "impg":  # bills of entry from overseas: rows directly, no party
        groups = [{"boe": groups}]
    for group in groups:
        head = {k: group.get(k) for k in GROUP_COLS}
        key = "boe" if section in ("impg", "impgsez") else "nt" if section in NOTE_SECTIONS else "inv"
        for line in group.get(key, []):
            flat = {**head, "section": section}
            for k, v in line.items():
                if isinstance(v, dict):
                    flat.update({f"{k}.{h}": x for h, x in v.items()})
                else:
                    flat[k] = v
            yield flat


def gstr2b_workbook(reply: dict, out) -> None:
    """Write the 2B ``reply`` (API.md shape) as a workbook to the file object ``out``."""
    data = reply["data"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Summary")
    ws.append(["GSTIN", data["gstin"], "Period", data["rtnprd"], "Version", data["version"]])
    ws.append(["Generated", data["gendt"], "Status", data["status"], "Stale", "Y" if data["stale"] else "N"])
    ws.append([])
    ws.append(SUMMARY_HEADER)
    for grp, subs in data["itcsumm"].items():
        for sub, keys in subs.items():
            for key, total in keys.items():
                ws.append([grp, sub, key, *(total[h] for h in HEADS)])
    for section in DOC_SECTIONS:
        cols = _columns(section)
        ws = wb.create_sheet(section)
        ws.append(_header(cols))
        for flat in _lines(data["docdata"], section):
            ws.append([xlsx_value(ws, flat.get(c)) for c in cols])
    ws = wb.create_sheet("Rejected")
    ws.append(_header(REJECTED_COLS))
    for section in DOC_SECTIONS:
        for flat in _lines(data["docRejdata"], section):
            ws.append([xlsx_value(ws, flat.get(c)) for c in REJECTED_COLS])
    wb.save(out)


# --- large 2Bs as a job (issue 12) -----------------------------------------------------------------------


def export_sync_max() -> int:
    """Above this many lines a 2B workbook is written by a job (setting GSTR2B_EXPORT_SYNC_MAX)."""
    return int(getattr(settings, "GSTR2B_EXPORT_SYNC_MAX", 10_000))


def is_large(version) -> bool:
    return gstr2b_line_count(version) > export_sync_max()


def workbook_name(version) -> str:
    return f"GSTR2B_{version.taxpayer.gstin}_{period_code(version.period)}_v{version.version}.xlsx"


@register("gstr2b_export")
def _gstr2b_export_job(job) -> dict:
    """The workbook of one stored 2B version, written to a job file."""
    version = gstr2b_version(
        taxpayer=job.taxpayer, period=job.params["period"], version=job.params["version"]
    )
    job_progress(job, 0, 1)
    url = job_file_write(
        job.id, workbook_name(version), lambda fh: gstr2b_workbook(gstr2b_reply(version), fh)
    )
    job_progress(job, 1, 1)
    return {"version": version.version, "file": url}
