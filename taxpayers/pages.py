"""The access helper for pages (R-8): every GSTIN page is reached through ``gstin_page``, which asks the one
access helper (``taxpayers.access.taxpayer_for``), so outsiders get 404 and members without the right 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.errors import Forbidden, NotFound
from taxpayers.access import ROLE_PERMS, Perm, taxpayer_for
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


def can(request, perm: Perm) -> bool:
    """Whether the page's user may ``perm`` the page's GSTIN (buttons shown or hidden by role)."""
    taxpayer = getattr(request, "taxpayer", None)
    role = getattr(taxpayer, "role", None)
    return role is not None and perm in ROLE_PERMS[Role(role)]
