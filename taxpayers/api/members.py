"""API: members of a GSTIN and their roles (R-8.1), managed by its owners."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body, created, keyset, page_args
from taxpayers import services
from taxpayers.access import Perm, taxpayer_for
from taxpayers.models import Membership


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
