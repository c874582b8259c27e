"""The one clock service (R-2.4, R-9.4). Every "now" and "today" of the code comes from here."""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from core.models import SandboxClock
from core.periods import business_date


def now() -> datetime:
    real = timezone.now()
    if not settings.IMS_SANDBOX_CLOCK:
        return real
    row = SandboxClock.objects.filter(id=1).values_list("business_at", "set_at").first()
    if row is None:
        return real
    business_at, set_at = row
    return business_at + (real - set_at)


def today() -> date:
    """The Asia/Kolkata business date."""
    return business_date(now())


def is_sandbox_set() -> bool:
    return settings.IMS_SANDBOX_CLOCK and SandboxClock.objects.filter(id=1).exists()


def clock_set(*, business_at: datetime) -> datetime:
    """Set business time; it then advances with real time. Changing it runs no job (R-9.1)."""
    SandboxClock.objects.update_or_create(
        id=1, defaults={"business_at": business_at, "set_at": timezone.now()}
    )
    return now()


def clock_reset() -> None:
    SandboxClock.objects.filter(id=1).delete()
