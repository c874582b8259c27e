"""API: staff run GSTR-2B generation for a period (R-5.2, R-5.5) as a job."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from core.api import body, require_staff
from core.errors import DomainError, ValidationFailed
from core.periods import parse_period
from core.schema import job_started
from jobs.api import job_accepted
from jobs.models import JobKind
from jobs.services import job_start
from taxpayers.domain import gstin_error, normalize_gstin


class AdminGstr2bGenerateApi(APIView):
    """R-5.2 / R-5.5: generate the 2B of a period where none exists, for every or the listed GSTINs."""

    class InputSerializer(serializers.Serializer):
        period = serializers.CharField(help_text="`MMYYYY`")
        gstins = serializers.ListField(
            child=serializers.CharField(), required=False, help_text="Omit for every GSTIN."
        )

    @extend_schema(
        tags=["Administration"],
        operation_id="admin_gstr2b_generate",
        summary="Generate the draft GSTR-2B of a period where none exists (staff)",
        request=InputSerializer,
        responses=job_started(400, 403),
    )
    def post(self, request):
        require_staff(request)
        data = body(request)
        errors: list[dict] = []
        period = None
        try:
            period = parse_period(data.get("period"))
        except DomainError as exc:
            errors.append({"path": "period", "code": exc.code, "message": exc.message})
        gstins = data.get("gstins")
        if gstins is not None:
            if not isinstance(gstins, list) or not gstins:
                errors.append(
                    {"path": "gstins", "code": "INVALID", "message": "gstins is a non-empty list of GSTINs."}
                )
            else:
                for i, g in enumerate(gstins):
                    if problem := gstin_error(g):
                        errors.append({"path": f"gstins[{i}]", "code": problem[0], "message": problem[1]})
                gstins = list(dict.fromkeys(normalize_gstin(g) for g in gstins))
        if errors:
            raise ValidationFailed(errors)
        job = job_start(
            kind=JobKind.GSTR2B_GENERATE,
            user=request.user,
            params={"period": period, "gstins": gstins, "trigger": "admin", "by": request.user.username},
        )
        return job_accepted(job)
