"""API: large GSTR-1 uploads as jobs (API.md ``POST /gstr1/{gstin}/{period}/uploads``). Included under
/api/v1/ by ims_portal/urls.py."""

from rest_framework.parsers import MultiPartParser
from rest_framework.views import APIView

from core.api import path_period
from invoices.services import uploads
from jobs.api import job_accepted
from taxpayers.access import Perm, taxpayer_for


class UploadsApi(APIView):
    parser_classes = [MultiPartParser]

    def dispatch(self, request, *args, **kwargs):
        # Before DRF wraps the request and anything reads the body: files stream to disk, size-capped.
        self.upload_handler = uploads.install_upload_handler(request)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        uploads.check_request_size(request.META)
        file = request.FILES.get("file")
        if self.upload_handler.exceeded:
            raise uploads.too_large()
        job = uploads.upload_receive(taxpayer=t, period=p, file=file, user=request.user)
        return job_accepted(job)
