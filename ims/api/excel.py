"""API: the IMS Excel round trip and JSON export (issue 5, API.md ``/ims/{gstin}/inward/export`` and
``/import``)."""

from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from core.api import FormatParamIgnored, export_format, xlsx_response
from core.errors import RuleViolation, ValidationFailed
from core.schema import GSTIN, MULTIPART_FILE, JobSerializer, errors, job_started, query
from ims import selectors
from ims.api.schemas import FILTERS
from ims.services import excel
from jobs.api import job_accepted
from jobs.models import JobKind
from jobs.services import job_start, upload_slot_claim
from taxpayers.access import Perm, taxpayer_for

# Multipart overhead around a 20 MB workbook: a body larger than this is refused before it is read.
MAX_BODY = excel.MAX_IMPORT_BYTES + 64 * 1024


class ImsExportApi(APIView):
    content_negotiation_class = FormatParamIgnored

    @extend_schema(
        tags=["IMS inward"],
        operation_id="ims_inward_export",
        summary="The filtered records as JSON (all of them) or an Excel workbook",
        parameters=[
            GSTIN,
            query("format", "`json` (default) or `xlsx`.", enum=["json", "xlsx"]),
            *[query(k, v) for k, v in FILTERS.items()],
            query("left", "`true`: records that left IMS too.", OpenApiTypes.BOOL),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="`{records, next_cursor}`"
            ),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="One sheet per section, editable Action and Remarks."
            ),
            202: OpenApiResponse(
                JobSerializer,
                description="xlsx of more records than the sync limit: a job, its file when done.",
            ),
            **errors(400),
        },
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        fmt = export_format(request)
        qs = selectors.ims_filter(recipient=t, params=request.query_params)  # refuses bad filters first
        if fmt == "xlsx":
            if qs.count() > excel.export_sync_max():  # a large workbook is a job: 202, then its file
                return job_accepted(export_start(request, t))
            return xlsx_response(lambda fh: excel.ims_export_xlsx(qs, fh), excel.export_filename(t, "xlsx"))
        excel.ims_export_probe(qs)  # a failure is an error reply, not a 200 that breaks off
        response = StreamingHttpResponse(excel.ims_export_json(qs), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{excel.export_filename(t, "json")}"'
        return response


class ImsImportApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["IMS inward"],
        operation_id="ims_inward_import",
        summary="Apply an edited export workbook, as a job",
        parameters=[GSTIN],
        request=MULTIPART_FILE,
        responses=job_started(400, 403, 409, 413),
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        job = import_start(request, t)
        return job_accepted(job)


def export_start(request, taxpayer):
    """Shared by the API and the page: the Excel export of the request's filters as a job."""
    return job_start(
        kind=JobKind.IMS_EXPORT,
        taxpayer=taxpayer,
        user=request.user,
        params={"filter": excel.export_params(request.GET), "by": request.user.username},
    )


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
    # Read and check the workbook before taking the taxpayer's lock: a slow file must not hold up the
    # GSTIN's saves and actions (issue 14, High 2).
    excel.import_file_check(upload)
    with transaction.atomic():
        upload_slot_claim(taxpayer=taxpayer)
        name = excel.import_file_store(upload=upload)
        return job_start(
            kind=JobKind.IMS_IMPORT,
            taxpayer=taxpayer,
            user=request.user,
            params={"file": name, "by": request.user.username},
        )
