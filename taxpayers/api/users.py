"""API: users, created by staff with their memberships."""

from rest_framework.views import APIView

from core.api import body, created, require_staff
from taxpayers import services


class UserCreateApi(APIView):
    def post(self, request):
        require_staff(request)
        data = body(request)
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
