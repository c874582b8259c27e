"""API: GSTR-3B (R-6): the tables, and filing."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import path_period
from core.schema import GSTIN, PERIOD, errors
from returns.api.schemas import Gstr3bSerializer
from returns.services.gstr3b import gstr3b_file, gstr3b_view
from taxpayers.access import Perm, taxpayer_for

TAG = ["GSTR-3B"]


class Gstr3bApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr3b_read",
        summary="GSTR-3B: tables, status and what blocks filing (R-6)",
        parameters=[GSTIN, PERIOD],
        responses={200: Gstr3bSerializer, **errors(409)},
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(gstr3b_view(taxpayer=t, period=path_period(period)))


class Gstr3bFileApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr3b_file",
        summary="File GSTR-3B (owner): refused with the first code of R-6.3",
        parameters=[GSTIN, PERIOD],
        request=None,
        responses={200: Gstr3bSerializer, **errors(403, 409)},
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.FILE)
        return Response(gstr3b_file(taxpayer=t, period=path_period(period), by=request.user.username))
