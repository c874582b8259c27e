"""Page plumbing shared by every dashboard view: the GSTIN-scoped view decorator (through the one access
helper), the top-bar context, and rule refusals as form messages."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ims_portal.errors import Forbidden, NotFound, RuleViolation
from taxpayers import clock
from taxpayers.access import ROLE_PERMS, Perm, taxpayer_for, visible_taxpayers
from taxpayers.domain import DomainError, parse_period
from taxpayers.models import Role


def gstin_page(perm: Perm = Perm.READ):
    """``view(request, taxpayer, ...)`` for ``/g/<gstin>/…``: outsiders get 404 exactly as for an unknown
    GSTIN (R-8.2), members without the right 403 — for GET and POST alike (buttons hidden is not enough)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, gstin, *args, **kwargs):
            try:
                taxpayer = taxpayer_for(request.user, gstin, perm)
            except NotFound:
                raise Http404("Not found")
            except Forbidden:
                raise PermissionDenied("Your role does not allow this.")
            request.taxpayer = taxpayer
            request.session["gstin"] = taxpayer.gstin
            return view(request, taxpayer, *args, **kwargs)

        return wrapper

    return decorator


def page_period(raw: str) -> int:
    try:
        return parse_period(raw)
    except DomainError:
        raise Http404("Not found")


def can(request, perm: Perm) -> bool:
    taxpayer = getattr(request, "taxpayer", None)
    role = getattr(taxpayer, "role", None)
    return role is not None and perm in ROLE_PERMS[Role(role)]


def rule_message(exc: RuleViolation) -> str:
    """One helper turns a rule refusal into the words shown next to a form."""
    return f"{exc.message} ({exc.code})"


def portal(request) -> dict:
    """Top bar and navigation on every page: business date, sandbox badge, GSTIN switcher, role."""
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
        "current": taxpayer,
        "nav_gstin": nav_gstin,
        "can_write": can(request, Perm.WRITE),
        "can_file": can(request, Perm.FILE),
        "can_manage": can(request, Perm.MANAGE),
    }
