"""API: the IMS Excel round trip and JSON export (issue 5, API.md ``/ims/{gstin}/inward/export`` and
``/import``), and the files a job leaves (``/jobs/{id}/files/{name}``). Routes of this module are included
under /api/v1/ by ims_portal/urls.py, before the record detail route that would capture ``export``."""

from django.db import transaction
from django.http import StreamingHttpResponse
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from core.api import FormatParamIgnored, export_format, xlsx_response
from core.errors import RuleViolation, ValidationFailed
from ims import selectors
from ims.services import excel
from jobs.api import job_accepted
from jobs.services import job_start, upload_slot_claim
from taxpayers.access import Perm, taxpayer_for

# Multipart overhead around a 20 MB workbook: a body larger than this is refused before it is read.
MAX_BODY = excel.MAX_IMPORT_BYTES + 64 * 1024


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
