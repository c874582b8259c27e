"""Pages: sign-in landing, GSTIN switcher and the dashboard ("what do I need to do before the 20th?")."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render

from core import clock
from core.errors import NotFound, RuleViolation
from ims import selectors as ims_selectors
from ims.services.proposals import MODES
from recon import selectors as recon_selectors
from returns import selectors
from returns.services.gstr3b import gstr3b_view
from returns.views.gstr2b import label, not_generated_words
from returns.views.gstr3b import blocker_rows
from taxpayers.access import taxpayer_for, visible_taxpayers
from taxpayers.domain import normalize_gstin
from taxpayers.pages import gstin_page
from taxpayers.selectors import Calendar


@login_required
def home(request):
    """The landing page: the cockpit of every GSTIN for staff and for a user with more than one (issue 17),
    else the dashboard of the one GSTIN."""
    mine = list(visible_taxpayers(request.user).order_by("gstin").values_list("gstin", flat=True)[:2])
    if not mine:
        return render(request, "home_empty.html")
    if request.user.is_staff or len(mine) > 1:
        return redirect("cockpit")
    return redirect("dashboard", mine[0])


@login_required
def switch(request):
    """The GSTIN switcher (issue 15): a GSTIN opens its dashboard; anything else searches the user's own
    GSTINs by part of the GSTIN or of the trade or legal name — one match opens it, several are listed, none
    says so, always inside the portal's page (a stranger's GSTIN is never found, R-8.2)."""
    raw = (request.GET.get("gstin") or "").strip()
    try:
        return redirect("dashboard", taxpayer_for(request.user, normalize_gstin(raw)).gstin)
    except NotFound:
        pass
    matches = []
    if raw:
        mine = visible_taxpayers(request.user)
        matches = list(
            mine.filter(
                Q(gstin__icontains=raw) | Q(trade_name__icontains=raw) | Q(legal_name__icontains=raw)
            ).order_by("gstin")[:50]
        )
    if len(matches) == 1:
        return redirect("dashboard", matches[0].gstin)
    return render(request, "switch.html", {"query": raw, "matches": matches}, status=200 if matches else 404)


@gstin_page()
def dashboard(request, taxpayer):
    """What to do before the 20th: records by action, what filing the 3B will deem accepted, and where the
    2B and 3B of the return period that is due stand, each one click from its page."""
    cal = Calendar(taxpayer)
    today = clock.today()
    period = selectors.relevant_period(cal, today)
    status_2b = selectors.gstr2b_status(cal, period, today)
    if status_2b["reason"]:
        status_2b["words"] = not_generated_words(status_2b["reason"], period, cal)
    try:
        view_3b = gstr3b_view(taxpayer=taxpayer, period=period)
    except RuleViolation as exc:
        view_3b = {"status": "refused", "words": not_generated_words(exc.code, period, cal)}
    else:
        if view_3b["status"] == "draft":
            view_3b["blockers"] = blocker_rows(view_3b["blocked_by"], taxpayer, period, cal)
    counts = ims_selectors.ims_action_counts(recipient=taxpayer)
    tiles = [
        {"action": a, "label": name, "count": counts.get(a, 0)}
        for a, name in (("N", "No action"), ("P", "Pending"), ("A", "Accepted"), ("R", "Rejected"))
    ]
    return render(
        request,
        "dashboard.html",
        {
            "nav": "dashboard",
            "period": period,
            "period_label": label(period, cal),
            "quarterly": cal.quarterly(period),
            "tiles": tiles,
            "total": sum(t["count"] for t in tiles),
            "deemed": ims_selectors.deemed_countdown(cal, period),
            "s2b": status_2b,
            "s3b": view_3b,
            "maker_checker_modes": MODES,
            "recon": _reconciliation(taxpayer),
        },
    )


def _reconciliation(taxpayer) -> dict | None:
    """Issue 16: the latest period's purchase-register reconciliation — match rate and ITC at risk."""
    reg = recon_selectors.latest_register(taxpayer.id)
    if reg is None:
        return None
    return {"register": reg, "summary": recon_selectors.summary(reg)}
