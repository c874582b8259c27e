"""API: GSTR-2B of a recipient (API.md "Recipient: GSTR-2B and GSTR-3B")."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FormatParamIgnored, export_format, path_period, xlsx_response
from core.errors import NotFound, RuleViolation
from core.schema import GSTIN, PERIOD, JobSerializer, errors, job_started, page_of, query
from jobs.api import job_accepted
from jobs.models import JobKind
from jobs.services import job_start
from returns import exports, selectors
from returns.api.schemas import Gstr2bSerializer, Gstr2bVersionSerializer
from returns.services import gstr2b
from taxpayers.access import Perm, taxpayer_for

TAG = ["GSTR-2B"]


def gstr2b_response(v):
    """The 2B reply; above STREAM_LINES lines the same JSON sent as it is read (issue 12), so a
    200,000-line 2B never sits in memory as one body."""
    if selectors.gstr2b_is_large(v):
        return StreamingHttpResponse(selectors.gstr2b_reply_stream(v), content_type="application/json")
    return Response(selectors.gstr2b_reply(v))


class Gstr2bApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_read",
        summary="The latest GSTR-2B version (404 NOT_GENERATED with the reason)",
        parameters=[GSTIN, PERIOD],
        responses={200: Gstr2bSerializer, **errors()},
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return gstr2b_response(selectors.gstr2b_version(taxpayer=t, period=path_period(period)))


class Gstr2bVersionsApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_versions_list",
        parameters=[GSTIN, PERIOD],
        responses={200: page_of("Gstr2bVersionPage", Gstr2bVersionSerializer), **errors()},
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(
            {
                "records": selectors.gstr2b_versions(taxpayer=t, period=path_period(period)),
                "next_cursor": None,
            }
        )


class Gstr2bVersionApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_versions_read",
        parameters=[GSTIN, PERIOD, OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: Gstr2bSerializer, **errors()},
    )
    def get(self, request, gstin, period, version: int):
        t = taxpayer_for(request.user, gstin)
        v = selectors.gstr2b_version(taxpayer=t, period=path_period(period), version=version)
        return gstr2b_response(v)


class Gstr2bGenerateApi(APIView):
    """Recompute (R-5.5) as a job: refusals answer at once with 409, the work runs in the job."""

    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_generate",
        summary="Recompute GSTR-2B (R-5.5), as a job",
        parameters=[GSTIN, PERIOD],
        request=None,
        responses=job_started(403, 409),
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        if code := gstr2b.gstr2b_recompute_refusal(taxpayer=t, period=p):
            raise RuleViolation(code, gstr2b.RECOMPUTE_MESSAGES[code])
        return job_accepted(gstr2b.gstr2b_recompute_start(taxpayer=t, period=p, user=request.user))


class Gstr2bExportApi(APIView):
    """The latest (or ``?version=n``) 2B as JSON (the reply of GET 2B) or as an Excel workbook."""

    content_negotiation_class = FormatParamIgnored

    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_export",
        summary="GSTR-2B as JSON or an Excel workbook",
        parameters=[
            GSTIN,
            PERIOD,
            query("format", "`json` (default) or `xlsx`.", enum=["json", "xlsx"]),
            query("version", "A version number; the latest by default.", OpenApiTypes.INT),
        ],
        responses={
            (200, "application/json"): Gstr2bSerializer,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A Summary sheet and one sheet per section."
            ),
            202: OpenApiResponse(JobSerializer, description="xlsx of a large 2B: a job, its file when done."),
            **errors(400),
        },
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        p = path_period(period)
        fmt = export_format(request)
        raw = request.query_params.get("version")
        if raw is not None and not raw.isdigit():
            raise NotFound()
        version = selectors.gstr2b_version(taxpayer=t, period=p, version=int(raw) if raw else None)
        if fmt == "xlsx" and exports.is_large(version):  # issue 12: a large workbook is a job
            job = job_start(
                kind=JobKind.GSTR2B_EXPORT,
                taxpayer=t,
                user=request.user,
                params={"period": p, "version": version.version, "by": request.user.username},
            )
            return job_accepted(job)
        if fmt == "json":
            return gstr2b_response(version)
        reply = selectors.gstr2b_reply(version)
        return xlsx_response(lambda fh: exports.gstr2b_workbook(reply, fh), exports.workbook_name(version))


class Gstr2bDiffApi(APIView):
    """Issue 17: what changed between two versions of a 2B and why (``?from=&to=``, keyset pages of the
    changed records, every total that changed)."""

    @extend_schema(
        tags=TAG,
        operation_id="gstr2b_diff",
        summary="What changed between two GSTR-2B versions, and why",
        parameters=[
            GSTIN,
            PERIOD,
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="The earlier version"),
            OpenApiParameter("to", OpenApiTypes.INT, required=True, description="The later version"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Changes a page (default 500)"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="next_cursor of the previous page"),
        ],
        responses={200: OpenApiTypes.OBJECT, **errors()},
    )
    def get(self, request, gstin, period):
        from returns.diff import gstr2b_diff

        t = taxpayer_for(request.user, gstin)
        return Response(gstr2b_diff(taxpayer=t, period=path_period(period), params=request.query_params))
