"""API: the supplier's outward view (R-7.1): each document with its recipient's current action."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.periods import period_code
from core.schema import GSTIN, LIST_ARGS, Money, errors, page_of, query
from ims import domain as ims_domain
from ims.domain import ACTIONS, SUPPLIER_SECTIONS
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


class OutwardRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The document's id.")
    ctin = serializers.CharField()
    section = serializers.ChoiceField(SUPPLIER_SECTIONS)
    inum = serializers.CharField(required=False)
    idt = serializers.CharField(required=False)
    nt_num = serializers.CharField(required=False)
    nt_dt = serializers.CharField(required=False)
    rtnprd = serializers.CharField()
    form = serializers.CharField()
    status = serializers.ChoiceField(["saved", "filed"])
    txval = Money()
    iamt = Money()
    camt = Money()
    samt = Money()
    cess = Money()
    action = serializers.ChoiceField(ACTIONS, allow_null=True)
    rsn = serializers.ChoiceField(["P", "C"], allow_null=True)
    remarks = serializers.CharField(allow_null=True)
    itc_period = serializers.CharField(allow_null=True)
    left_ims = serializers.BooleanField()
    deemed_accepted = serializers.BooleanField()


class OutwardApi(APIView):
    @extend_schema(
        tags=["IMS outward"],
        operation_id="ims_outward_list",
        summary="The supplier's documents with each recipient's action (R-7.1)",
        parameters=[
            GSTIN,
            query("period", "Supplier return period `MMYYYY`."),
            query("ctin", "Recipient GSTIN."),
            query("section", "IMS section."),
            query("action", "`N`, `A`, `R` or `P`."),
            *LIST_ARGS,
        ],
        responses={200: page_of("OutwardPage", OutwardRowSerializer), **errors(400)},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = outward_list(supplier=t, params=request.query_params)
        return Response({"records": [_outward_row(d, rec) for d, rec in rows], "next_cursor": nxt})
