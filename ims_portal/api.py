"""API of the portal's administration that spans apps: the sandbox clock (R-9.4)."""

from datetime import datetime

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api import require_staff, validated
from core.errors import NotFound, ValidationFailed
from core.periods import IST
from core.schema import errors

TAG = ["Administration"]


class ClockSerializer(serializers.Serializer):
    now = serializers.DateTimeField(help_text="Business time, ISO 8601 with the IST offset.")
    sandbox = serializers.BooleanField()


class ClockApi(APIView):
    """R-9.4: staff set business time; 404 unless the sandbox clock is enabled."""

    class InputSerializer(serializers.Serializer):
        now = serializers.CharField(
            required=False, allow_null=True, help_text="ISO 8601 with an offset: `2025-11-14T09:00:00+05:30`."
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not settings.IMS_SANDBOX_CLOCK:
            raise NotFound()
        require_staff(request)

    def _reply(self):
        return Response({"now": clock.now().astimezone(IST).isoformat(), "sandbox": True})

    @extend_schema(tags=TAG, operation_id="admin_clock_read", responses={200: ClockSerializer, **errors(403)})
    def get(self, request):
        return self._reply()

    @extend_schema(
        tags=TAG,
        operation_id="admin_clock_set",
        summary="Set the sandbox business time (staff)",
        request=InputSerializer,
        responses={200: ClockSerializer, **errors(400, 403)},
    )
    def put(self, request):
        raw = validated(request, self.InputSerializer).get("now")
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationFailed(
                [{"path": "now", "code": "INVALID", "message": "now is ISO 8601 with an offset."}]
            )
        if error := clock.clock_range_error(moment):
            raise ValidationFailed([{"path": "now", "code": "INVALID", "message": error}])
        clock.clock_set(business_at=moment)
        return self._reply()

    @extend_schema(
        tags=TAG,
        operation_id="admin_clock_reset",
        summary="Back to real time",
        responses={200: ClockSerializer, **errors(403)},
    )
    def delete(self, request):
        clock.clock_reset()
        return self._reply()
