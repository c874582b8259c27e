"""GSTN-compatible endpoints under ``/taxpayerapi/{version}/`` (API.md "GSTN-compatible API"): the IMS,
GSTR-2B and GSTR-1 actions of GSTN-FORMATS.md, answered in GSTN's envelope. Each calls the services and
selectors /api/v1/ uses, so every rule, audit row and job is the same."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from core import clock
from core.api import body
from core.errors import DomainError, RuleViolation, ValidationFailed
from core.periods import format_date, parse_period, period_code
from core.schema import Raw
from gstn import domain, selectors, services
from gstn.base import GstnView, ok
from ims.domain import ACTIONS
from invoices import selectors as gstr1_selectors
from invoices.models import Form, ReturnFiling
from invoices.selectors import outward_list
from invoices.serializers import documents_gstr1_json
from invoices.services import return_file
from jobs.models import JobKind
from returns.selectors import gstr2b_version
from returns.services import gstr2b
from taxpayers.access import Perm

TAG = ["GSTN-compatible API"]


def _q(name: str, words: str, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=required, description=words
    )


VERSION = OpenApiParameter(
    "version", OpenApiTypes.STR, OpenApiParameter.PATH, description="GSTN's API version, e.g. `v1.0`, `v4.0`."
)
ENVELOPE = inline_serializer(
    "GstnEnvelope",
    {
        "status_cd": serializers.ChoiceField(["0", "1"], help_text="1 success, 0 refused (see `error`)."),
        "data": Raw(required=False),
        "error": inline_serializer(
            "GstnError",
            {"error_cd": serializers.CharField(), "message": serializers.CharField()},
            required=False,
        ),
    },
)
ACTION_BODY = inline_serializer(
    "GstnActionBody", {"action": serializers.CharField(), "data": Raw(required=False)}
)
GSTIN_Q = _q("gstin", "GSTIN (or send it in the `gstin` header).")


def _period(raw: str, path: str) -> int:
    try:
        return parse_period(raw)
    except DomainError as exc:
        raise ValidationFailed([{"path": path, "code": exc.code, "message": exc.message}])


def _int(raw: str | None, path: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed([{"path": path, "code": "INVALID", "message": f"{path} is a whole number."}])


class ImsApi(GstnView):
    """IMS (§3): GETCNT, GETINV, FILEDET, REQSTS and the supplier view; SAVE and RESETIMS."""

    get_actions = {
        "GETCNT": "getcnt",
        "GETINV": "getinv",
        "FILEDET": "filedet",
        "REQSTS": "reqsts",
        "IMS_SUPPLIER_GET": "supplier_view",
    }
    put_actions = {"SAVE": "save", "RESETIMS": "reset"}

    @extend_schema(
        tags=TAG,
        operation_id="gstn_ims_get",
        summary="IMS: GETCNT, GETINV, FILEDET, REQSTS, IMS_SUPPLIER_GET (GSTN's shapes)",
        parameters=[
            VERSION,
            _q("action", "GETCNT | GETINV | FILEDET | REQSTS | IMS_SUPPLIER_GET", True),
            GSTIN_Q,
            _q("goods_typ", "GETCNT: ALL_OTH | INV_SUPP_ISD | IMP_GDS"),
            _q("section", "GETINV: B2B, B2BA, CN, CNA, DN, DNA, ECOM, ECOMA, IMPG, IMPGA, IMPGSEZ, IMPGSEZA"),
            _q("status", "GETINV: N, A, R or P"),
            _q("token", "FILEDET: the token of a large GETINV"),
            _q("file_num", "FILEDET: a file, from 1"),
            _q("int_tran_id", "REQSTS: the reference_id of a SAVE or RESETIMS"),
            _q("ret_period", "IMS_SUPPLIER_GET: the supplier's return period MMYYYY"),
            _q("rtn_typ", "IMS_SUPPLIER_GET: GSTR1 or GSTR1A"),
        ],
        responses={200: ENVELOPE},
    )
    def get(self, request, version):
        return self.get_action(request)

    @extend_schema(
        tags=TAG,
        operation_id="gstn_ims_put",
        summary="IMS: SAVE or RESETIMS records named by their natural key (a job: poll REQSTS)",
        parameters=[VERSION],
        request=ACTION_BODY,
        responses={200: ENVELOPE},
    )
    def put(self, request, version):
        return self.put_action(request)

    def getcnt(self, request):
        t = self.gstin(request)
        goods = request.query_params.get("goods_typ") or "ALL_OTH"
        if goods not in domain.GOODS:
            raise ValidationFailed(
                [
                    {
                        "path": "goods_typ",
                        "code": "INVALID",
                        "message": "goods_typ is ALL_OTH, INV_SUPP_ISD or IMP_GDS.",
                    }
                ]
            )
        return ok(selectors.ims_counts(t, goods))

    def getinv(self, request):
        t = self.gstin(request)
        code = (request.query_params.get("section") or "").upper()
        if code not in domain.SECTION_CODES:
            raise ValidationFailed(
                [
                    {
                        "path": "section",
                        "code": "INVALID",
                        "message": f"section is one of {', '.join(domain.SECTION_CODES)}.",
                    }
                ]
            )
        status = request.query_params.get("status") or None
        if status is not None and status not in ACTIONS:
            raise ValidationFailed(
                [{"path": "status", "code": "INVALID", "message": "status is N, A, R or P."}]
            )
        return ok(selectors.ims_getinv(t, domain.SECTION_CODES[code], status, clock.today()))

    def filedet(self, request):
        t = self.gstin(request)
        token = self.param(request, "token")
        return ok(
            selectors.ims_filedet(
                t, token, _int(request.query_params.get("file_num"), "file_num"), clock.today()
            )
        )

    def reqsts(self, request):
        t = self.gstin(request)
        job = services.request_job(
            request.user, self.param(request, "int_tran_id"), (JobKind.GSTN_IMS_SAVE,), t
        )
        return ok(services.ims_request_status(job))

    def supplier_view(self, request):
        """§3.6: the supplier's GSTR-1 (or 1A) documents of a period with each recipient's action."""
        t = self.gstin(request)
        period = _period(self.param(request, "ret_period", "rtnprd"), "ret_period")
        rtn_typ = (request.query_params.get("rtn_typ") or "").upper()
        forms = {"GSTR1": ("gstr1", (Form.GSTR1, Form.IFF)), "GSTR1A": ("gstr1a", (Form.GSTR1A,))}
        wanted = [forms[rtn_typ]] if rtn_typ in forms else list(forms.values())
        out = {"gstin": t.gstin, "rtnprd": period_code(period)}
        parts = {key: {} for key, _ in wanted}
        cursor = None
        while True:
            params = {"period": period_code(period), "limit": "500"}
            if cursor:
                params["cursor"] = cursor
            page, cursor = outward_list(supplier=t, params=params)
            for doc, rec in page:
                for key, form_set in wanted:
                    if doc.form in form_set:
                        _supplier_doc(parts[key], doc, rec)
            if not cursor:
                break
        out.update(parts)
        return ok(out)

    def save(self, request):
        return self._request(request, reset=False)

    def reset(self, request):
        return self._request(request, reset=True)

    def _request(self, request, reset: bool):
        data = body(request).get("data")
        rtin = data.get("rtin") if isinstance(data, dict) and isinstance(data.get("rtin"), str) else None
        t = self.gstin(request, Perm.WRITE, also=rtin)
        job = services.ims_request_start(recipient=t, data=data, user=request.user, reset=reset)
        return ok({"reference_id": str(job.id)})


def _supplier_doc(part: dict, doc, rec) -> None:
    note = doc.doc_type in ("CN", "DN")
    section = doc.section
    groups = part.setdefault(section, [])
    group = next((g for g in groups if g["ctin"] == doc.ctin), None)
    if group is None:
        group = {"ctin": doc.ctin, ("nt" if note else "inv"): []}
        groups.append(group)
    entry = {"nt_num" if note else "inum": doc.number, "nt_dt" if note else "idt": format_date(doc.doc_date)}
    if note:
        entry["ntty"] = "C" if doc.doc_type == "CN" else "D"
    entry.update(
        {
            "val": doc.val,
            "txval": doc.txval,
            "iamt": doc.iamt,
            "camt": doc.camt,
            "samt": doc.samt,
            "csamt": doc.csamt,
        }
    )
    shown = rec is not None and not rec.kept_out
    if shown and rec.action != "N":
        entry["imsactn"] = rec.action
        if rec.remarks:
            entry["remarks"] = rec.remarks
    group["nt" if note else "inv"].append(entry)


class Gstr2bApi(GstnView):
    """GSTR-2B (§2): GET2B (in files above 10,000 documents), GENSTS2B; GEN2B."""

    get_actions = {"GET2B": "get2b", "GENSTS2B": "gensts"}
    put_actions = {"GEN2B": "gen2b"}

    @extend_schema(
        tags=TAG,
        operation_id="gstn_gstr2b_get",
        summary="GSTR-2B: GET2B (GSTN's v4 JSON, by files) and GENSTS2B",
        parameters=[
            VERSION,
            _q("action", "GET2B | GENSTS2B", True),
            GSTIN_Q,
            _q("rtnprd", "GET2B: the 2B period MMYYYY"),
            _q("file_num", "GET2B: a file, from 1 (see `fc`)"),
            _q("int_tran_id", "GENSTS2B: the reference_id of a GEN2B"),
        ],
        responses={200: ENVELOPE},
    )
    def get(self, request, version):
        return self.get_action(request)

    @extend_schema(
        tags=TAG,
        operation_id="gstn_gstr2b_put",
        summary="GSTR-2B: GEN2B regenerates after IMS actions (a job: poll GENSTS2B)",
        parameters=[VERSION],
        request=ACTION_BODY,
        responses={200: ENVELOPE},
    )
    def put(self, request, version):
        return self.put_action(request)

    def get2b(self, request):
        t = self.gstin(request)
        period = _period(self.param(request, "rtnprd", "ret_period"), "rtnprd")
        version = gstr2b_version(taxpayer=t, period=period)
        reply = selectors.gstr2b_gstn(version, _int(request.query_params.get("file_num"), "file_num"))
        return _with_chksum(reply)

    def gen2b(self, request):
        data = body(request).get("data")
        data = data if isinstance(data, dict) else {}
        rtin = data.get("rtin") if isinstance(data.get("rtin"), str) else None
        t = self.gstin(request, Perm.WRITE, also=rtin)
        period = _period(data.get("itcprd") or self.param(request, "ret_period", "rtnprd"), "data.itcprd")
        if code := gstr2b.gstr2b_recompute_refusal(taxpayer=t, period=period):
            raise RuleViolation(code, gstr2b.RECOMPUTE_MESSAGES[code])
        job = gstr2b.gstr2b_recompute_start(taxpayer=t, period=period, user=request.user)
        return ok({"reference_id": str(job.id)})

    def gensts(self, request):
        t = self.gstin(request)
        job = services.request_job(
            request.user, self.param(request, "int_tran_id"), (JobKind.GSTR2B_RECOMPUTE,), t
        )
        error = job.error or {}
        return ok(
            {
                "status_cd": domain.request_status(job.status, 0),
                "err_cd": error.get("code", "") if job.status == "failed" else "",
                "err_msg": error.get("message", "") if job.status == "failed" else "",
            }
        )


def _with_chksum(reply: dict):
    response = ok(reply["data"])
    response.data["chksum"] = reply["chksum"]
    return response


class Gstr1Api(GstnView):
    """GSTR-1 (§1): RETSAVE (a job: poll RETSTATUS), per-section GETs, RETFILE."""

    get_actions = {action: "section" for action in domain.GSTR1_ACTIONS}
    put_actions = {"RETSAVE": "retsave"}
    post_actions = {"RETFILE": "retfile"}

    @extend_schema(
        tags=TAG,
        operation_id="gstn_gstr1_get",
        summary="GSTR-1: one section of a period (B2B, CDNR, B2CS, HSNSUM, DOCISS, …)",
        parameters=[
            VERSION,
            _q("action", "a section: B2B, B2BA, CDNR, B2CS, HSNSUM, …", True),
            GSTIN_Q,
            _q("ret_period", "MMYYYY (or the ret_period header)"),
        ],
        responses={200: ENVELOPE},
    )
    def get(self, request, version):
        return self.get_action(request)

    @extend_schema(
        tags=TAG,
        operation_id="gstn_gstr1_put",
        summary="GSTR-1: RETSAVE the GSTR-1 JSON (all sections; a job)",
        parameters=[VERSION],
        request=ACTION_BODY,
        responses={200: ENVELOPE},
    )
    def put(self, request, version):
        return self.put_action(request)

    @extend_schema(
        tags=TAG,
        operation_id="gstn_gstr1_post",
        summary="GSTR-1: RETFILE files the period's GSTR-1 (owner; the token stands for the signature)",
        parameters=[VERSION],
        request=ACTION_BODY,
        responses={200: ENVELOPE},
    )
    def post(self, request, version):
        return self.post_action(request)

    def section(self, request):
        t = self.gstin(request)
        period = _period(self.param(request, "ret_period", "fp"), "ret_period")
        key = domain.GSTR1_ACTIONS[request.query_params["action"]]
        docs = gstr1_selectors.documents_for_period(supplier=t, period=period)
        rows = gstr1_selectors.summary_rows_for_period(supplier=t, period=period)
        whole = documents_gstr1_json(gstin=t.gstin, period=period, docs=docs, rows=rows)
        empty = {"nil": {"inv": []}, "doc_issue": {"doc_det": []}, "hsn": {"data": []}}
        return ok({key: whole.get(key, empty.get(key, []))})

    def retsave(self, request):
        data = body(request).get("data")
        data = data if isinstance(data, dict) else None
        if data is None:
            raise ValidationFailed(
                [{"path": "data", "code": "REQUIRED", "message": "data is the GSTR-1 JSON."}]
            )
        also = data.get("gstin") if isinstance(data.get("gstin"), str) else None
        t = self.gstin(request, Perm.WRITE, also=also)
        period = _period(
            self.param(request, "ret_period", required=False) or data.get("fp") or "", "ret_period"
        )
        job = services.gstr1_retsave(supplier=t, period=period, data=data, user=request.user)
        return ok({"reference_id": str(job.id)})

    def retfile(self, request):
        t = self.gstin(request, Perm.FILE)
        data = body(request).get("data")
        fp = data.get("ret_period") if isinstance(data, dict) else None
        period = _period(self.param(request, "ret_period", required=False) or fp or "", "ret_period")
        result = return_file(
            supplier=t, period=period, form=Form.GSTR1, by=request.user.username, channel="api"
        )
        filing = ReturnFiling.objects.filter(taxpayer=t, form=Form.GSTR1, period=period).first()
        return ok(
            {
                "ack_num": f"AA{t.gstin[:2]}{period_code(period)}{filing.id:07d}",
                "status": "Filed",
                "filed_on": format_date(clock.today()),
                "documents": result["documents"],
            }
        )


class ReturnsApi(GstnView):
    """``GET returns?action=RETSTATUS``: the outcome of a RETSAVE (§1.1)."""

    get_actions = {"RETSTATUS": "retstatus"}

    @extend_schema(
        tags=TAG,
        operation_id="gstn_returns_get",
        summary="RETSTATUS: the outcome of a GSTR-1 RETSAVE",
        parameters=[
            VERSION,
            _q("action", "RETSTATUS", True),
            GSTIN_Q,
            _q("ret_period", "MMYYYY"),
            _q("ref_id", "the reference_id"),
        ],
        responses={200: ENVELOPE},
    )
    def get(self, request, version):
        return self.get_action(request)

    def retstatus(self, request):
        t = self.gstin(request)
        job = services.request_job(
            request.user, self.param(request, "ref_id", "int_tran_id"), (JobKind.GSTR1_UPLOAD,), t
        )
        return ok(services.gstr1_status(job))
