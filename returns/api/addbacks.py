"""API: the supplier's add-back entries (R-6.4): rejections of ITC-reducing records that raised its
liability, and their reversals."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.periods import period_code
from core.schema import GSTIN, LIST_ARGS, errors, page_of
from ims.serializers import number_fields
from returns.api.schemas import AddBackSerializer
from returns.models import AddBack
from returns.selectors import addbacks_list
from taxpayers.access import taxpayer_for


def _addback_row(e: AddBack) -> dict:
    return {
        "id": e.id,
        "record_id": e.record_id,
        "ctin": e.ctin,
        "section": e.section,
        **number_fields(e.section, e.number),
        "txval": e.txval,
        "igst": e.igst,
        "cgst": e.cgst,
        "sgst": e.sgst,
        "cess": e.cess,
        "rejected_in_period": period_code(e.rejected_in_period),
        "added_in_period": period_code(e.added_in_period),
        "reversal": e.reversal,
        "negates": e.negates_id,
    }


class OutwardAddbacksApi(APIView):
    @extend_schema(
        tags=["IMS outward"],
        operation_id="ims_outward_addbacks",
        summary="Add-back entries of the supplier's liability (R-6.4)",
        parameters=[GSTIN, *LIST_ARGS],
        responses={200: page_of("AddBackPage", AddBackSerializer), **errors(400)},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = addbacks_list(supplier=t, params=request.query_params)
        return Response({"records": [_addback_row(e) for e in rows], "next_cursor": nxt})
