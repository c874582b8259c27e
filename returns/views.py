"""Pages of GSTR-2B, GSTR-3B, jobs and the staff admin tools, over the same services and selectors as the
API. Refusals are shown in words; long work is a job whose progress the page polls with htmx."""

from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ims_portal.errors import NotFound, RuleViolation
from ims_portal.pages import gstin_page, page_period
from ims_portal.templatetags.portal import indian_grouping, period_label
from returns import domain, selectors
from returns.models import Job, JobStatus
from returns.services.gstr2b import RECOMPUTE_MESSAGES, Context, gstr2b_recompute_refusal
from returns.services.gstr3b import MESSAGES as GSTR3B_MESSAGES
from returns.services.gstr3b import gstr3b_file as gstr3b_file_service
from returns.services.gstr3b import gstr3b_view
from returns.services.jobs import job_start, job_visible
from taxpayers import clock
from taxpayers.access import Perm
from taxpayers.domain import (
    IST,
    DomainError,
    gstin_error,
    normalize_gstin,
    parse_period,
    period_add,
    period_code,
    period_last_day,
    period_of,
    quarter_last_month,
)

HEADS = ("txval", "igst", "cgst", "sgst", "cess")
# A section of a 2B page shows this many lines unless all are asked for (?all=1): a 2B can hold tens of
# thousands of lines, and the totals above say the rest.
LINES_SHOWN = 500

GROUPS = (
    (
        "itcavl",
        "ITC available",
        (
            ("nonrevsup", "Part A — All other ITC: supplies from registered persons"),
            ("revsup", "Part A — Inward supplies liable to reverse charge"),
            ("othersup", "Part B — ITC reversal: credit notes and reductions"),
        ),
    ),
    (
        "itcunavl",
        "ITC not available",
        (
            ("nonrevsup", "All other supplies"),
            ("revsup", "Inward supplies liable to reverse charge"),
            ("othersup", "Credit notes and reductions"),
        ),
    ),
    (
        "itcRejected",
        "ITC rejected",
        (
            ("nonrevsup", "All other supplies"),
            ("othersup", "Credit notes and reductions"),
        ),
    ),
)
KEY_LABELS = {
    "b2b": "B2B invoices",
    "b2ba": "B2B invoices — Amendments",
    "cdnr": "Credit / Debit notes",
    "cdnra": "Credit / Debit notes — Amendments",
    "ecom": "ECO documents",
    "ecoma": "ECO documents — Amendments",
    "cdnrrev": "Credit notes — reverse charge",
}
SECTION_LABELS = {
    "b2b": "B2B invoices",
    "b2ba": "B2B invoices — Amendments",
    "cdnr": "Credit / Debit notes",
    "cdnra": "Credit / Debit notes — Amendments",
    "ecom": "ECO documents",
    "ecoma": "ECO documents — Amendments",
}
ACTION_LABELS = {"N": "No action", "A": "Accepted", "R": "Rejected", "P": "Pending"}
TRIGGER_LABELS = {
    "schedule": "Schedule (14th)",
    "admin": "Admin",
    "recompute": "Recompute",
    "3b_filed": "3B filed",
}
REFUSALS_SHOWN = 10
JOB_KINDS = {
    "gstr2b_generate": "GSTR-2B generation",
    "gstr2b_recompute": "GSTR-2B recompute",
    "pending_expiry": "Pending expiry sweep",
    "upload": "Upload",
    "gstr1_upload": "GSTR-1 upload",
    "bulk_action": "Bulk IMS action",
    "ims_bulk": "Bulk IMS action",
    "ims_import": "IMS Excel import",
}
LIABILITY_ROWS = (
    ("3_1_a", "3.1(a) Outward taxable supplies (other than zero rated, nil rated and exempted)"),
    ("3_1_1_i", "3.1.1(i) Taxable supplies on which the e-commerce operator pays tax u/s 9(5)"),
    ("3_1_d", "3.1(d) Inward supplies liable to reverse charge"),
    ("addback", "Add-back: ITC-reducing records rejected by recipients (liability added)"),
)
ITC_ROWS = (
    ("4A3", "4A(3) Inward supplies liable to reverse charge"),
    ("4A5", "4A(5) All other ITC"),
    ("4B2", "4B(2) ITC reversed — Others"),
    ("4D2", "4D(2) Ineligible ITC (ITC not available in GSTR-2B)"),
    ("net", "Net ITC available (4A − 4B)"),
)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def count(n: int) -> str:
    """Counts in Indian grouping: 1,23,456."""
    return indian_grouping(str(int(n)))


