"""Pages: sign-in and the landing page (the full dashboard is built on the same services)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from invoices.selectors import ims_summary
from taxpayers.access import taxpayer_for, visible_taxpayers


@login_required
def home(request):
    taxpayers = list(visible_taxpayers(request.user).order_by("gstin"))
    current = None
    summary = None
    gstin = request.GET.get("gstin") or request.session.get("gstin")
    if not gstin and taxpayers:
        gstin = taxpayers[0].gstin
    if gstin:
        current = taxpayer_for(request.user, gstin)
        request.session["gstin"] = current.gstin
        summary = ims_summary(recipient=current)
    return render(request, "home.html", {"taxpayers": taxpayers, "current": current, "summary": summary})
