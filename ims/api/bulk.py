"""API: bulk action by filter (issue 5, API.md ``POST /ims/{gstin}/inward/bulk``) as a job."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body
from core.errors import ValidationFailed
from core.schema import GSTIN, job_started
from ims.api.schemas import FILTERS
from ims.domain import ACTIONS
from ims.services.bulk import bulk_request_errors
from ims.services.proposals import covered, proposals_for_filter
from jobs.api import job_accepted
from jobs.models import JobKind
from jobs.services import job_start
from taxpayers.access import Perm, taxpayer_for


class BulkFilterSerializer(serializers.Serializer):
    pass


for _key, _words in FILTERS.items():
    BulkFilterSerializer._declared_fields[_key] = serializers.CharField(required=False, help_text=_words)


class ImsBulkApi(APIView):
    class InputSerializer(serializers.Serializer):
        filter = BulkFilterSerializer(help_text="The list filters; `{}` selects every active record.")
        action = serializers.ChoiceField(ACTIONS)
        remarks = serializers.CharField(required=False, allow_null=True, help_text="With R or P only.")

    @extend_schema(
        tags=["IMS inward"],
        operation_id="ims_inward_bulk",
        summary="One action on every active record the filters select, as a job",
        parameters=[GSTIN],
        request=InputSerializer,
        responses=job_started(400, 403),
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        # The filter, action and remarks are checked by the bulk rules with their own codes and paths
        # (an unknown filter key is refused, never ignored): the serializer above documents the body.
        data = body(request)
        flt, action, remarks = data.get("filter"), data.get("action"), data.get("remarks")
        if errors := bulk_request_errors(filter=flt, action=action, remarks=remarks):
            raise ValidationFailed(errors)
        if covered(t, t.role, action):  # issue 17: a preparer's bulk action becomes proposals
            n = proposals_for_filter(
                recipient=t, filter=flt, action=action, remarks=remarks, by=request.user.username
            )
            return Response({"proposed": n}, status=200)
        job = job_start(
            kind=JobKind.IMS_BULK,
            taxpayer=t,
            user=request.user,
            params={"filter": flt, "action": action, "remarks": remarks, "by": request.user.username},
        )
        return job_accepted(job)
