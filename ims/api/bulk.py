"""API: bulk action by filter (issue 5, API.md ``POST /ims/{gstin}/inward/bulk``). Routes of this module are
included under /api/v1/ by ims_portal/urls.py, before the record detail route that would capture ``bulk``."""

from rest_framework.views import APIView

from core.errors import ValidationFailed
from ims.services.bulk import bulk_request_errors
from jobs.api import job_accepted
from jobs.services import job_start
from taxpayers.access import Perm, taxpayer_for


class ImsBulkApi(APIView):
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        data = request.data if isinstance(request.data, dict) else {}
        flt, action, remarks = data.get("filter"), data.get("action"), data.get("remarks")
        if errors := bulk_request_errors(filter=flt, action=action, remarks=remarks):
            raise ValidationFailed(errors)
        job = job_start(
            kind="ims_bulk",
            taxpayer=t,
            user=request.user,
            params={"filter": flt, "action": action, "remarks": remarks, "by": request.user.username},
        )
        return job_accepted(job)
