"""Pages of the IMS Excel round trip: upload an edited export workbook, then follow its import job (progress,
outcome, error workbook). Same checks and job as ``POST /ims/{gstin}/inward/import``."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.api import xlsx_response
from core.errors import NotFound, RuleViolation, ValidationFailed
from core.money import indian_grouping
from core.pages import rule_message
from ims import selectors
from ims.api.excel import export_start, import_start
from ims.services import excel
from jobs.models import Job, JobStatus
from jobs.services import job_visible
from taxpayers.access import Perm
from taxpayers.pages import gstin_page

ERRORS_SHOWN = 20


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _job_context(job: Job) -> dict:
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    result = job.result if isinstance(job.result, dict) else None
    errors = result.get("errors", []) if result else []
    numbers = {
        "done": job.done,
        "total": job.total,
        "processed": (result or {}).get("processed", 0),
        "unchanged": (result or {}).get("unchanged", 0),
        "refused": len(errors),
    }
    return {
        "nav": "inward",
        "job": job,
        "finished": finished,
        "result": result,
        "counts": {k: indian_grouping(str(v)) for k, v in numbers.items()},
        "errors_shown": errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(errors) - ERRORS_SHOWN),
    }


@require_POST
@gstin_page(Perm.WRITE)
def ims_import(request, taxpayer):
    """Store the workbook and start the import job; htmx gets the progress fragment, a plain form post is
    sent on to the job's page (post/redirect/get)."""
    try:
        job = import_start(request, taxpayer)
    except RuleViolation as exc:
        ctx = {"nav": "inward", "refusal": rule_message(exc)}
        if _htmx(request):  # htmx swaps only 2xx answers: the refusal is the fragment
            return render(request, "ims/_import_job.html", ctx)
        return render(request, "ims/import.html", ctx, status=exc.status)
    if _htmx(request):
        return render(request, "ims/_import_job.html", _job_context(job))
    return redirect("ims_import_job", taxpayer.gstin, job.id)


@gstin_page()
def ims_import_job(request, taxpayer, job_id: int):
    """An import job of this GSTIN: the page, or for htmx the fragment that polls itself until it ends."""
    try:
        job = job_visible(request.user, job_id)
    except NotFound:
        raise Http404("Not found")
    if job.kind != "ims_import" or job.taxpayer_id != taxpayer.id:
        raise Http404("Not found")
    ctx = _job_context(job)
    return render(request, "ims/_import_job.html" if _htmx(request) else "ims/import.html", ctx)


@gstin_page()
def ims_export(request, taxpayer):
    """ "Download Excel" on the IMS page: the workbook at once, or above the sync limit a job the page
    follows, with the file to download when it is done (issue 12: any size, never a request timeout)."""
    from jobs.views import job_row

    try:
        qs = selectors.ims_filter(recipient=taxpayer, params=request.GET)
    except ValidationFailed as exc:
        words = "; ".join(f"{d['path']}: {d['message']}" for d in exc.details)
        return render(request, "refused.html", {"message": words, "code": exc.code}, status=400)
    if qs.count() <= excel.export_sync_max():
        return xlsx_response(
            lambda fh: excel.ims_export_xlsx(qs, fh), excel.export_filename(taxpayer, "xlsx")
        )
    job = export_start(request, taxpayer)
    context = {"nav": "inward", "j": job_row(job), "what": "IMS workbook", "back_words": "Back to IMS"}
    return render(
        request, "jobs/export.html", {**context, "back": reverse("ims_inward", args=[taxpayer.gstin])}
    )
