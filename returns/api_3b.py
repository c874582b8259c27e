"""API: GSTR-3B (R-6) and the supplier's outward view (R-7.1). Routes are included under /api/v1/ by
ims_portal/urls.py."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices import domain as ims_domain
from invoices.api import by, path_period
from invoices.models import Document, ImsRecord
from returns.models import AddBack
from returns.outward import addbacks_list, outward_list
from returns.services.gstr3b import gstr3b_file, gstr3b_view
from taxpayers.access import Perm, taxpayer_for
from taxpayers.domain import format_date, period_code

NOTE_SECTIONS = ("b2bdn", "b2bdna", "b2bcn", "b2bcna")


class Gstr3bApi(APIView):
    def get(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin)
        return Response(gstr3b_view(taxpayer=t, period=path_period(period)))


class Gstr3bFileApi(APIView):
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.FILE)
        return Response(gstr3b_file(taxpayer=t, period=path_period(period), by=by(request)))


def _number(section: str, number: str, doc_date=None) -> dict:
    if section in NOTE_SECTIONS:
        out = {"nt_num": number}
        if doc_date is not None:
            out["nt_dt"] = format_date(doc_date)
    else:
        out = {"inum": number}
        if doc_date is not None:
            out["idt"] = format_date(doc_date)
    return out


def _outward_row(doc: Document, rec: ImsRecord | None) -> dict:
    section = ims_domain.ims_section(gstr1_section=doc.section, doc_type=doc.doc_type)
    shown = rec is not None and not rec.kept_out
    return {
        "id": doc.id,
        "ctin": doc.ctin,
        "section": section,
        **_number(section, doc.number, doc.doc_date),
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


def _addback_row(e: AddBack) -> dict:
    return {
        "id": e.id,
        "record_id": e.record_id,
        "ctin": e.ctin,
        "section": e.section,
        **_number(e.section, e.number),
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
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        rows, nxt = addbacks_list(supplier=t, params=request.query_params)
        return Response({"records": [_addback_row(e) for e in rows], "next_cursor": nxt})


urlpatterns = [
    path("gstr3b/<str:gstin>/<str:period>", Gstr3bApi.as_view()),
    path("gstr3b/<str:gstin>/<str:period>/file", Gstr3bFileApi.as_view()),
    path("ims/<str:gstin>/outward", OutwardApi.as_view()),
    path("ims/<str:gstin>/outward/addbacks", OutwardAddbacksApi.as_view()),
]
