"""The staff admin tools page: sandbox clock, GSTR-2B generation for a period and the pending-expiry
sweep, each a job whose progress the page follows."""

from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from core.pages import is_htmx, staff_page
from core.periods import (
    IST,
    parse_period,
    period_add,
    period_code,
    period_of,
)
from jobs.models import Job
from jobs.services import job_start, jobs_for
from jobs.views import job_row
from taxpayers.domain import gstin_error, normalize_gstin


def _admin_page(request, errors: dict | None = None, form: dict | None = None, status: int = 200):
    rows = [job_row(j) for j in jobs_for(request.user, limit=20)]
    today = clock.today()
    now = clock.now().astimezone(IST)
    return render(
        request,
        "admin_tools/index.html",
        {
            "nav": "admin",
            "rows": rows,
            "errors": errors or {},
            "form": form or {"period": period_code(period_add(period_of(today), -1)), "scope": "all"},
            "clock_value": now.strftime("%d-%m-%Y %H:%M"),
            "clock_set": clock.is_sandbox_set(),
        },
        status=status,
    )


def _started(request, job: Job):
    if is_htmx(request):
        return render(request, "jobs/_progress.html", {"j": job_row(job)})
    return redirect("admin_tools")


@staff_page
def admin_tools(request):
    return _admin_page(request)


def parse_gstins(raw: str) -> tuple[list[str], list[str]]:
    """GSTINs separated by commas, spaces or new lines: the normalized list and the errors."""
    out, errors = [], []
    for item in raw.replace(",", " ").split():
        if problem := gstin_error(item):
            errors.append(f"{item}: {problem[1]}")
        else:
            out.append(normalize_gstin(item))
    return list(dict.fromkeys(out)), errors


@require_POST
@staff_page
def admin_gstr2b_generate(request):
    """R-5.2 / R-5.5: the draft 2B of a period for every GSTIN or those listed, where none exists."""
    form = {
        "period": request.POST.get("period", "").strip(),
        "scope": request.POST.get("scope", "all"),
        "gstins": request.POST.get("gstins", ""),
    }
    errors: dict[str, str] = {}
    period = None
    try:
        period = parse_period(form["period"])
    except DomainError as exc:
        errors["period"] = exc.message
    gstins = None
    if form["scope"] == "listed":
        gstins, bad = parse_gstins(form["gstins"])
        if bad:
            errors["gstins"] = "; ".join(bad)
        elif not gstins:
            errors["gstins"] = "List at least one GSTIN, or choose all GSTINs."
    if errors:
        if is_htmx(request):
            return render(request, "jobs/_refused.html", {"message": " ".join(errors.values())})
        return _admin_page(request, errors=errors, form=form, status=400)
    job = job_start(
        kind="gstr2b_generate",
        user=request.user,
        params={"period": period, "gstins": gstins, "trigger": "admin", "by": request.user.username},
    )
    return _started(request, job)


@require_POST
@staff_page
def admin_pending_expiry(request):
    """R-4.4: run the pending-expiry sweep now (the business clock decides what has expired)."""
    return _started(request, job_start(kind="pending_expiry", user=request.user, params={"by": "system"}))


@require_POST
@staff_page
def admin_clock(request):
    """R-9.4: set the sandbox business time (typed as IST) or return to real time. Runs no job (R-9.1)."""
    if not settings.IMS_SANDBOX_CLOCK:
        raise Http404("Not found")
    if request.POST.get("reset"):
        clock.clock_reset()
        return redirect("admin_tools")
    moment = _typed_moment(request.POST.get("business_at", ""))
    if moment is None:
        return _admin_page(
            request, errors={"clock": "Enter a date and time, e.g. 14-11-2025 00:00."}, status=400
        )
    moment = moment.replace(tzinfo=IST)
    if error := clock.clock_range_error(moment):
        return _admin_page(request, errors={"clock": error}, status=400)
    clock.clock_set(business_at=moment)
    return redirect("admin_tools")


def _typed_moment(raw: str) -> datetime | None:
    """Business time as typed, in UI.md's form "14-11-2025 00:00" (or a date alone, meaning 00:00); the ISO
    form "2025-11-14T00:00" is still taken. Issue 15: the browser's own date picker showed US order."""
    raw = raw.strip()
    for fmt in ("%d-%m-%Y %H:%M", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is None else None
