"""The shapes every API operation shares, for the OpenAPI schema (`/api/v1/schema/`): the error body, the
keyset page, the job reply, money, and the GSTIN / period path arguments. The API modules describe their
own bodies with serializers nested in their API classes (STYLE.md) and use these for the rest."""

from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers


def Money(**kw) -> serializers.DecimalField:  # noqa: N802 (reads as a field type)
    """An amount: a JSON number with at most two decimals (API.md conventions)."""
    return serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=False, **kw)


@extend_schema_field(OpenApiTypes.ANY)
class Raw(serializers.Field):
    """Any JSON value, kept as sent (a service checks it and refuses it with its own code and path)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class ErrorDetailSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where the problem is, as in the request (`b2b[0].inv[2].idt`).")
    code = serializers.CharField(help_text="Stable upper-case code (`TAX_MISMATCH`, `REQUIRED`, …).")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable upper-case code of API.md (`VALIDATION`, `NOT_FOUND`, …).")
    message = serializers.CharField()
    details = serializers.ListField(child=serializers.DictField(), help_text="Problems, or reasons.")


class ErrorBodySerializer(serializers.Serializer):
    """Every error: `{"error": {"code", "message", "details": [...]}}`."""

    error = ErrorSerializer()


ERROR_WORDS = {
    400: "The request has errors (`VALIDATION` with `details`, or another input code).",
    401: "Not authenticated (`NOT_AUTHENTICATED`).",
    403: "Your role does not allow this (`FORBIDDEN`).",
    404: "Unknown, invisible or malformed (`NOT_FOUND`, identical for all three, R-8.2).",
    409: "A rule or the state refuses it: the rule's code.",
    413: "Too large (`TOO_LARGE`).",
    429: "Too many failed sign-ins (`TOO_MANY_ATTEMPTS`); `Retry-After` says how many seconds to wait.",
    503: "A service the request needs is unavailable.",
}


def errors(*statuses: int) -> dict:
    """The error replies of an operation: 401 and 404 always (authentication, R-8.2), plus ``statuses``."""
    codes = sorted({401, 404, *statuses})
    return {s: OpenApiResponse(ErrorBodySerializer, description=ERROR_WORDS[s]) for s in codes}


def page_of(name: str, item) -> serializers.Serializer:
    """A keyset page (API.md): `{"records": [...], "next_cursor": str | null}`."""
    return inline_serializer(
        name=name,
        fields={
            "records": serializers.ListField(child=item)
            if isinstance(item, serializers.Field)
            else item(many=True),
            "next_cursor": serializers.CharField(
                allow_null=True, help_text="Pass as `?cursor=` for the next page."
            ),
        },
    )


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class JobSerializer(serializers.Serializer):
    """A job (R-9.3), as `GET /jobs/{id}` answers and every 202 carries."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(["queued", "running", "succeeded", "failed"])
    progress = JobProgressSerializer()
    result = serializers.DictField(allow_null=True, help_text="The job's outcome once it succeeded.")
    error = ErrorSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def job_started(*statuses: int) -> dict:
    """A job-starting operation: 202 with the job (and `Location: /api/v1/jobs/{id}`), and its errors."""
    return {202: OpenApiResponse(JobSerializer, description="Started: follow the job."), **errors(*statuses)}


NO_CONTENT = OpenApiResponse(description="Done; no body.")

GSTIN = OpenApiParameter(
    "gstin", OpenApiTypes.STR, OpenApiParameter.PATH, description="15-character GSTIN (case-insensitive)."
)
PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, OpenApiParameter.PATH, description="Tax period `MMYYYY` (`102025`)."
)
LIST_ARGS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="Page size (default 100, at most 1000)."),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="`next_cursor` of the previous page."),
]


def query(name: str, description: str, kind=OpenApiTypes.STR, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, enum=enum)


MULTIPART_FILE = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
}


class AutoSchema(_AutoSchema):
    """drf-spectacular's schema, naming the serializers nested in an API class after the class
    (`TokenApi.InputSerializer` → `TokenInput`), so every operation's body is its own component."""

    def get_serializer_name(self, serializer, direction):
        cls = serializer if isinstance(serializer, type) else type(serializer)
        owner, _, name = cls.__qualname__.rpartition(".")
        if owner and name in ("InputSerializer", "OutputSerializer"):
            return owner.removesuffix("Api") + name.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)
