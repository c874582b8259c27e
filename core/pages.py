"""Page glue every app's views share: period path arguments, htmx requests, staff-only pages, and rule
refusals as the words shown beside a form."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.errors import DomainError, RuleViolation
from core.periods import parse_period


def page_period(raw: str) -> int:
    """A malformed period in a page's path is "not found", like any unknown page."""
    try:
        return parse_period(raw)
    except DomainError:
        raise Http404("Not found")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def rule_message(exc: RuleViolation) -> str:
    """One helper turns a rule refusal into the words shown next to a form."""
    return f"{exc.message} ({exc.code})"


def staff_page(view):
    """Staff only: others signed in get 403, anonymous users the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return wrapper
