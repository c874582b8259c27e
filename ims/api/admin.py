"""API: staff run the pending-expiry sweep now (R-4.4, R-9.1) as a job."""

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from core.api import require_staff
from core.schema import job_started
from jobs.api import job_accepted
from jobs.models import JobKind
from jobs.services import job_start


class AdminPendingExpiryApi(APIView):
    """R-4.4: run the daily pending-expiry sweep now (sandbox clock, R-9.1)."""

    @extend_schema(
        tags=["Administration"],
        operation_id="admin_pending_expiry",
        summary="Run the pending-expiry sweep now (staff)",
        request=None,
        responses=job_started(403),
    )
    def post(self, request):
        require_staff(request)
        return job_accepted(
            job_start(kind=JobKind.PENDING_EXPIRY, user=request.user, params={"by": "system"})
        )
