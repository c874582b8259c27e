"""API: members of a GSTIN and their roles (R-8.1), managed by its owners."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import created, keyset, page_args, validated
from core.schema import GSTIN, LIST_ARGS, NO_CONTENT, errors, page_of
from taxpayers import services
from taxpayers.access import Perm, taxpayer_for
from taxpayers.models import Membership

TAG = ["Taxpayers"]


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(["owner", "preparer", "viewer"])


class MemberListApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        role = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, help_text="`owner`, `preparer` or `viewer`."
        )

    class OutputSerializer(MemberSerializer):
        gstin = serializers.CharField()

    @extend_schema(
        tags=TAG,
        operation_id="members_list",
        parameters=[GSTIN, *LIST_ARGS],
        responses={200: page_of("MemberPage", MemberSerializer), **errors()},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        limit, after = page_args(request.query_params)
        rows, nxt = keyset(Membership.objects.filter(taxpayer=t).select_related("user"), limit, after)
        return Response(
            {"records": [{"username": m.user.username, "role": m.role} for m in rows], "next_cursor": nxt}
        )

    @extend_schema(
        tags=TAG,
        operation_id="members_add",
        summary="Add a member or change their role (owner)",
        parameters=[GSTIN],
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(400, 403, 409)},
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = validated(request, self.InputSerializer)
        m = services.member_add(taxpayer=t, username=data.get("username"), role=data.get("role"))
        return created({"username": m.user.username, "role": m.role, "gstin": t.gstin})


class MemberDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="members_remove",
        summary="Remove a member (owner)",
        parameters=[GSTIN, OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={204: NO_CONTENT, **errors(403, 409)},
    )
    def delete(self, request, gstin, username):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        services.member_remove(taxpayer=t, username=username)
        return Response(status=204)
