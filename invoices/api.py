"""API: the supplier's documents and filings, and the recipient's IMS (API.md)."""

from rest_framework.response import Response
from rest_framework.views import APIView

from ims_portal.api import created
from ims_portal.errors import NotFound, RuleViolation, ValidationFailed
from invoices import selectors, services
from invoices.serializers import audit_out, documents_gstr1_json, record_out
from taxpayers import clock
from taxpayers.access import Perm, taxpayer_for
from taxpayers.domain import DomainError, parse_period, period_code
from taxpayers.models import Taxpayer

CHANNEL = "api"


def path_period(raw: str) -> int:
    """A malformed period in a path is a 404 like any unknown resource."""
    try:
        return parse_period(raw)
    except DomainError:
        raise NotFound()


def by(request) -> str:
    return request.user.username


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
            supplier=t, period=p, payload=request.data, by=by(request), channel=CHANNEL
        )
        return created(result)


class DocumentDeleteApi(APIView):
    def delete(self, request, gstin, period, doc_id):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        path_period(period)
        services.document_delete(supplier=t, document_id=doc_id, by=by(request), channel=CHANNEL)
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
        result = services.return_file(supplier=t, period=p, form=form, by=by(request), channel=CHANNEL)
        return Response({**result, "filed_at": result["filed_at"].isoformat()})


class ImsSummaryApi(APIView):
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        return Response(selectors.ims_summary(recipient=t))


class ImsListApi(APIView):
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = selectors.ims_list(recipient=t, params=request.query_params)
        today = clock.today()
        return Response({"records": [record_out(r, today) for r in rows], "next_cursor": nxt})


class ImsDetailApi(APIView):
    def get(self, request, gstin, record_id):
        t: Taxpayer = taxpayer_for(request.user, gstin)
        rec = selectors.ims_record(recipient=t, record_id=record_id)
        out = record_out(rec, clock.today())
        out["history"] = [audit_out(a) for a in selectors.ims_history(record=rec)]
        return Response(out)


class ImsActionsApi(APIView):
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        data = request.data if isinstance(request.data, dict) else {}
        actions = data.get("actions")
        if not isinstance(actions, list):
            raise ValidationFailed([{"path": "actions", "code": "REQUIRED", "message": "actions is a list."}])
        return Response(
            services.ims_actions_apply(recipient=t, actions=actions, by=by(request), channel=CHANNEL)
        )
