"""API: the IMS Excel round trip and JSON export (issue 5, API.md ``/ims/{gstin}/inward/export`` and
``/import``), and the files a job leaves (``/jobs/{id}/files/{name}``). Routes of this module are included
under /api/v1/ by ims_portal/urls.py, before the record detail route that would capture ``export``."""

import tempfile

from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django.urls import path
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from ims_portal.errors import NotFound, RuleViolation, ValidationFailed
from invoices import selectors
from invoices.services import excel
from returns.api_jobs import job_accepted
from returns.services.jobs import job_start, job_visible, upload_slot_claim
from taxpayers.access import Perm, taxpayer_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("json", "xlsx")
# Multipart overhead around a 20 MB workbook: a body larger than this is refused before it is read.
MAX_BODY = excel.MAX_IMPORT_BYTES + 64 * 1024


class FormatParamIgnored(DefaultContentNegotiation):
    """``?format=xlsx`` names the file to produce, not a DRF renderer: errors are rendered as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_format(request) -> str:
    fmt = request.query_params.get("format") or "json"
    if fmt not in FORMATS:
        raise ValidationFailed([{"path": "format", "code": "INVALID", "message": "format is json or xlsx."}])
    return fmt


def xlsx_response(write, filename: str) -> FileResponse:
    """A workbook written by ``write(file)`` to a temporary file (spilled to disk past 8 MB), sent as an
    attachment."""
    fh = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write(fh)
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=filename, content_type=XLSX)


class ImsExportApi(APIView):
    content_negotiation_class = FormatParamIgnored

    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        fmt = export_format(request)
        qs = selectors.ims_filter(recipient=t, params=request.query_params)  # refuses bad filters first
        if fmt == "xlsx":
            return xlsx_response(lambda fh: excel.ims_export_xlsx(qs, fh), excel.export_filename(t, "xlsx"))
        response = StreamingHttpResponse(excel.ims_export_json(qs), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{excel.export_filename(t, "json")}"'
        return response


class ImsImportApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        job = import_start(request, t)
        return job_accepted(job)


def import_start(request, taxpayer):
    """Shared by the API and the page: refuse an oversized body before reading it, check and store the
    workbook, start the ``ims_import`` job."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise RuleViolation("TOO_LARGE", "The workbook is larger than 20 MB.", status=413)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed(
            [{"path": "file", "code": "REQUIRED", "message": "Attach the edited workbook as file."}]
        )
    with transaction.atomic():
        upload_slot_claim(taxpayer=taxpayer)
        name = excel.import_file_store(upload=upload)
        return job_start(
            kind="ims_import",
            taxpayer=taxpayer,
            user=request.user,
            params={"file": name, "by": request.user.username},
        )


class JobFileApi(APIView):
    """A file a job left (the import's error workbook), to whoever may see the job (R-8.2)."""

    def get(self, request, job_id, name):
        if not job_id.isdigit() or len(job_id) > 18:
            raise NotFound()
        job = job_visible(request.user, int(job_id))
        found = excel.job_file_path(job.id, name)
        if found is None:
            raise NotFound()
        return FileResponse(open(found, "rb"), as_attachment=True, filename=f"job-{job.id}-{name}")


urlpatterns = [
    path("ims/<str:gstin>/inward/export", ImsExportApi.as_view(), name="api_ims_export"),
    path("ims/<str:gstin>/inward/import", ImsImportApi.as_view(), name="api_ims_import"),
    path("jobs/<str:job_id>/files/<str:name>", JobFileApi.as_view(), name="api_job_file"),
]
