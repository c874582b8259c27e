"""Pages: sign-in landing, GSTIN switcher and the dashboard ("what do I need to do before the 20th?")."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from ims_portal.errors import NotFound
from ims_portal.pages import gstin_page
from invoices.selectors import ims_summary
from taxpayers.access import taxpayer_for, visible_taxpayers
from taxpayers.domain import normalize_gstin


@login_required
def home(request):
    gstin = request.session.get("gstin")
    if not gstin:
        first = visible_taxpayers(request.user).order_by("gstin").first()
        if first is None:
            return render(request, "home_empty.html")
        gstin = first.gstin
    return redirect("dashboard", gstin)


@login_required
def switch(request):
    try:
        taxpayer = taxpayer_for(request.user, normalize_gstin(request.GET.get("gstin")))
    except NotFound:
        raise Http404("Not found")
    return redirect("dashboard", taxpayer.gstin)


@gstin_page()
def dashboard(request, taxpayer):
    return render(request, "dashboard.html", {"nav": "dashboard", "summary": ims_summary(recipient=taxpayer)})
