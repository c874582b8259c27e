"""API: the supplier's documents of a return period and its filing (API.md "Supplier: outward documents")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import created, path_period
from core.errors import RuleViolation, ValidationFailed
from core.periods import period_code
from core.schema import GSTIN, NO_CONTENT, PERIOD, errors
from ims.models import Channel
from invoices import selectors, services
from invoices.api.schemas import Gstr1Serializer, Gstr1SummarySerializer, SaveResultSerializer
from invoices.models import Form
from invoices.serializers import documents_gstr1_json
from taxpayers.access import Perm, taxpayer_for

TAG = ["GSTR-1"]


def count_documents(payload) -> int:
    if not isinstance(payload, dict):
        return 0
    n = 0
    for key, value in payload.items():
        if key in ("ecom", "ecoma") and isinstance(value, dict):
            groups = [g for v in value.values() if isinstance(v, list) for g in v]
        elif isinstance(value, list):
            groups = value
        else:
            continue
        for g in groups:
            if isinstance(g, dict):
                for k in ("inv", "nt"):
                    if isinstance(g.get(k), list):
                        n += len(g[k])
    return n


class DocumentsApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr1_documents_list",
        summary="The period's documents in GSTR-1 JSON, each with id, form and status",
        parameters=[GSTIN, PERIOD],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="GSTR-1 JSON."), **errors()},
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        p = path_period(period)
        docs = selectors.documents_for_period(supplier=t, period=p)
        rows = selectors.summary_rows_for_period(supplier=t, period=p)
        return Response(documents_gstr1_json(gstin=t.gstin, period=p, docs=docs, rows=rows))

    @extend_schema(
        tags=TAG,
        operation_id="gstr1_documents_save",
        summary="Save GSTR-1 JSON: every document, or none (R-3.11)",
        parameters=[GSTIN, PERIOD],
        request=Gstr1Serializer,
        responses={201: SaveResultSerializer, **errors(400, 403, 409, 413)},
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        if count_documents(request.data) > services.MAX_SYNC_DOCUMENTS:
            raise RuleViolation(
                "TOO_LARGE", "At most 10,000 documents per request; upload larger files.", status=413
            )
        result = services.documents_save(
            supplier=t, period=p, payload=request.data, by=request.user.username, channel=Channel.API
        )
        return created(result)


class DocumentDeleteApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr1_documents_delete",
        summary="Delete an unfiled document",
        parameters=[GSTIN, PERIOD, OpenApiParameter("doc_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: NO_CONTENT, **errors(403, 409)},
    )
    def delete(self, request, gstin, period, doc_id: int):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        # The path names the return period too: a document of another period is not found there.
        services.document_delete(
            supplier=t,
            period=path_period(period),
            document_id=doc_id,
            by=request.user.username,
            channel=Channel.API,
        )
        return Response(status=204)


class Gstr1Api(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="gstr1_read",
        summary="The period's forms with their status, and totals",
        parameters=[GSTIN, PERIOD],
        responses={200: Gstr1SummarySerializer, **errors()},
    )
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        s = services.gstr1_summary(supplier=t, period=path_period(period))
        return Response(
            {
                "period": period_code(s["period"]),
                "forms": [
                    {**f, "filed_at": f["filed_at"].isoformat() if f["filed_at"] else None}
                    for f in s["forms"]
                ],
                "tables": s["tables"],
                "nil": s["nil"],
                "totals": s["totals"],
            }
        )


class FileApi(APIView):
    class InputSerializer(serializers.Serializer):
        form = serializers.ChoiceField(Form.values)

    class OutputSerializer(serializers.Serializer):
        form = serializers.ChoiceField(Form.values)
        filed_at = serializers.DateTimeField()
        documents = serializers.IntegerField()

    @extend_schema(
        tags=TAG,
        operation_id="gstr1_file",
        summary="File GSTR-1, IFF or GSTR-1A (owner)",
        parameters=[GSTIN, PERIOD],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 403, 409)},
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.FILE)
        p = path_period(period)
        form = request.data.get("form") if isinstance(request.data, dict) else None
        if form not in Form.values:
            raise ValidationFailed(
                [{"path": "form", "code": "INVALID", "message": "form is GSTR1, IFF or GSTR1A."}]
            )
        result = services.return_file(
            supplier=t, period=p, form=form, by=request.user.username, channel=Channel.API
        )
        return Response({**result, "filed_at": result["filed_at"].isoformat()})
