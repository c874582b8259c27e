"""The GSTR-1 large-file upload page (issue 5): the file goes to the same service as ``POST …/uploads``,
the page follows the job with the shared progress fragment and shows its outcome — counts, or the errors
(first 50, counts by code) with every error as a JSON download."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.errors import NotFound, RuleViolation
from core.pages import page_period, rule_message
from core.periods import period_code
from invoices.models import Upload
from invoices.services import uploads
from jobs.models import Job, JobStatus
from jobs.services import job_visible
from jobs.views import job_row
from taxpayers.access import Perm
from taxpayers.pages import can, gstin_page

ERRORS_LISTED = 50
FORM_LABELS = {"GSTR1": "GSTR-1", "IFF": "IFF", "GSTR1A": "GSTR-1A"}


@csrf_exempt
def gstr1_uploads(request, gstin, period):
    """CSRF is checked inside, once the size-capped, disk-only upload handler is in place (reading the
    token parses the body)."""
    if request.method == "POST":
        request.upload_limit = uploads.install_upload_handler(request)
    return _gstr1_uploads(request, gstin, period)


@csrf_protect
@gstin_page()
def _gstr1_uploads(request, taxpayer, period):
    p = page_period(period)
    refusal, status = None, 200
    if request.method == "POST":
        if not can(request, Perm.WRITE):
            raise PermissionDenied("Your role does not allow this.")
        try:
            uploads.check_request_size(request.META)
            file = request.FILES.get("file")
            if request.upload_limit.exceeded:
                raise uploads.too_large()
            job = uploads.upload_receive(taxpayer=taxpayer, period=p, file=file, user=request.user)
        except RuleViolation as exc:
            refusal, status = rule_message(exc), exc.status
        else:
            url = reverse("gstr1_uploads", args=[taxpayer.gstin, period_code(p)])
            return redirect(f"{url}?job={job.id}")
    job = _upload_job(request, taxpayer, request.GET.get("job"))
    ctx = {
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "refusal": refusal,
        "max_mib": uploads.max_upload_bytes() // 2**20,
        "recent": Job.objects.filter(kind=uploads.JOB_KIND, taxpayer=taxpayer).order_by("-id")[:5],
    }
    if job is not None:
        ctx.update(outcome_context(job))
    return render(request, "gstr1/upload.html", ctx, status=status)


def _upload_job(request, taxpayer, raw) -> Job | None:
    if not raw or not raw.isdigit() or len(raw) > 18:
        return None
    try:
        job = job_visible(request.user, int(raw))
    except NotFound:
        raise Http404("Not found")
    if job.kind != uploads.JOB_KIND or job.taxpayer_id != taxpayer.id:
        raise Http404("Not found")
    return job


def outcome_context(job: Job) -> dict:
    error = job.error or {}
    details = error.get("details") or []
    by_code = (error.get("summary") or {}).get("by_code")
    if by_code is None:
        by_code = {}
        for d in details:
            by_code[d.get("code", "")] = by_code.get(d.get("code", ""), 0) + 1
    result = job.result or {}
    return {
        "job": job,
        "j": job_row(job),
        "finished": job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED),
        "result": result,
        "form_label": FORM_LABELS.get(result.get("form"), result.get("form")),
        "error": error,
        "errors_listed": details[:ERRORS_LISTED],
        "total_errors": (error.get("summary") or {}).get("total_errors", len(details)),
        "by_code": sorted(by_code.items()),
    }


@gstin_page()
def gstr1_upload_outcome(request, taxpayer, period, job_id):
    """The outcome fragment: polled by the page until the job has finished, then static."""
    page_period(period)
    job = _upload_job(request, taxpayer, str(job_id))
    return render(request, "gstr1/_upload_outcome.html", {"code": period, **outcome_context(job)})


@login_required
def job_errors_json(request, job_id):
    """Every error of a failed job as a JSON file (an upload's full list; other jobs' error details)."""
    try:
        job = job_visible(request.user, job_id)
    except NotFound:
        raise Http404("Not found")
    error = job.error or {}
    errors = error.get("details") or []
    if job.kind == uploads.JOB_KIND:
        upload_id = (job.params or {}).get("upload_id")
        stored = Upload.objects.filter(id=upload_id).values_list("errors", flat=True).first()
        if stored:
            errors = stored
    body = {
        "job": job.id,
        "status": job.status,
        "code": error.get("code"),
        "message": error.get("message"),
        "summary": error.get("summary") or {"total_errors": len(errors)},
        "errors": errors,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="job-{job.id}-errors.json"'
    return response
