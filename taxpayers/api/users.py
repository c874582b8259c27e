"""API: users, created by staff with their memberships."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from core.api import created, require_staff, validated
from core.schema import Raw, errors
from taxpayers import services


class MembershipSerializer(serializers.Serializer):
    gstin = serializers.CharField()
    role = serializers.ChoiceField(["owner", "preparer", "viewer"])


class UserCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        password = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, help_text="At least 8 characters."
        )
        email = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        # Each membership is checked by the service (unknown GSTIN, repeats, roles), with its path.
        memberships = serializers.ListField(
            child=Raw(), required=False, allow_null=True, help_text="`[{gstin, role}]`."
        )

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        memberships = MembershipSerializer(many=True)

    @extend_schema(
        tags=["Administration"],
        operation_id="users_create",
        summary="Create a user with memberships (staff)",
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(400, 403, 409)},
    )
    def post(self, request):
        require_staff(request)
        data = validated(request, self.InputSerializer)
        user = services.user_create(
            username=data.get("username"),
            password=data.get("password"),
            email=data.get("email") or "",
            memberships=data.get("memberships") or [],
        )
        ms = [
            {"gstin": m.taxpayer.gstin, "role": m.role} for m in user.memberships.select_related("taxpayer")
        ]
        return created({"username": user.username, "memberships": ms})
