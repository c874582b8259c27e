"""API of maker-checker (issue 17, item 3): the open proposals, and an owner's decision on them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body
from core.errors import ValidationFailed
from core.periods import IST
from core.schema import GSTIN, errors
from ims.models import Proposal
from ims.services.proposals import proposals_decide
from taxpayers.access import Perm, taxpayer_for

TAG = ["IMS"]


def proposal_out(p: Proposal) -> dict:
    return {
        "id": p.id,
        "record": p.record_id,
        "number": p.record.number,
        "action": p.action,
        "remarks": p.remarks,
        "decl": p.decl,
        "proposed_by": p.proposed_by,
        "proposed_at": p.proposed_at.astimezone(IST).isoformat(),
        "status": p.status,
        "decided_by": p.decided_by or None,
        "comment": p.comment or None,
    }


class ProposalsApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="ims_proposals_list",
        summary="Open maker-checker proposals (at most 1,000, oldest first)",
        parameters=[GSTIN],
        responses={200: OpenApiTypes.OBJECT, **errors()},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows = (
            Proposal.objects.filter(recipient=t, status=Proposal.OPEN)
            .select_related("record")
            .order_by("id")[:1000]
        )
        return Response({"proposals": [proposal_out(p) for p in rows]})


class ProposalsDecideApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), help_text="Proposal ids.")
        decision = serializers.ChoiceField(choices=["approve", "return"])
        comment = serializers.CharField(required=False, allow_blank=True, help_text="Required to return.")

    @extend_schema(
        tags=TAG,
        operation_id="ims_proposals_decide",
        summary="An owner approves (applies) or returns proposals",
        parameters=[GSTIN],
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403)},
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = body(request)
        ids, decision = data.get("ids"), data.get("decision")
        problems = []
        if (
            not isinstance(ids, list)
            or not ids
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            problems.append({"path": "ids", "code": "INVALID", "message": "ids is a list of proposal ids."})
        if decision not in ("approve", "return"):
            problems.append(
                {"path": "decision", "code": "INVALID", "message": "decision is approve or return."}
            )
        comment = data.get("comment") or ""
        if not isinstance(comment, str):
            problems.append({"path": "comment", "code": "INVALID", "message": "comment is text."})
        if problems:
            raise ValidationFailed(problems)
        return Response(
            proposals_decide(
                recipient=t,
                ids=ids[:1000],
                approve=decision == "approve",
                by=request.user.username,
                comment=comment,
                channel="api",
            )
        )
