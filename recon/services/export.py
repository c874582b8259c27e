"""The reconciliation as an Excel workbook (issue 16, item 4): one row per line or record — category, how it
was paired, the differing fields, both sides, the differences and the proposed action — and a sheet per
category count. Written in openpyxl's write-only mode; a large register is written by a job."""

from django.conf import settings
from openpyxl import Workbook

from core import clock
from core.periods import business_date, format_date, period_code
from ims.models import Action
from ims.services.excel import money_cell, xlsx_value
from jobs.files import job_file_write
from jobs.models import Job
from jobs.runner import register
from jobs.services import job_progress, job_start
from recon import domain
from recon.models import Category, How, Match, Register
from recon.selectors import chunks, rows, summary
from recon.services.apply import propose
from recon.services.match import settings_for
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

CHUNK = 2000
SIDE = ["GSTIN", "Name", "Type", "Number", "Date", "Taxable value", "IGST", "CGST", "SGST", "Cess"]
HEADER = [
    "Category",
    "Paired by",
    "Differing fields",
    *(f"Books: {h}" for h in SIDE),
    *(f"IMS: {h}" for h in SIDE),
    "IMS action now",
    "Date difference (days)",
    *(f"Difference: {h}" for h in ("Taxable value", "IGST", "CGST", "SGST", "Cess")),
    "Proposed action",
    "Proposed remarks",
]


def sync_max() -> int:
    """Above this many rows the workbook is written by a job (setting RECON_EXPORT_SYNC_MAX)."""
    return int(getattr(settings, "RECON_EXPORT_SYNC_MAX", 10_000))


def export_job(reg: Register, taxpayer: Taxpayer, user) -> Job | None:
    """The export job of a register above ``sync_max`` rows (started), or None: write it in the request."""
    if Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg).count() <= sync_max():
        return None
    return job_start(kind="recon_export", taxpayer=taxpayer, user=user, params={"register": reg.id})


def filename(reg: Register, gstin: str) -> str:
    return f"reconciliation-{gstin}-{period_code(reg.period)}-v{reg.version}.xlsx"


def _side(ws, obj) -> list:
    if obj is None:
        return [None] * len(SIDE)
    return [
        obj.stin,
        xlsx_value(ws, obj.trdnm),
        obj.get_doc_type_display(),
        xlsx_value(ws, obj.number),
        format_date(obj.doc_date),
        *(money_cell(ws, getattr(obj, f)) for f in domain.AMOUNTS),
    ]


def write(reg: Register, out, progress=None) -> int:
    taxpayer = Taxpayer.objects.get(id=reg.taxpayer_id)
    st, cal = settings_for(taxpayer.id), Calendar(taxpayer)
    today = business_date(clock.now())
    wb = Workbook(write_only=True)
    head = wb.create_sheet("Summary")
    s = summary(reg)
    head.append(
        [
            f"Reconciliation of {taxpayer.gstin}, period {period_code(reg.period)}, "
            f"register version {reg.version}"
        ]
    )
    for c in Category:
        head.append([c.label, s.counts[c.value]])
    head.append(["Match rate (%)", float(s.match_rate) if s.match_rate is not None else None])
    head.append(["Tax in IMS not in books", money_cell(head, s.ims_only_tax)])
    head.append(["Tax in books not in IMS", money_cell(head, s.books_only_tax)])
    ws = wb.create_sheet("Reconciliation")
    ws.append(HEADER)
    n = 0
    for m in (m for part in chunks(reg, rows(reg), CHUNK) for m in part):
        p = propose(m, register=reg, st=st, cal=cal, today=today)
        diffs = [
            money_cell(ws, v) if v is not None else None
            for v in (m.d_txval, m.d_iamt, m.d_camt, m.d_samt, m.d_cess)
        ]
        ws.append(
            [
                Category(m.category).label,
                How(m.how).label if m.how else "",
                ", ".join(domain.differing_words(m.fields)),
                *_side(ws, m.line),
                *_side(ws, m.record),
                Action(m.record.action).label if m.record else None,
                m.d_days,
                *diffs,
                Action(p.action).label if p.action else "",
                xlsx_value(ws, p.remarks or ""),
            ]
        )
        n += 1
        if progress is not None and n % CHUNK == 0:
            progress(n)
    wb.save(out)
    return n


@register("recon_export")
def _recon_export(job) -> dict:
    reg = Register.objects.get(id=job.params["register"], taxpayer_id=job.taxpayer_id)
    total = Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg).count()
    job_progress(job, 0, total)
    url = job_file_write(
        job.id,
        filename(reg, job.taxpayer.gstin),
        lambda fh: write(reg, fh, progress=lambda n: job_progress(job, min(n, total), total)),
    )
    job_progress(job, total, total)
    return {"rows": total, "file": url}