def label(p: int, ctx: Context) -> str:
    return period_label(p, ctx.calendar.quarterly(p))


# --- GSTR-2B -----------------------------------------------------------------------------------------------


def not_generated_words(reason: str, period: int, ctx: Context) -> str:
    """R-5.3 / R-5.2 / R-5.6: why no 2B exists, in the words of the portal."""
    t = ctx.taxpayer
    if reason == "PREVIOUS_3B_NOT_FILED":
        return "GSTR-3B of the previous period is not filed yet: file it first."
    if reason == "QUARTERLY_TAXPAYER":
        last = quarter_last_month(period)
        return f"Quarterly taxpayers have one GSTR-2B per quarter: see {period_label(last, True)}."
    if reason == "DRAFT_NOT_DUE":
        due = domain.draft_date(period).strftime("%d-%m-%Y")
        return f"GSTR-2B of {label(period, ctx)} is first generated on {due}."
    if reason == "BEFORE_START_PERIOD":
        start = period_label(t.ims_start_period)
        return f"This period is before the start period of {t.display_name} ({start})."
    return "GSTR-2B of this period is not generated yet; recompute it to generate it now."


def recompute_refusal_words(code: str, period: int, ctx: Context) -> str:
    if code in ("PREVIOUS_3B_NOT_FILED", "QUARTERLY_TAXPAYER", "DRAFT_NOT_DUE", "BEFORE_START_PERIOD"):
        return not_generated_words(code, period, ctx)
    if code == "RETURN_FILED":
        return f"GSTR-3B of {label(period, ctx)} is filed: its GSTR-2B is final and cannot be recomputed."
    return RECOMPUTE_MESSAGES.get(code, code)


def _summary_blocks(itcsumm: dict) -> list[dict]:
    blocks = []
    for grp, grp_label, subs in GROUPS:
        for sub, sub_label in subs:
            block = itcsumm.get(grp, {}).get(sub, {})
            keys = domain.GROUP_KEYS[(grp, sub)]
            blocks.append(
                {
                    "grp": grp,
                    "group": grp_label,
                    "title": sub_label,
                    "rows": [(KEY_LABELS[k], block.get(k, {})) for k in keys],
                    "total": block.get("total", {}),
                }
            )
    return blocks


def _doc_sections(docdata: dict, show_all: bool) -> list[dict]:
    out = []
    for section in domain.DOC_SECTIONS:
        lines = []
        for supplier in docdata.get(section, []):
            for doc in supplier.get("inv") or supplier.get("nt") or []:
                lines.append(
                    {"supplier": supplier, "doc": doc, "number": doc.get("inum") or doc.get("ntnum")}
                )
        if lines:
            out.append(
                {
                    "section": section,
                    "title": SECTION_LABELS[section],
                    "count": len(lines),
                    "lines": lines if show_all else lines[:LINES_SHOWN],
                    "cut": not show_all and len(lines) > LINES_SHOWN,
                }
            )
    return out


def period_choices(ctx: Context) -> list[tuple[str, str]]:
    """Return periods from the start period to the current month, newest first, for a period picker."""
    periods = selectors.return_periods(ctx, period_of(clock.today()))
    return [(period_code(p), label(p, ctx)) for p in reversed(periods)]


@gstin_page()
def gstr2b_home(request, taxpayer):
    """Pick a period (?period=MMYYYY); default the latest period with a version, else last month's."""
    if raw := request.GET.get("period"):
        return redirect("gstr2b_period", taxpayer.gstin, period_code(page_period(raw)))
    period = selectors.latest_2b_period(taxpayer)
    if period is None:
        period = Context(taxpayer).calendar.return_period(period_add(period_of(clock.today()), -1))
    return redirect("gstr2b_period", taxpayer.gstin, period_code(period))


