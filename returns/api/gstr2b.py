"""API: GSTR-2B of a recipient (API.md "Recipient: GSTR-2B and GSTR-3B")."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FormatParamIgnored, export_format, path_period, xlsx_response
from core.errors import NotFound, RuleViolation
from returns import selectors
from returns.exports import gstr2b_workbook
from returns.services import gstr2b
from taxpayers.access import Perm, taxpayer_for


class Gstr2bApi(APIView):
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(
            selectors.gstr2b_reply(selectors.gstr2b_version(taxpayer=t, period=path_period(period)))
        )


class Gstr2bVersionsApi(APIView):
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(
            {
                "records": selectors.gstr2b_versions(taxpayer=t, period=path_period(period)),
                "next_cursor": None,
            }
        )


class Gstr2bVersionApi(APIView):
    def get(self, request, gstin, period, version: int):
        t = taxpayer_for(request.user, gstin)
        v = selectors.gstr2b_version(taxpayer=t, period=path_period(period), version=version)
        return Response(selectors.gstr2b_reply(v))


class Gstr2bGenerateApi(APIView):
    """Recompute (R-5.5) as a job: refusals answer at once with 409, the work runs in the job."""

    def post(self, request, gstin, period):
        from jobs.services import job_out, job_start

        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        if code := gstr2b.gstr2b_recompute_refusal(taxpayer=t, period=p):
            raise RuleViolation(code, gstr2b.RECOMPUTE_MESSAGES[code])
        job = job_start(
            kind="gstr2b_recompute",
            taxpayer=t,
            user=request.user,
            params={"period": p, "by": request.user.username},
        )
        job.refresh_from_db()
        return Response(job_out(job), status=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


class Gstr2bExportApi(APIView):
    """The latest (or ``?version=n``) 2B as JSON (the reply of GET 2B) or as an Excel workbook."""

    content_negotiation_class = FormatParamIgnored

    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        p = path_period(period)
        fmt = export_format(request)
        raw = request.query_params.get("version")
        if raw is not None and not raw.isdigit():
            raise NotFound()
        reply = selectors.gstr2b_reply(
            selectors.gstr2b_version(taxpayer=t, period=p, version=int(raw) if raw else None)
        )
        if fmt == "json":
            return Response(reply)
        name = f"GSTR2B_{t.gstin}_{period}_v{reply['data']['version']}.xlsx"
        return xlsx_response(lambda fh: gstr2b_workbook(reply, fh), name)
