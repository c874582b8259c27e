"""API: the supplier's outward view (R-7.1): each document with its recipient's current action."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.periods import period_code
from ims import domain as ims_domain
from ims.models import ImsRecord
from ims.serializers import number_fields
from invoices.models import Document
from invoices.selectors import outward_list
from taxpayers.access import taxpayer_for


def _outward_row(doc: Document, rec: ImsRecord | None) -> dict:
    section = ims_domain.ims_section(gstr1_section=doc.section, doc_type=doc.doc_type)
    shown = rec is not None and not rec.kept_out
    return {
        "id": doc.id,
        "ctin": doc.ctin,
        "section": section,
        **number_fields(section, doc.number, doc.doc_date),
        "rtnprd": period_code(doc.period),
        "form": doc.form,
        "status": "filed" if doc.filed_at else "saved",
        "txval": doc.txval,
        "iamt": doc.iamt,
        "camt": doc.camt,
        "samt": doc.samt,
        "cess": doc.csamt,
        "action": rec.action if shown else None,
        "rsn": rec.rsn if rec is not None else None,
        "remarks": rec.remarks if shown else None,
        "itc_period": period_code(rec.itc_period) if rec is not None else None,
        "left_ims": rec.left_ims if rec is not None else False,
        "deemed_accepted": rec.deemed_accepted if rec is not None else False,
    }


class OutwardApi(APIView):
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = outward_list(supplier=t, params=request.query_params)
        return Response({"records": [_outward_row(d, rec) for d, rec in rows], "next_cursor": nxt})
