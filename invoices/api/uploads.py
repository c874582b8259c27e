"""API: large GSTR-1 uploads as jobs (API.md ``POST /gstr1/{gstin}/{period}/uploads``)."""

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.views import APIView

from core.api import path_period
from core.schema import GSTIN, MULTIPART_FILE, PERIOD, job_started
from invoices.services import uploads
from jobs.api import job_accepted
from taxpayers.access import Perm, taxpayer_for


class UploadsApi(APIView):
    parser_classes = [MultiPartParser]

    def dispatch(self, request, *args, **kwargs):
        # Before DRF wraps the request and anything reads the body: files stream to disk, size-capped.
        self.upload_handler = uploads.install_upload_handler(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        tags=["GSTR-1"],
        operation_id="gstr1_uploads",
        summary="Upload a GSTR-1 JSON file (up to 100 MB) as a job",
        parameters=[GSTIN, PERIOD],
        request=MULTIPART_FILE,
        responses=job_started(400, 403, 409, 413),
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        uploads.check_request_size(request.META)
        file = request.FILES.get("file")
        if self.upload_handler.exceeded:
            raise uploads.too_large()
        job = uploads.upload_receive(taxpayer=t, period=p, file=file, user=request.user)
        return job_accepted(job)
