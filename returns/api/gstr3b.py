"""API: GSTR-3B (R-6): the tables, and filing."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import path_period
from returns.services.gstr3b import gstr3b_file, gstr3b_view
from taxpayers.access import Perm, taxpayer_for


class Gstr3bApi(APIView):
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(gstr3b_view(taxpayer=t, period=path_period(period)))


class Gstr3bFileApi(APIView):
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.FILE)
        return Response(gstr3b_file(taxpayer=t, period=path_period(period), by=request.user.username))
