"""The one clock service (R-2.4, R-9.4). Every "now" and "today" of the code comes from here."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from core.models import SandboxClock
from core.periods import business_date

# Within one request the sandbox clock's row is read once (issue 12: a list request read it three times);
# business time still advances with real time. Outside a request (jobs, shells) every call reads it.
_SCOPE: ContextVar[dict | None] = ContextVar("clock_scope", default=None)
_UNREAD = object()


@contextmanager
def request_scope():
    """Remember the sandbox clock's row for the duration of one request (``ims_portal.middleware``)."""
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _sandbox_row():
    memo = _SCOPE.get()
    row = _UNREAD if memo is None else memo.get("row", _UNREAD)
    if row is _UNREAD:
        row = SandboxClock.objects.filter(id=1).values_list("business_at", "set_at").first()
        if memo is not None:
            memo["row"] = row
    return row


def _forget() -> None:
    memo = _SCOPE.get()
    if memo is not None:
        memo.pop("row", None)


def now() -> datetime:
    real = timezone.now()
    if not settings.IMS_SANDBOX_CLOCK:
        return real
    row = _sandbox_row()
    if row is None:
        return real
    business_at, set_at = row
    return business_at + (real - set_at)


def today() -> date:
    """The Asia/Kolkata business date."""
    return business_date(now())


def is_sandbox_set() -> bool:
    return settings.IMS_SANDBOX_CLOCK and SandboxClock.objects.filter(id=1).exists()


# The sandbox clock's range: GST began on 01-07-2017; periods, FYs and due dates are computed around
# "now", and year 1 or 9999 broke every page (issue 14).
CLOCK_FIRST = date(2017, 7, 1)
CLOCK_LAST = date(2099, 12, 31)


def clock_range_error(moment: datetime) -> str | None:
    try:
        if CLOCK_FIRST <= business_date(moment) <= CLOCK_LAST:
            return None
    except OverflowError:  # year 1 or 9999 cannot even move to IST
        pass
    return f"The sandbox clock runs from {CLOCK_FIRST:%d-%m-%Y} to {CLOCK_LAST:%d-%m-%Y}."


def clock_set(*, business_at: datetime) -> datetime:
    """Set business time; it then advances with real time. Changing it runs no job (R-9.1)."""
    SandboxClock.objects.update_or_create(
        id=1, defaults={"business_at": business_at, "set_at": timezone.now()}
    )
    _forget()
    return now()


def clock_reset() -> None:
    SandboxClock.objects.filter(id=1).delete()
    _forget()
