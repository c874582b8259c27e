"""Pages of GSTR-2B: a period's ITC summary, documents and versions, and recompute as a job the page
follows. Refusals are shown in words."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from core.api import xlsx_response
from core.errors import RuleViolation
from core.pages import is_htmx, page_period
from core.periods import (
    period_add,
    period_code,
    period_of,
    quarter_last_month,
)
from core.templatetags.portal import period_label
from jobs.services import job_start
from jobs.views import job_row
from returns import domain, exports, selectors
from returns.services.gstr2b import RECOMPUTE_MESSAGES, gstr2b_recompute_refusal, gstr2b_recompute_start
from returns.words import GROUPS, KEY_LABELS
from taxpayers.access import Perm
from taxpayers.pages import gstin_page
from taxpayers.selectors import Calendar

HEADS = ("txval", "igst", "cgst", "sgst", "cess")


# A section of a 2B page shows this many lines unless all are asked for (?all=1): a 2B can hold tens of
# thousands of lines, and the totals above say the rest.
LINES_SHOWN = 500


# Document sections of the page: the tables' names, bills of entry said as such (cdnrrev is a table only).
SECTION_LABELS = {
    **{k: v for k, v in KEY_LABELS.items() if k != "cdnrrev"},
    "impg": "Import of goods from overseas (bills of entry)",
    "impgsez": "Import of goods from SEZ units (bills of entry)",
}


TRIGGER_LABELS = {
    "schedule": "Schedule (14th)",
    "admin": "Admin",
    "recompute": "Recompute",
    "3b_filed": "3B filed",
}


def label(p: int, cal: Calendar) -> str:
    return period_label(p, cal.quarterly(p))


def not_generated_words(reason: str, period: int, cal: Calendar) -> str:
    """R-5.3 / R-5.2 / R-5.6: why no 2B exists, in the words of the portal."""
    t = cal.taxpayer
    if reason == "PREVIOUS_3B_NOT_FILED":
        return "GSTR-3B of the previous period is not filed yet: file it first."
    if reason == "QUARTERLY_TAXPAYER":
        last = quarter_last_month(period)
        return f"Quarterly taxpayers have one GSTR-2B per quarter: see {period_label(last, True)}."
    if reason == "DRAFT_NOT_DUE":
        due = domain.draft_date(period).strftime("%d-%m-%Y")
        return f"GSTR-2B of {label(period, cal)} is first generated on {due}."
    if reason == "BEFORE_START_PERIOD":
        start = period_label(t.ims_start_period)
        return f"This period is before the start period of {t.display_name} ({start})."
    return "GSTR-2B of this period is not generated yet; recompute it to generate it now."


def recompute_refusal_words(code: str, period: int, cal: Calendar) -> str:
    if code in ("PREVIOUS_3B_NOT_FILED", "QUARTERLY_TAXPAYER", "DRAFT_NOT_DUE", "BEFORE_START_PERIOD"):
        return not_generated_words(code, period, cal)
    if code == "RETURN_FILED":
        return f"GSTR-3B of {label(period, cal)} is filed: its GSTR-2B is final and cannot be recomputed."
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
        if section == "impg":  # bills of entry from overseas: rows directly, no party
            lines = [
                {"supplier": {}, "doc": doc, "number": doc["boenum"]} for doc in docdata.get(section, [])
            ]
        for supplier in docdata.get(section, []) if section != "impg" else []:
            for doc in supplier.get("inv") or supplier.get("nt") or supplier.get("boe") or []:
                number = doc.get("inum") or doc.get("ntnum") or doc.get("boenum")
                lines.append({"supplier": supplier, "doc": doc, "number": number})
        if lines:
            out.append(
                {
                    "section": section,
                    "boe": section in ("impg", "impgsez"),
                    "title": SECTION_LABELS[section],
                    "count": len(lines),
                    "lines": lines if show_all else lines[:LINES_SHOWN],
                    "cut": not show_all and len(lines) > LINES_SHOWN,
                }
            )
    return out


def period_choices(cal: Calendar) -> list[tuple[str, str]]:
    """Return periods from the start period to the current month, newest first, for a period picker."""
    periods = selectors.return_periods(cal, period_of(clock.today()))
    return [(period_code(p), label(p, cal)) for p in reversed(periods)]


@gstin_page()
def gstr2b_home(request, taxpayer):
    """Pick a period (?period=MMYYYY); default the latest period with a version, else last month's."""
    if raw := request.GET.get("period"):
        return redirect("gstr2b_period", taxpayer.gstin, period_code(page_period(raw)))
    period = selectors.latest_2b_period(taxpayer)
    if period is None:
        period = Calendar(taxpayer).return_period(period_add(period_of(clock.today()), -1))
    return redirect("gstr2b_period", taxpayer.gstin, period_code(period))


