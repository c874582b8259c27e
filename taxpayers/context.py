from django.conf import settings

from taxpayers import clock


def portal(request) -> dict:
    """Top-bar facts on every page: the business date and whether the sandbox clock is on."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"sandbox_clock": settings.IMS_SANDBOX_CLOCK}
    return {"business_now": clock.now(), "sandbox_clock": settings.IMS_SANDBOX_CLOCK}
