"""API: a job's state and the files it left (API.md "Auth and administration")."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound
from core.schema import JobSerializer, errors
from jobs.files import job_file_path
from jobs.models import Job
from jobs.services import job_out, job_visible


def job_accepted(job: Job) -> Response:
    """202 with the job object and where to follow it (API.md conventions)."""
    return Response(job_out(job), status=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


JOB_ID = OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class JobApi(APIView):
    @extend_schema(
        tags=["Jobs"],
        operation_id="jobs_read",
        summary="A job's status, progress and outcome (R-9.3)",
        parameters=[JOB_ID],
        responses={200: JobSerializer, **errors()},
    )
    def get(self, request, job_id: int):
        return Response(job_out(job_visible(request.user, job_id)))


class JobFileApi(APIView):
    """A file a job left (the import's error workbook), to whoever may see the job (R-8.2)."""

    @extend_schema(
        tags=["Jobs"],
        operation_id="jobs_file",
        summary="A file a job left (the import's error workbook)",
        parameters=[JOB_ID, OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **errors()},
    )
    def get(self, request, job_id: int, name):
        job = job_visible(request.user, job_id)
        found = job_file_path(job.id, name)
        if found is None:
            raise NotFound()
        return FileResponse(open(found, "rb"), as_attachment=True, filename=f"job-{job.id}-{name}")
