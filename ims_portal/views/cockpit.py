"""The practitioner's cockpit (issue 17, item 1): the landing page of a user with more than one GSTIN, and of
staff — one row per GSTIN, sortable and filterable, each cell a link to the page it counts."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from core import clock
from returns.cockpit import STATE_WORDS, cockpit_rows
from taxpayers.access import visible_taxpayers

# ?sort= keys: what each sorts by (the largest first for amounts and counts, the earliest first for dates).
SORTS = {
    "gstin": (lambda r: r["gstin"], False),
    "name": (lambda r: r["name"].lower(), False),
    "todo": (lambda r: r["counts"]["N"], True),
    "deemed": (lambda r: r["deemed"]["tax"], True),
    "near": (lambda r: r["near"]["n"], True),
    "due": (lambda r: (r["filed_3b"], r["due_3b"]), False),
    "jobs": (lambda r: r["open_jobs"], True),
}
MAX_GSTINS = 1000


@login_required
def cockpit(request):
    today = clock.today()
    q = (request.GET.get("q") or "").strip()
    state = request.GET.get("s2b") or ""
    overdue = request.GET.get("overdue") == "1"
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "due"
    taxpayers = visible_taxpayers(request.user)
    if q:
        taxpayers = taxpayers.filter(
            Q(gstin__icontains=q) | Q(trade_name__icontains=q) | Q(legal_name__icontains=q)
        )
    rows = cockpit_rows(list(taxpayers.order_by("gstin")[:MAX_GSTINS]), today)
    if state in STATE_WORDS:
        rows = [r for r in rows if r["s2b"] == state]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    key, reverse = SORTS[sort]
    rows.sort(key=key, reverse=reverse)
    return render(
        request,
        "cockpit.html",
        {
            "nav": "cockpit",
            "rows": rows,
            "q": q,
            "s2b": state,
            "overdue": overdue,
            "sort": sort,
            "states": STATE_WORDS,
            "sorts": {
                "due": "3B due date",
                "deemed": "Tax to be deemed accepted",
                "todo": "Records at No action",
                "near": "Pending near the deadline",
                "jobs": "Open jobs",
                "gstin": "GSTIN",
                "name": "Trade name",
            },
        },
    )
