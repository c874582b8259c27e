"""API of purchase-register reconciliation (issue 16): an ERP sends its register as JSON, reads the result in
keyset pages, pairs and unpairs, edits proposals, applies them, and changes the GSTIN's rules."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api import body, keyset, page_args, path_period, xlsx_response
from core.errors import NotFound, ValidationFailed
from core.periods import business_date, period_code
from core.schema import GSTIN, PERIOD, errors, job_started
from jobs.api import job_accepted
from recon.models import Category, Register
from recon.selectors import attach, current_register, differences, rows, side, summary
from recon.services import export, review
from recon.services.apply import apply_start, propose
from recon.services.match import match_start, settings_for
from recon.services.registers import json_start
from taxpayers.access import Perm, taxpayer_for
from taxpayers.selectors import Calendar

TAG = ["Reconciliation"]
ROW_ID = OpenApiParameter("row_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _register(request, gstin, period, perm=Perm.READ) -> tuple:
    t = taxpayer_for(request.user, gstin, perm)
    reg = current_register(t.id, path_period(period))
    if reg is None:
        raise NotFound("No purchase register has been imported for this period.")
    return t, reg


def settings_out(st) -> dict:
    return {
        "tolerance": st.tolerance,
        "date_window": st.date_window,
        "on_matched": st.on_matched,
        "on_mismatch": st.on_mismatch,
        "on_ims_only": st.on_ims_only,
        "on_suggested": st.on_suggested,
    }


def summary_out(reg: Register) -> dict:
    s = summary(reg)
    return {
        "period": period_code(reg.period),
        "version": reg.version,
        "lines": reg.lines,
        "counts": s.counts,
        "match_rate": s.match_rate,
        "itc_at_risk": {"in_ims_not_in_books": s.ims_only_tax, "in_books_not_in_ims": s.books_only_tax},
    }


def row_out(m, prop) -> dict:
    return {
        "id": m.id,
        "category": m.category,
        "how": m.how or None,
        "differs": [f for f in m.fields.split(",") if f],
        "books": side(m.line) | {"line": m.line_id} if m.line else None,
        "ims": side(m.record) | {"record": m.record_id, "action": m.record.action} if m.record else None,
        "fields": differences(m),
        "proposal": {
            "action": prop.action or None,
            "remarks": prop.remarks,
            "decl": prop.decl,
            "why": prop.why or None,
        },
        "edited": bool(m.action),
    }


class ReconSummaryApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_summary",
        summary="A period's reconciliation: counts, match rate, ITC at risk",
        parameters=[GSTIN, PERIOD],
        responses={200: OpenApiTypes.OBJECT, **errors()},
    )
    def get(self, request, gstin, period):
        t, reg = _register(request, gstin, period)
        return Response(summary_out(reg) | {"settings": settings_out(settings_for(t.id))})


class ReconRegisterApi(APIView):
    class InputSerializer(serializers.Serializer):
        lines = serializers.ListField(
            child=serializers.DictField(),
            help_text="Documents of the books: stin, trdnm, typ (INV, CN, DN), num, dt (DD-MM-YYYY), pos, "
            "rchrg "
            "(Y/N), txval, iamt, camt, samt, csamt.",
        )

    @extend_schema(
        tags=TAG,
        operation_id="recon_register_import",
        summary="Import a period's purchase register (the next version), then match it, as a job",
        parameters=[GSTIN, PERIOD],
        request=InputSerializer,
        responses=job_started(400, 403, 413),
    )
    def post(self, request, gstin, period):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        job = json_start(
            taxpayer=t,
            period=path_period(period),
            body=body(request),
            user=request.user,
            by=request.user.username,
        )
        return job_accepted(job)


class ReconRowsApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_rows",
        summary="Rows of the reconciliation, in keyset pages",
        parameters=[
            GSTIN,
            PERIOD,
            OpenApiParameter("category", OpenApiTypes.STR, enum=Category.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Start of a document number."),
            OpenApiParameter("supplier", OpenApiTypes.STR, description="Start of a supplier GSTIN."),
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("cursor", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(400)},
    )
    def get(self, request, gstin, period):
        t, reg = _register(request, gstin, period)
        category = request.query_params.get("category") or ""
        if category and category not in Category.values:
            raise ValidationFailed([{"path": "category", "code": "INVALID", "message": "No such category."}])
        limit, after = page_args(request.query_params)
        qs = rows(
            reg,
            category=category,
            q=request.query_params.get("q", ""),
            supplier=request.query_params.get("supplier", ""),
        )
        page, nxt = keyset(qs, limit, after)
        attach(reg, page)
        st, cal, today = settings_for(t.id), Calendar(t), business_date(clock.now())
        return Response(
            {
                "records": [row_out(m, propose(m, register=reg, st=st, cal=cal, today=today)) for m in page],
                "next_cursor": nxt,
            }
        )


class ReconRowApi(APIView):
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(
            choices=review.ACTION_CHOICES, help_text='"" = the rules\' proposal; "-" = none.'
        )
        remarks = serializers.CharField(required=False, allow_null=True, allow_blank=True)

    @extend_schema(
        tags=TAG,
        operation_id="recon_row_edit",
        summary="Edit a row's proposed action and remarks",
        parameters=[GSTIN, PERIOD, ROW_ID],
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403)},
    )
    def patch(self, request, gstin, period, row_id):
        t, reg = _register(request, gstin, period, Perm.WRITE)
        data = body(request)
        m = review.edit(reg, match_id=row_id, action=data.get("action", ""), remarks=data.get("remarks"))
        (m,) = attach(reg, [rows(reg).get(id=m.id)])
        prop = propose(
            m, register=reg, st=settings_for(t.id), cal=Calendar(t), today=business_date(clock.now())
        )
        return Response(row_out(m, prop))


class ReconPairApi(APIView):
    class InputSerializer(serializers.Serializer):
        line = serializers.IntegerField()
        record = serializers.IntegerField()

    @extend_schema(
        tags=TAG,
        operation_id="recon_pair",
        summary="Pair a register line with an IMS record by hand",
        parameters=[GSTIN, PERIOD],
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403, 409)},
    )
    def post(self, request, gstin, period):
        t, reg = _register(request, gstin, period, Perm.WRITE)
        data = body(request)
        review.pair(reg, line_id=data.get("line"), record_id=data.get("record"), by=request.user.username)
        return Response(summary_out(reg))


class ReconUnpairApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_unpair",
        summary="Separate a pair for good",
        parameters=[GSTIN, PERIOD, ROW_ID],
        request=None,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403, 409)},
    )
    def post(self, request, gstin, period, row_id):
        t, reg = _register(request, gstin, period, Perm.WRITE)
        review.unpair(reg, match_id=row_id, by=request.user.username)
        return Response(summary_out(reg))


class ReconApplyApi(APIView):
    class InputSerializer(serializers.Serializer):
        categories = serializers.ListField(
            child=serializers.ChoiceField(choices=Category.values), required=False
        )

    @extend_schema(
        tags=TAG,
        operation_id="recon_apply",
        summary="Apply the proposed actions (audit channel reconciliation), as a job",
        parameters=[GSTIN, PERIOD],
        request=InputSerializer,
        responses=job_started(400, 403),
    )
    def post(self, request, gstin, period):
        t, reg = _register(request, gstin, period, Perm.WRITE)
        data = body(request)
        cats = data.get("categories") or []
        if not isinstance(cats, list) or not all(c in Category.values for c in cats):
            raise ValidationFailed(
                [{"path": "categories", "code": "INVALID", "message": "categories is a list of categories."}]
            )
        job = apply_start(
            register=reg, categories=cats, user=request.user, role=t.role, by=request.user.username
        )
        return job_accepted(job)


class ReconMatchApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_match",
        summary="Match the current register again, as a job",
        parameters=[GSTIN, PERIOD],
        request=None,
        responses=job_started(403),
    )
    def post(self, request, gstin, period):
        t, reg = _register(request, gstin, period, Perm.WRITE)
        job = match_start(reg, t, request.user)
        return job_accepted(job)


class ReconExportApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_export",
        summary="The reconciliation as an Excel workbook (a job above RECON_EXPORT_SYNC_MAX rows)",
        parameters=[GSTIN, PERIOD],
        responses={200: OpenApiTypes.BINARY, **job_started()},
    )
    def get(self, request, gstin, period):
        t, reg = _register(request, gstin, period)
        if job := export.export_job(reg, t, request.user):
            return job_accepted(job)
        return xlsx_response(lambda fh: export.write(reg, fh), export.filename(reg, t.gstin))


class ReconSettingsApi(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="recon_settings",
        summary="The GSTIN's reconciliation rules",
        parameters=[GSTIN],
        responses={200: OpenApiTypes.OBJECT, **errors()},
    )
    def get(self, request, gstin):
        t = taxpayer_for(request.user, gstin)
        return Response(settings_out(settings_for(t.id)))

    @extend_schema(
        tags=TAG,
        operation_id="recon_settings_save",
        summary="Change the GSTIN's reconciliation rules",
        parameters=[GSTIN],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403)},
    )
    def put(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.WRITE)
        return Response(settings_out(review.settings_save(t, body(request))))
