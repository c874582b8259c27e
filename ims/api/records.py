"""API: the recipient's IMS records — summary, list, one record with its history, and batch actions
(API.md "Recipient: IMS")."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.errors import ValidationFailed
from ims import selectors
from ims.models import Channel
from ims.serializers import audit_out, record_out
from ims.services.actions import ims_actions_apply
from taxpayers.access import Perm, taxpayer_for
from taxpayers.models import Taxpayer

CHANNEL = Channel.API


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
            ims_actions_apply(recipient=t, actions=actions, by=request.user.username, channel=CHANNEL)
        )
