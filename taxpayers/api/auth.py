"""API: a token for a username and password (API.md "Auth and administration")."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.errors import RuleViolation
from core.schema import errors


class TokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        password = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")

    @extend_schema(
        tags=["Authentication"],
        operation_id="auth_token",
        summary="A token for a username and password",
        auth=[],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400)},
    )
    def post(self, request):
        data = validated(request, self.InputSerializer)
        user = authenticate(request, username=data.get("username"), password=data.get("password"))
        if user is None or not user.is_active:
            raise RuleViolation("INVALID_CREDENTIALS", "Wrong username or password.", status=400)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
