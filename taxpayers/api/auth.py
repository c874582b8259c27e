"""API: a token for a username and password (API.md "Auth and administration")."""

from django.contrib.auth import authenticate
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body
from core.errors import RuleViolation


class TokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = body(request)
        user = authenticate(request, username=data.get("username"), password=data.get("password"))
        if user is None or not user.is_active:
            raise RuleViolation("INVALID_CREDENTIALS", "Wrong username or password.", status=400)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
