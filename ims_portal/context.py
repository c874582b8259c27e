"""The top bar and navigation of every page: business date, sandbox badge, GSTIN switcher, role."""

from django.conf import settings

from core import clock
from taxpayers.access import Perm, visible_taxpayers
from taxpayers.pages import can


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"sandbox_clock": settings.IMS_SANDBOX_CLOCK}
    taxpayer = getattr(request, "taxpayer", None)
    switch = list(visible_taxpayers(user).order_by("gstin")[:500])
    # Pages outside one GSTIN (jobs, admin) keep the navigation of the last GSTIN worked on.
    last = request.session.get("gstin")
    nav_gstin = taxpayer.gstin if taxpayer else next((t.gstin for t in switch if t.gstin == last), None)
    return {
        "business_now": clock.now(),
        "sandbox_clock": settings.IMS_SANDBOX_CLOCK,
        "switch_taxpayers": switch,
        # The cockpit (issue 17) for whoever works on more than one GSTIN.
        "has_cockpit": user.is_staff or len(switch) > 1,
        "current": taxpayer,
        "nav_gstin": nav_gstin,
        "can_write": can(request, Perm.WRITE),
        "can_file": can(request, Perm.FILE),
        "can_manage": can(request, Perm.MANAGE),
    }
