"""Pages of jobs: the list, one job, and the progress fragment pages poll with htmx until the job ends."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from core.errors import NotFound
from core.money import indian_grouping
from core.periods import period_code
from jobs.models import Job, JobKind, JobStatus
from jobs.runner import REFUSAL_NAMERS
from jobs.services import job_visible, jobs_for

REFUSALS_SHOWN = 10


JOB_KINDS = dict(JobKind.choices)


def count(n: int) -> str:
    """Counts in Indian grouping: 1,23,456."""
    return indian_grouping(str(int(n)))


def job_summary(job: Job) -> str:
    """The outcome of a job in one line."""
    if job.status == JobStatus.FAILED:
        err = job.error or {}
        return f"Failed: {err.get('message', 'the job stopped.')}"
    if job.status != JobStatus.SUCCEEDED:
        return ""
    r = job.result or {}
    if job.kind == "gstr2b_recompute":
        return f"GSTR-2B version {r.get('version')} generated."
    if job.kind == "gstr2b_generate":
        skipped: dict[str, int] = {}
        for s in r.get("skipped", []):
            skipped[s["reason"]] = skipped.get(s["reason"], 0) + 1
        why = ", ".join(f"{reason}: {count(n)}" for reason, n in sorted(skipped.items()))
        generated, skips = count(len(r.get("generated", []))), count(sum(skipped.values()))
        text = f"Generated for {generated} GSTINs; skipped {skips}"
        return text + (f" ({why})." if why else ".")
    if job.kind == "pending_expiry":
        return f"{count(r.get('expired', 0))} pending records expired to No action."
    if job.kind == "ims_bulk":
        refused = len(r.get("errors", []))
        return f"Records processed: {count(r.get('processed', 0))}; refused: {count(refused)}."
    if job.kind == "ims_import":
        refused = len(r.get("errors", []))
        text = f"Rows applied: {count(r.get('processed', 0))}; unchanged: {count(r.get('unchanged', 0))}; "
        return text + f"refused: {count(refused)}."
    return "; ".join(f"{k}: {v}" for k, v in r.items() if not isinstance(v, list | dict)) or "Finished."


def record_refusals(result) -> list[dict]:
    errors = result.get("errors") if isinstance(result, dict) else None
    return [e for e in errors if isinstance(e, dict) and "id" in e] if isinstance(errors, list) else []


def job_row(job: Job) -> dict:
    """A job as the pages show it: progress in words, outcome, and where its result is."""
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    period = job.params.get("period") if isinstance(job.params, dict) else None
    link = None
    if job.kind == "gstr2b_recompute" and job.taxpayer and period and job.status == JobStatus.SUCCEEDED:
        link = reverse("gstr2b_period", args=[job.taxpayer.gstin, period_code(period)])
        link += f"?version={(job.result or {}).get('version')}"
    file = (
        (job.result or {}).get("file")
        if job.status == JobStatus.SUCCEEDED and isinstance(job.result, dict)
        else None
    )
    return {
        "job": job,
        "file": file,
        "kind": JOB_KINDS.get(job.kind, job.kind),
        "finished": finished,
        "progress": f"{count(job.done)} of {count(job.total)}" if job.total else "",
        "summary": job_summary(job),
        "period": period,
        "link": link,
        # The first refusals of a finished batch (bulk action, import), each {"id", "code", "message"}.
        "refusals": _named(job, record_refusals(job.result)[:REFUSALS_SHOWN]) if finished else [],
    }


def _named(job: Job, refusals: list[dict]) -> list[dict]:
    """The refusals with the words their kind's namer gives each record (one query), where it has one."""
    namer = REFUSAL_NAMERS.get(job.kind)
    if not refusals or namer is None:
        return refusals
    names = namer(job, [e["id"] for e in refusals if isinstance(e.get("id"), int)])
    return [{**e, "document": names.get(e.get("id"))} for e in refusals]


def _visible(request, job_id: int) -> Job:
    try:
        return job_visible(request.user, job_id)
    except NotFound:
        raise Http404("Not found")


@login_required
def jobs(request):
    rows = [job_row(j) for j in jobs_for(request.user)]
    return render(request, "jobs/list.html", {"nav": "jobs", "rows": rows})


@login_required
def job_detail(request, job_id):
    job = _visible(request, job_id)
    return render(request, "jobs/detail.html", {"nav": "jobs", "j": job_row(job)})


@login_required
def job_progress(request, job_id):
    """The polling fragment: it replaces itself every second until the job has finished."""
    job = _visible(request, job_id)
    return render(request, "jobs/_progress.html", {"j": job_row(job)})