@gstin_page()
def gstr2b_period(request, taxpayer, period):
    p = page_period(period)
    ctx = Context(taxpayer)
    raw_version = request.GET.get("version")
    if raw_version is not None and not raw_version.isdigit():
        raise Http404("Not found")
    context = {
        "nav": "gstr2b",
        "period": p,
        "period_label": label(p, ctx),
        "quarterly": ctx.calendar.quarterly(p),
        "choices": period_choices(ctx),
        "versions": selectors.gstr2b_version_rows(taxpayer=taxpayer, period=p),
        "trigger_labels": TRIGGER_LABELS,
    }
    try:
        version = selectors.gstr2b_version(
            taxpayer=taxpayer, period=p, version=int(raw_version) if raw_version else None
        )
    except RuleViolation as exc:
        if raw_version:
            raise Http404("Not found")
        reason = (exc.details or [{}])[0].get("reason", "NOT_YET_GENERATED")
        if reason in ("PREVIOUS_3B_NOT_FILED", "NOT_YET_GENERATED") and clock.today() < domain.draft_date(p):
            reason = "DRAFT_NOT_DUE"
        context.update({"reason": reason, "reason_words": not_generated_words(reason, p, ctx)})
        if reason == "QUARTERLY_TAXPAYER":
            context["quarter_code"] = period_code(quarter_last_month(p))
    else:
        version.taxpayer = taxpayer  # already read by the access check
        data = selectors.gstr2b_reply(version)["data"]
        context.update(
            {
                "version": version,
                "data": data,
                "is_latest": bool(context["versions"]) and context["versions"][0].id == version.id,
                "blocks": _summary_blocks(data["itcsumm"]),
                "sections": _doc_sections(data["docdata"], request.GET.get("all") == "1"),
                "rejected_sections": _doc_sections(data["docRejdata"], request.GET.get("all") == "1"),
            }
        )
    if context.get("data", {}).get("status") != "final" and context.get("reason") != "QUARTERLY_TAXPAYER":
        code = gstr2b_recompute_refusal(taxpayer=taxpayer, period=p)
        context["refusal"] = recompute_refusal_words(code, p, ctx) if code else None
    return render(request, "returns/gstr2b.html", context)


@require_POST
@gstin_page(Perm.WRITE)
def gstr2b_recompute(request, taxpayer, period):
    """R-5.5: refusals answer at once in words; the recompute itself runs as a job the page follows."""
    p = page_period(period)
    if code := gstr2b_recompute_refusal(taxpayer=taxpayer, period=p):
        words = recompute_refusal_words(code, p, Context(taxpayer))
        if is_htmx(request):
            return render(request, "jobs/_refused.html", {"message": words, "code": code})
        back = reverse("gstr2b_period", args=[taxpayer.gstin, period_code(p)])
        return render(
            request, "returns/refused.html", {"message": words, "code": code, "back": back}, status=409
        )
    job = job_start(
        kind="gstr2b_recompute",
        taxpayer=taxpayer,
        user=request.user,
        params={"period": p, "by": request.user.username},
    )
    if is_htmx(request):
        return render(request, "jobs/_progress.html", {"j": job_row(job)})
    return redirect("job_detail", job.id)


# --- GSTR-3B -----------------------------------------------------------------------------------------------


def blocker_rows(blockers: list[str], taxpayer, period: int, ctx: Context) -> list[dict]:
    """R-6.3: each reason filing is refused, in words, with a link to where it is fixed."""
    g, code = taxpayer.gstin, period_code(period)
    rows = []
    for b in blockers:
        link = None
        if b == "2B_STALE":
            words, link = "GSTR-2B is out of date: recompute it.", reverse("gstr2b_period", args=[g, code])
        elif b == "2B_NOT_GENERATED":
            words = "GSTR-2B of this period is not generated yet: generate it."
            link = reverse("gstr2b_period", args=[g, code])
        elif b == "PREVIOUS_3B_NOT_FILED":
            prev = domain.previous_return(
                period, quarterly=ctx.calendar.quarterly, start_period=taxpayer.ims_start_period
            )
            words = f"GSTR-3B of the previous period ({label(prev, ctx)}) is not filed yet: file it first."
            link = reverse("gstr3b_period", args=[g, period_code(prev)])
        elif b == "PERIOD_NOT_ENDED":
            end = period_last_day(period).strftime("%d-%m-%Y")
            words = f"The return period has not ended yet: GSTR-3B can be filed after {end}."
        elif b == "GSTR1A_UNFILED":
            words = "Saved GSTR-1A documents of this period are not filed: file or delete them."
            link = reverse("gstr1_period", args=[g, code])
        elif b == "ALREADY_FILED":
            words = "GSTR-3B of this period is filed."
        else:
            words = GSTR3B_MESSAGES.get(b, b)
        rows.append({"code": b, "words": words, "link": link})
    return rows


def _table_rows(block: dict, labels) -> list[tuple[str, str, dict]]:
    return [(key, text, block.get(key, {})) for key, text in labels]


