"""API: a token for a username and password (API.md "Auth and administration")."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api import validated
from core.errors import RuleViolation
from core.schema import errors
from taxpayers.signin import check_signin_allowed, fresh_token, record_signin


class TokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Each method decides below; the schema generator still sees a sign-in endpoint.

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
        responses={200: OutputSerializer, **errors(400, 429)},
    )
    def post(self, request):
        data = validated(request, self.InputSerializer)
        username = data.get("username") or ""
        check_signin_allowed(request, username)
        user = authenticate(request, username=username, password=data.get("password"))
        ok = user is not None and user.is_active
        record_signin(request, username, ok=ok)
        if not ok:
            raise RuleViolation("INVALID_CREDENTIALS", "Wrong username or password.", status=400)
        return Response({"token": fresh_token(user).key})

    @extend_schema(
        tags=["Authentication"],
        operation_id="auth_token_revoke",
        summary="Revoke the token this request is made with (or, from a browser session, the user's token)",
        request=None,
        responses={204: None, **errors(401)},
    )
    def delete(self, request):
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        Token.objects.filter(user=user).delete()
        return Response(status=204)

    def get_authenticators(self):
        # POST takes a password and needs no credentials; DELETE revokes the token it is made with.
        if self.request is not None and self.request.method == "DELETE":
            return [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]
