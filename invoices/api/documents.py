"""API: the supplier's documents and filings, and the recipient's IMS (API.md)."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import created, path_period
from core.errors import RuleViolation, ValidationFailed
from core.periods import period_code
from invoices import selectors, services
from invoices.serializers import documents_gstr1_json
from taxpayers.access import Perm, taxpayer_for

CHANNEL = "api"


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
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        p = path_period(period)
        docs = selectors.documents_for_period(supplier=t, period=p)
        return Response(documents_gstr1_json(gstin=t.gstin, period=p, docs=docs))

    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        p = path_period(period)
        if count_documents(request.data) > services.MAX_SYNC_DOCUMENTS:
            raise RuleViolation(
                "TOO_LARGE", "At most 10,000 documents per request; upload larger files.", status=413
            )
        result = services.documents_save(
            supplier=t, period=p, payload=request.data, by=request.user.username, channel=CHANNEL
        )
        return created(result)


class DocumentDeleteApi(APIView):
    def delete(self, request, gstin, period, doc_id):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        path_period(period)
        services.document_delete(supplier=t, document_id=doc_id, by=request.user.username, channel=CHANNEL)
        return Response(status=204)


class Gstr1Api(APIView):
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
                "totals": s["totals"],
            }
        )


class FileApi(APIView):
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.FILE)
        p = path_period(period)
        form = request.data.get("form") if isinstance(request.data, dict) else None
        if form not in ("GSTR1", "IFF", "GSTR1A"):
            raise ValidationFailed(
                [{"path": "form", "code": "INVALID", "message": "form is GSTR1, IFF or GSTR1A."}]
            )
        result = services.return_file(
            supplier=t, period=p, form=form, by=request.user.username, channel=CHANNEL
        )
        return Response({**result, "filed_at": result["filed_at"].isoformat()})
