"""API: jobs and the admin endpoints that start them (API.md "Auth and administration").
Routes of this module are included under /api/v1/ by ims_portal/urls.py."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from ims_portal.errors import NotFound, ValidationFailed
from returns.models import Job
from returns.services.jobs import job_out, job_start, job_visible
from taxpayers.api import body, require_staff
from taxpayers.domain import DomainError, gstin_error, normalize_gstin, parse_period


def job_accepted(job: Job) -> Response:
    """202 with the job object and where to follow it (API.md conventions)."""
    return Response(job_out(job), status=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


class JobApi(APIView):
    def get(self, request, job_id):
        # A malformed id is "not found" in the API's error body, like any invisible job.
        if not job_id.isdigit() or len(job_id) > 18:
            raise NotFound()
        return Response(job_out(job_visible(request.user, int(job_id))))


class AdminGstr2bGenerateApi(APIView):
    """R-5.2 / R-5.5: generate the 2B of a period where none exists, for every or the listed GSTINs."""

    def post(self, request):
        require_staff(request)
        data = body(request)
        errors: list[dict] = []
        period = None
        try:
            period = parse_period(data.get("period"))
        except DomainError as exc:
            errors.append({"path": "period", "code": exc.code, "message": exc.message})
        gstins = data.get("gstins")
        if gstins is not None:
            if not isinstance(gstins, list) or not gstins:
                errors.append(
                    {"path": "gstins", "code": "INVALID", "message": "gstins is a non-empty list of GSTINs."}
                )
            else:
                for i, g in enumerate(gstins):
                    if problem := gstin_error(g):
                        errors.append({"path": f"gstins[{i}]", "code": problem[0], "message": problem[1]})
                gstins = list(dict.fromkeys(normalize_gstin(g) for g in gstins))
        if errors:
            raise ValidationFailed(errors)
        job = job_start(
            kind="gstr2b_generate",
            user=request.user,
            params={"period": period, "gstins": gstins, "trigger": "admin", "by": request.user.username},
        )
        return job_accepted(job)


class AdminPendingExpiryApi(APIView):
    """R-4.4: run the daily pending-expiry sweep now (sandbox clock, R-9.1)."""

    def post(self, request):
        require_staff(request)
        return job_accepted(job_start(kind="pending_expiry", user=request.user, params={"by": "system"}))


urlpatterns = [
    path("jobs/<str:job_id>", JobApi.as_view()),
    path("admin/gstr2b/generate", AdminGstr2bGenerateApi.as_view()),
    path("admin/sweeps/pending-expiry", AdminPendingExpiryApi.as_view()),
]