@gstin_page()
def gstr3b_home(request, taxpayer):
    if raw := request.GET.get("period"):
        return redirect("gstr3b_period", taxpayer.gstin, period_code(page_period(raw)))
    period = selectors.relevant_period(Context(taxpayer), clock.today())
    return redirect("gstr3b_period", taxpayer.gstin, period_code(period))


def _gstr3b_page(request, taxpayer, p: int, error: str | None = None, status: int = 200):
    ctx = Context(taxpayer)
    context = {
        "nav": "gstr3b",
        "period": p,
        "period_label": label(p, ctx),
        "choices": period_choices(ctx),
        "error": error,
    }
    try:
        view = gstr3b_view(taxpayer=taxpayer, period=p)
    except RuleViolation as exc:
        if exc.code == "QUARTERLY_TAXPAYER":
            last = quarter_last_month(p)
            context["refusal"] = (
                f"Quarterly taxpayers file one GSTR-3B per quarter: see {period_label(last, True)}."
            )
            context["quarter_code"] = period_code(last)
        else:
            context["refusal"] = not_generated_words(exc.code, p, ctx)
        return render(request, "returns/gstr3b.html", context, status=status)
    blockers = [b for b in view["blocked_by"] if view["status"] == "draft" or b != "ALREADY_FILED"]
    context.update(
        {
            "view": view,
            "filed_at": datetime.fromisoformat(view["filed_at"]) if view["filed_at"] else None,
            "blockers": blocker_rows(blockers, taxpayer, p, ctx),
            "liability": _table_rows(view["tables"]["liability"], LIABILITY_ROWS),
            "itc": _table_rows(view["tables"]["itc"], ITC_ROWS),
            "can_file_now": view["status"] == "draft" and not view["blocked_by"],
        }
    )
    return render(request, "returns/gstr3b.html", context, status=status)


@gstin_page()
def gstr3b_period(request, taxpayer, period):
    return _gstr3b_page(request, taxpayer, page_period(period))


@require_POST
@gstin_page(Perm.FILE)
def gstr3b_file(request, taxpayer, period):
    """R-6.3: filing is irreversible, so the form carries the confirmation of its dialog."""
    p = page_period(period)
    if request.POST.get("confirm") != "yes":
        return _gstr3b_page(request, taxpayer, p, error="Confirm filing in the dialog first.", status=400)
    try:
        gstr3b_file_service(taxpayer=taxpayer, period=p, by=request.user.username)
    except RuleViolation as exc:
        ctx = Context(taxpayer)
        words = blocker_rows([exc.code], taxpayer, p, ctx)[0]["words"]
        return _gstr3b_page(request, taxpayer, p, error=words, status=409)
    return redirect(reverse("gstr3b_period", args=[taxpayer.gstin, period_code(p)]) + "?filed=1")


# --- Jobs --------------------------------------------------------------------------------------------------


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
    return {
        "job": job,
        "kind": JOB_KINDS.get(job.kind, job.kind),
        "finished": finished,
        "progress": f"{count(job.done)} of {count(job.total)}" if job.total else "",
        "summary": job_summary(job),
        "period": period,
        "link": link,
        # The first refusals of a finished batch (bulk action, import), each {"id", "code", "message"}.
        "refusals": record_refusals(job.result)[:REFUSALS_SHOWN] if finished else [],
    }


def _visible(request, job_id: int) -> Job:
    try:
        return job_visible(request.user, job_id)
    except NotFound:
        raise Http404("Not found")


@login_required
def jobs(request):
    rows = [job_row(j) for j in selectors.jobs_for(request.user)]
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


# --- Admin tools -------------------------------------------------------------------------------------------


def staff_page(view):
    """Staff only: others signed in get 403, anonymous users the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def _admin_page(request, errors: dict | None = None, form: dict | None = None, status: int = 200):
    rows = [job_row(j) for j in selectors.jobs_for(request.user, limit=20)]
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
            "clock_value": now.strftime("%Y-%m-%dT%H:%M"),
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
    try:
        moment = datetime.fromisoformat(request.POST.get("business_at", ""))
        if moment.tzinfo is not None:
            raise ValueError
    except ValueError:
        return _admin_page(
            request, errors={"clock": "Enter a date and time, e.g. 14-11-2025 00:00."}, status=400
        )
    clock.clock_set(business_at=moment.replace(tzinfo=IST))
    return redirect("admin_tools")
