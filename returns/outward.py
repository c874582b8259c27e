"""The supplier's IMS Outward view (R-7.1) in words, for the page and its Excel download (issue 15): each
document with its recipient's action, the counts by action of the filtered documents, and the workbook —
written row by row (openpyxl write-only mode); above the sync limit by the ``outward_export`` job."""

from django.conf import settings
from openpyxl import Workbook

from core.templatetags.portal import period_label
from core.words import pos_label
from ims import domain as ims_domain
from ims.models import Action, Section
from ims.services.excel import money_cell, xlsx_value
from invoices.selectors import outward_counts, outward_filter, outward_rows
from jobs.files import job_file_write
from jobs.runner import register
from jobs.services import job_progress
from taxpayers.selectors import trade_names

IMS_SECTION_NAMES = dict(Section.choices)
ACTION_NAMES = dict(Action.choices)
KEPT_OUT_REASONS = {
    "P": "ITC not available: place of supply is the supplier's state, not the recipient's",
    "C": "Filed after the section 16(4) time limit",
}
FILTER_KEYS = ("period", "ctin", "q", "section", "action")
EXPORT_CHUNK = 2_000
HEADER = [
    "Return period",
    "Section",
    "Document number",
    "Document date",
    "Original number",
    "Recipient GSTIN",
    "Recipient trade name",
    "Place of supply",
    "Document value (₹)",
    "Taxable value (₹)",
    "Total tax (₹)",
    "Form",
    "Status",
    "Recipient's action",
    "Remarks",
    "2B period",
]
MONEY_COLUMNS = {HEADER.index(h) for h in ("Document value (₹)", "Taxable value (₹)", "Total tax (₹)")}


def outward_line(doc, rec, names: dict) -> dict:
    """One document as the page and the workbook show it."""
    shown = rec is not None and not rec.kept_out
    if rec is not None and rec.kept_out:
        state = "Kept out of IMS"
    elif shown:
        state = "Deemed accepted" if rec.deemed_accepted else ACTION_NAMES[rec.action]
    else:
        state = "Recipient not registered here"
    return {
        "doc": doc,
        "section": IMS_SECTION_NAMES[
            ims_domain.ims_section(gstr1_section=doc.section, doc_type=doc.doc_type)
        ],
        "name": names.get(doc.ctin, ""),
        "rec": rec,
        "action": rec.action if shown else None,
        "action_name": ACTION_NAMES[rec.action] if shown else "",
        "state": state,
        "tax": doc.iamt + doc.camt + doc.samt + doc.csamt,
        "kept_out": rec is not None and rec.kept_out,
        "kept_out_reason": KEPT_OUT_REASONS.get(rec.rsn or "", "Reverse charge") if rec else "",
    }


def outward_lines(rows) -> list[dict]:
    names = trade_names(d.ctin for d, _ in rows)
    return [outward_line(doc, rec, names) for doc, rec in rows]


def action_counts(*, supplier, params) -> list[dict]:
    """The filtered documents counted by their recipients' action (the action filter itself left out, so
    every count stays visible while one is chosen), in the tiles' order."""
    wider = {k: params.get(k) for k in FILTER_KEYS if k != "action" and params.get(k)}
    counts = outward_counts(outward_filter(supplier=supplier, params=wider))
    out = [{"action": a, "label": ACTION_NAMES[a], "n": counts.get(a, 0)} for a in ims_domain.ACTIONS]
    out.append({"action": "", "label": "Not in a recipient's IMS", "n": counts.get(None, 0)})
    return out


def export_sync_max() -> int:
    """Above this many documents the workbook is written by a job (setting OUTWARD_EXPORT_SYNC_MAX)."""
    return int(getattr(settings, "OUTWARD_EXPORT_SYNC_MAX", 10_000))


def workbook_name(supplier) -> str:
    return f"IMS_Outward_{supplier.gstin}.xlsx"


def outward_workbook(qs, out, progress=None) -> None:
    """The documents of ``qs`` (an outward_filter query) with their recipients' actions, one sheet."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("IMS Outward")
    ws.freeze_panes = "D2"
    ws.append(HEADER)
    written = 0
    for rows in outward_rows(qs, chunk=EXPORT_CHUNK):
        for line in outward_lines(rows):
            d, r = line["doc"], line["rec"]
            values = [
                period_label(d.period),
                line["section"],
                d.number,
                d.doc_date.strftime("%d-%m-%Y"),
                d.orig_number or "",
                d.ctin,
                line["name"],
                pos_label(d.pos),
                d.val,
                d.txval,
                line["tax"],
                d.get_form_display(),
                "Filed" if d.filed_at else "Saved",
                line["state"],
                (r.remarks or "")
                if line["action"]
                else (line["kept_out_reason"] if line["kept_out"] else ""),
                period_label(r.itc_period) if r is not None else "",
            ]
            ws.append(
                [money_cell(ws, v) if i in MONEY_COLUMNS else xlsx_value(ws, v) for i, v in enumerate(values)]
            )
            written += 1
        if progress is not None:
            progress(written)
    wb.save(out)


@register("outward_export")
def _outward_export_job(job) -> dict:
    """The IMS Outward workbook of the filtered documents, written to a job file."""
    qs = outward_filter(supplier=job.taxpayer, params=job.params.get("filter") or {})
    total = qs.count()
    job_progress(job, 0, total)
    url = job_file_write(
        job.id,
        workbook_name(job.taxpayer),
        lambda fh: outward_workbook(qs, fh, progress=lambda n: job_progress(job, min(n, total), total)),
    )
    job_progress(job, total, total)
    return {"documents": total, "file": url}