DIFF_ROWS = 50  # changes shown on the page; the API pages through the rest


@gstin_page()
def gstr2b_period(request, taxpayer, period):
    p = page_period(period)
    cal = Calendar(taxpayer)
    raw_version = request.GET.get("version")
    if raw_version is not None and not raw_version.isdigit():
        raise Http404("Not found")
    context = {
        "nav": "gstr2b",
        "period": p,
        "period_label": label(p, cal),
        "quarterly": cal.quarterly(p),
        "choices": period_choices(cal),
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
        context.update({"reason": reason, "reason_words": not_generated_words(reason, p, cal)})
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
        if version.version > 1:  # issue 17: what changed since the version before, and why
            from returns.diff import gstr2b_diff

            context["diff"] = gstr2b_diff(
                taxpayer=taxpayer,
                period=p,
                params={"from": version.version - 1, "to": version.version, "limit": DIFF_ROWS},
            )
    if context.get("data", {}).get("status") != "final" and context.get("reason") != "QUARTERLY_TAXPAYER":
        code = gstr2b_recompute_refusal(taxpayer=taxpayer, period=p)
        context["refusal"] = recompute_refusal_words(code, p, cal) if code else None
    return render(request, "returns/gstr2b.html", context)


@require_POST
@gstin_page(Perm.WRITE)
def gstr2b_recompute(request, taxpayer, period):
    """R-5.5: refusals answer at once in words; the recompute itself runs as a job the page follows."""
    p = page_period(period)
    if code := gstr2b_recompute_refusal(taxpayer=taxpayer, period=p):
        words = recompute_refusal_words(code, p, Calendar(taxpayer))
        if is_htmx(request):
            return render(request, "jobs/_refused.html", {"message": words, "code": code})
        back = reverse("gstr2b_period", args=[taxpayer.gstin, period_code(p)])
        return render(
            request, "returns/refused.html", {"message": words, "code": code, "back": back}, status=409
        )
    job = gstr2b_recompute_start(taxpayer=taxpayer, period=p, user=request.user)
    if is_htmx(request):
        return render(request, "jobs/_progress.html", {"j": job_row(job)})
    return redirect("job_detail", job.id)


@gstin_page()
def gstr2b_export(request, taxpayer, period):
    """The 2B page's "Excel" download: the workbook at once, or for a large 2B a job the page follows with
    the file to download when it is done (issue 12)."""

    p = page_period(period)
    raw = request.GET.get("version")
    version = selectors.gstr2b_version(
        taxpayer=taxpayer, period=p, version=int(raw) if raw and raw.isdigit() else None
    )
    if not exports.is_large(version):
        reply = selectors.gstr2b_reply(version)
        return xlsx_response(lambda fh: exports.gstr2b_workbook(reply, fh), exports.workbook_name(version))
    job = job_start(
        kind="gstr2b_export",
        taxpayer=taxpayer,
        user=request.user,
        params={"period": p, "version": version.version, "by": request.user.username},
    )
    back = reverse("gstr2b_period", args=[taxpayer.gstin, period_code(p)])
    context = {
        "nav": "gstr2b",
        "j": job_row(job),
        "what": "GSTR-2B workbook",
        "back_words": "Back to GSTR-2B",
    }
    return render(request, "jobs/export.html", {**context, "back": back})
