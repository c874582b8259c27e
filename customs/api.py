"""API: the customs feed (API.md "Import of goods", R-10.1), for staff and machine users with the
``customs_feed`` permission."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body
from core.errors import Forbidden, ValidationFailed
from core.schema import MULTIPART_FILE, Money, errors, job_started
from customs import services
from ims.models import Channel
from invoices.services import uploads
from jobs.api import job_accepted

TAG = ["Import of goods"]


def _require_feeder(request) -> None:
    if not services.may_feed(request.user):
        raise Forbidden("Only staff or a user with the customs_feed permission may post bills of entry.")


class BoeSerializer(serializers.Serializer):
    gstin = serializers.CharField(help_text="The importer's GSTIN (registered in the portal).")
    portcode = serializers.CharField(help_text="Customs port code: IN and 4 letters or digits (`INNSA1`).")
    boenum = serializers.CharField(help_text="Bill of entry number, 1 to 7 digits.")
    boedt = serializers.CharField(help_text="Bill of entry date, DD-MM-YYYY.")
    refdt = serializers.CharField(
        help_text="Reference date (customs cleared the goods), DD-MM-YYYY: its month "
        "is the BoE's 2B period (R-10.2)."
    )
    recdt = serializers.CharField(
        required=False, help_text="Date GSTN received it, DD-MM-YYYY (default today)."
    )
    txval = Money()
    igst = Money()
    cess = Money()
    sez_ctin = serializers.CharField(required=False, help_text="The SEZ supplier's GSTIN: an `impgsez` BoE.")
    isamd = serializers.ChoiceField(
        ["Y", "N"], required=False, help_text="Y: an amendment of a reported BoE."
    )
    old_gstin = serializers.CharField(
        required=False, help_text="With isamd Y: the importer the BoE moves from."
    )


class BoeFeedApi(APIView):
    class InputSerializer(serializers.Serializer):
        boe = BoeSerializer(many=True, help_text="Up to 10,000 bills of entry; all are saved or none.")

    @extend_schema(
        tags=TAG,
        operation_id="customs_boe_post",
        summary="Report bills of entry from customs (all or nothing)",
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "BoeFeedResult",
                {
                    "created": serializers.IntegerField(),
                    "amended": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                },
            ),
            **errors(400, 403, 413),
        },
    )
    def post(self, request):
        _require_feeder(request)
        items = body(request).get("boe")
        if not isinstance(items, list):
            raise ValidationFailed(
                [{"path": "boe", "code": "REQUIRED", "message": "boe is a list of bills of entry."}]
            )
        return Response(services.boe_feed_apply(items, channel=Channel.API), status=201)


class BoeUploadApi(APIView):
    parser_classes = [MultiPartParser]

    def dispatch(self, request, *args, **kwargs):
        # Before DRF wraps the request and anything reads the body: files stream to disk, size-capped.
        self.upload_handler = uploads.install_upload_handler(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        operation_id="customs_boe_upload",
        summary="Upload a customs feed file (JSON, any number of bills of entry) as a job",
        request=MULTIPART_FILE,
        responses=job_started(400, 403, 413),
    )
    def post(self, request):
        _require_feeder(request)
        uploads.check_request_size(request.META)
        file = request.FILES.get("file")
        if self.upload_handler.exceeded:
            raise uploads.too_large(what="customs feed")
        return job_accepted(services.boe_upload_receive(file=file, user=request.user))
