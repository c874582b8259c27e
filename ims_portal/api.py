"""API of the portal's administration that spans apps: the sandbox clock (R-9.4)."""

from datetime import datetime

from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api import body, require_staff
from core.errors import NotFound, ValidationFailed


class ClockApi(APIView):
    """R-9.4: staff set business time; 404 unless the sandbox clock is enabled."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not settings.IMS_SANDBOX_CLOCK:
            raise NotFound()
        require_staff(request)

    def _reply(self):
        return Response({"now": clock.now().astimezone(clock_tz()).isoformat(), "sandbox": True})

    def get(self, request):
        return self._reply()

    def put(self, request):
        raw = body(request).get("now")
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationFailed(
                [{"path": "now", "code": "INVALID", "message": "now is ISO 8601 with an offset."}]
            )
        clock.clock_set(business_at=moment)
        return self._reply()

    def delete(self, request):
        clock.clock_reset()
        return self._reply()


def clock_tz():
    from core.periods import IST

    return IST
