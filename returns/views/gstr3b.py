"""Pages of GSTR-3B: the tables laid out like the form, what blocks filing (each reason linked to its
fix) and filing through a confirmation."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from core.errors import RuleViolation
from core.pages import page_period
from core.periods import (
    period_code,
    period_last_day,
    quarter_last_month,
)
from core.templatetags.portal import period_label
from core.words import pos_label
from ims import selectors as ims_selectors
from returns import selectors
from returns.services.gstr3b import MESSAGES as GSTR3B_MESSAGES
from returns.services.gstr3b import gstr3b_file as gstr3b_file_service
from returns.services.gstr3b import gstr3b_view
from returns.views.gstr2b import label, not_generated_words, period_choices
from taxpayers.access import Perm
from taxpayers.domain import previous_return
from taxpayers.pages import gstin_page
from taxpayers.selectors import Calendar

# The rows of table 3.1 and 3.1.1 in the order and words of the GSTR-3B form.
LIABILITY_ROWS = (
    ("3_1_a", "(a) Outward taxable supplies (other than zero rated, nil rated and exempted)"),
    ("3_1_b", "(b) Outward taxable supplies (zero rated)"),
    ("3_1_c", "(c) Other outward supplies (nil rated, exempted)"),
    ("3_1_d", "(d) Inward supplies (liable to reverse charge)"),
    ("3_1_e", "(e) Non-GST outward supplies"),
)
ECO_ROWS = (("3_1_1_i", "(i) Taxable supplies on which the electronic commerce operator pays tax u/s 9(5)"),)
ADDBACK_ROWS = (
    ("addback", "Add-back: ITC-reducing records rejected by recipients (liability added, R-6.4)"),
)


ITC_ROWS = (
    ("4A1", "4A(1) Import of goods"),
    ("4A3", "4A(3) Inward supplies liable to reverse charge"),
    ("4A5", "4A(5) All other ITC"),
    ("4B2", "4B(2) ITC reversed — Others"),
    ("4D2", "4D(2) Ineligible ITC (ITC not available in GSTR-2B)"),
    ("net", "Net ITC available (4A − 4B)"),
)


def blocker_rows(blockers: list[str], taxpayer, period: int, cal: Calendar) -> list[dict]:
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
            prev = previous_return(period, quarterly=cal.quarterly, start_period=taxpayer.ims_start_period)
            words = f"GSTR-3B of the previous period ({label(prev, cal)}) is not filed yet: file it first."
            link = reverse("gstr3b_period", args=[g, period_code(prev)])
        elif b == "PERIOD_NOT_ENDED":
            end = period_last_day(period).strftime("%d-%m-%Y")
            words = f"The return period has not ended yet: GSTR-3B can be filed after {end}."
        elif b == "GSTR1A_UNFILED":
            words = "Saved GSTR-1A documents of this period are not filed: file or delete them."
            link = reverse("gstr1_period", args=[g, code])
        elif b == "ALREADY_FILED":
            words = "GSTR-3B of this period is filed."
        elif b == "PROPOSALS_OPEN":
            words = "A preparer's proposed IMS actions on this period await an owner: approve or return them."
            link = reverse("ims_inward", args=[g]) + "#proposals"
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
    period = selectors.relevant_period(Calendar(taxpayer), clock.today())
    return redirect("gstr3b_period", taxpayer.gstin, period_code(period))


def _gstr3b_page(request, taxpayer, p: int, error: str | None = None, status: int = 200):
    cal = Calendar(taxpayer)
    context = {
        "nav": "gstr3b",
        "period": p,
        "period_label": label(p, cal),
        "choices": period_choices(cal),
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
            context["refusal"] = not_generated_words(exc.code, p, cal)
        return render(request, "returns/gstr3b.html", context, status=status)
    blockers = [b for b in view["blocked_by"] if view["status"] == "draft" or b != "ALREADY_FILED"]
    context.update(
        {
            "view": view,
            "filed_at": datetime.fromisoformat(view["filed_at"]) if view["filed_at"] else None,
            "blockers": blocker_rows(blockers, taxpayer, p, cal),
            "liability": _table_rows(view["tables"]["liability"], LIABILITY_ROWS),
            "eco": _table_rows(view["tables"]["liability"], ECO_ROWS),
            "addback": _table_rows(view["tables"]["liability"], ADDBACK_ROWS),
            "inter_unregistered": [
                {**row, "state": pos_label(row["pos"])} for row in view["tables"]["liability"].get("3_2", [])
            ],
            "itc": _table_rows(view["tables"]["itc"], ITC_ROWS),
            "can_file_now": view["status"] == "draft" and not view["blocked_by"],
        }
    )
    if context["can_file_now"]:
        context["outlook"] = ims_selectors.ims_filing_outlook(recipient=taxpayer, period=p)
        # Issue 15: the confirmation also names the add-backs filing puts into this return's liability.
        added = view["tables"]["liability"].get("addback") or {}
        context["outlook"]["addback_tax"] = sum(
            (Decimal(str(added.get(h) or 0)) for h in ("igst", "cgst", "sgst", "cess")), Decimal("0")
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
        cal = Calendar(taxpayer)
        words = blocker_rows([exc.code], taxpayer, p, cal)[0]["words"]
        return _gstr3b_page(request, taxpayer, p, error=words, status=409)
    return redirect(reverse("gstr3b_period", args=[taxpayer.gstin, period_code(p)]) + "?filed=1")
