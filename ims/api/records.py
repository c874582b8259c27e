"""API: the recipient's IMS records — summary, list, one record with its history, and batch actions
(API.md "Recipient: IMS")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api import validated
from core.schema import GSTIN, LIST_ARGS, Money, Raw, errors, page_of, query
from ims import selectors
from ims.api.schemas import (
    FILTERS,
    BatchResultSerializer,
    RecordDetailSerializer,
    RecordSerializer,
    SummarySerializer,
)
from ims.domain import ACTIONS
from ims.models import Channel
from ims.serializers import RECORD_FIELDS, audit_out, record_out
from ims.services.actions import MAX_ACTIONS
from ims.services.proposals import ims_actions_submit
from taxpayers.access import Perm, taxpayer_for

TAG = ["IMS inward"]


class ImsSummaryApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="ims_summary",
        summary="Active records by section and action",
        parameters=[GSTIN],
        responses={200: SummarySerializer, **errors()},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        return Response(selectors.ims_summary(recipient=t))


class ImsListApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="ims_inward_list",
        summary="The recipient's records, by id",
        parameters=[
            GSTIN,
            *[query(k, v) for k, v in FILTERS.items()],
            query("left", "`true`: records that left IMS too.", OpenApiTypes.BOOL),
            *LIST_ARGS,
        ],
        responses={200: page_of("RecordPage", RecordSerializer), **errors(400)},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = selectors.ims_list(recipient=t, params=request.query_params, fields=RECORD_FIELDS)
        today = clock.today()
        return Response({"records": [record_out(r, today) for r in rows], "next_cursor": nxt})


class ImsDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="ims_inward_read",
        summary="One record with its history",
        parameters=[GSTIN, OpenApiParameter("record_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: RecordDetailSerializer, **errors()},
    )
    def get(self, request, gstin, record_id: int):
        t = taxpayer_for(request.user, gstin)
        rec = selectors.ims_record(recipient=t, record_id=record_id)
        out = record_out(rec, clock.today())
        out["history"] = [audit_out(a) for a in selectors.ims_history(record=rec)]
        return Response(out)


class ActionSerializer(serializers.Serializer):
    """One action of a batch (documentation: each entry is checked by the service, and refused on its own)."""

    id = serializers.IntegerField()
    action = serializers.ChoiceField(ACTIONS)
    prev_status = serializers.ChoiceField(ACTIONS, required=False, help_text="STALE guard.")
    hash = serializers.CharField(required=False, help_text="STALE guard: the record's `hash`.")
    remarks = serializers.CharField(required=False, help_text="With R or P only (R-4.5).")
    itcRedReq = serializers.ChoiceField(["Y", "N"], required=False)  # noqa: N815 (GSTN's name)
    declIgst = Money(required=False)  # noqa: N815
    declCgst = Money(required=False)  # noqa: N815
    declSgst = Money(required=False)  # noqa: N815
    declCess = Money(required=False)  # noqa: N815


class ActionsBodySerializer(serializers.Serializer):
    actions = ActionSerializer(many=True, help_text=f"At most {MAX_ACTIONS:,} (413 above).")


class ImsActionsApi(APIView):
    class InputSerializer(serializers.Serializer):
        # Entries stay raw: a malformed one is refused on its own, not the whole batch.
        actions = serializers.ListField(child=Raw(), help_text=f"At most {MAX_ACTIONS:,}.")

    @extend_schema(
        tags=TAG,
        operation_id="ims_inward_actions",
        summary="Accept, reject, keep pending or reset records (R-4.10)",
        parameters=[GSTIN],
        request=ActionsBodySerializer,
        responses={200: BatchResultSerializer, **errors(400, 403, 413)},
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        actions = validated(request, self.InputSerializer)["actions"]
        return Response(
            ims_actions_submit(
                recipient=t, actions=actions, role=t.role, by=request.user.username, channel=Channel.API
            )
        )
