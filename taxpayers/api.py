"""API: auth, taxpayers, members, users and the sandbox clock (API.md "Auth and administration")."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ims_portal.api import created
from ims_portal.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from invoices.selectors import keyset, page_args
from taxpayers import clock, services
from taxpayers.access import Perm, taxpayer_for, visible_taxpayers
from taxpayers.domain import period_code
from taxpayers.models import Membership, Taxpayer


def require_staff(request) -> None:
    if not request.user.is_staff:
        raise Forbidden("Only staff may do this.")


def body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed(
            [{"path": "", "code": "INVALID", "message": "The body must be a JSON object."}]
        )
    return request.data


def taxpayer_out(t: Taxpayer) -> dict:
    freqs = [
        {"from_period": period_code(f.from_period), "frequency": f.frequency} for f in t.frequencies.all()
    ]
    return {
        "gstin": t.gstin,
        "legal_name": t.legal_name,
        "trade_name": t.trade_name,
        "state_code": t.state_code,
        "ims_start_period": period_code(t.ims_start_period),
        "frequencies": freqs,
    }


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


class TaxpayerListApi(APIView):
    def get(self, request):
        limit, after = page_args(request.query_params)
        rows, nxt = keyset(visible_taxpayers(request.user).prefetch_related("frequencies"), limit, after)
        return Response({"records": [taxpayer_out(t) for t in rows], "next_cursor": nxt})

    def post(self, request):
        require_staff(request)
        data = body(request)
        t = services.taxpayer_create(
            gstin=data.get("gstin"),
            legal_name=data.get("legal_name"),
            trade_name=data.get("trade_name") or "",
            filing_frequency=data.get("filing_frequency") or "M",
            ims_start_period=data.get("ims_start_period"),
        )
        return created(taxpayer_out(t))


class TaxpayerDetailApi(APIView):
    def get(self, request, gstin):
        return Response(taxpayer_out(taxpayer_for(request.user, gstin)))


class FrequencyApi(APIView):
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = body(request)
        services.frequency_set(
            taxpayer=t, from_period=data.get("from_period"), frequency=data.get("frequency")
        )
        return Response(taxpayer_out(Taxpayer.objects.get(id=t.id)))


class MemberListApi(APIView):
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        limit, after = page_args(request.query_params)
        rows, nxt = keyset(Membership.objects.filter(taxpayer=t).select_related("user"), limit, after)
        return Response(
            {"records": [{"username": m.user.username, "role": m.role} for m in rows], "next_cursor": nxt}
        )

    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = body(request)
        m = services.member_add(taxpayer=t, username=data.get("username"), role=data.get("role"))
        return created({"username": m.user.username, "role": m.role, "gstin": t.gstin})


class MemberDetailApi(APIView):
    def delete(self, request, gstin, username):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        services.member_remove(taxpayer=t, username=username)
        return Response(status=204)


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


class ClockApi(APIView):
    """R-9.4: staff set business time; 404 unless the sandbox clock is enabled."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not settings.IMS_SANDBOX_CLOCK:
            raise NotFound()
        require_staff(request)

    def _reply(self):
        return Response({"now": clock.now().astimezone(clock_tz()).isoformat(), "sandbox": True})

    def get(self, request):
        return self._reply()

    def put(self, request):
        raw = body(request).get("now")
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationFailed(
                [{"path": "now", "code": "INVALID", "message": "now is ISO 8601 with an offset."}]
            )
        clock.clock_set(business_at=moment)
        return self._reply()

    def delete(self, request):
        clock.clock_reset()
        return self._reply()


def clock_tz():
    from taxpayers.domain import IST

    return IST
