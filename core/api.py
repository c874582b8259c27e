"""API glue: JSON parsed with exact decimals, every error in the one body shape of API.md, keyset pages."""

import base64
import json
import tempfile
from decimal import Decimal

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser, ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import encoders

from core.errors import DomainError, Forbidden, NotFound, RuleViolation, ValidationFailed
from core.periods import parse_period
from core.text import MAX_DEPTH, json_problem


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, encoded by orjson (issue 12): the same bytes for what the API sends — compact, UTF-8,
    ``Decimal`` as a number — with dates, times and anything else orjson does not know handed to DRF's own
    encoder, so their text is unchanged."""

    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=self._options)


_drf_default = encoders.JSONEncoder().default


def _default(obj):
    # Money first (hundreds per page), as DRF's encoder writes it: a number.
    return float(obj) if type(obj) is Decimal else _drf_default(obj)


class DecimalJSONParser(JSONParser):
    """Money must be exact: JSON numbers with a fraction become Decimal, never float."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ParseError(f"The body is nested more than {MAX_DEPTH} levels deep.") from exc
        if problem := json_problem(data):
            raise ParseError(problem)
        return data


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        return Response(error_body("NOT_FOUND", "Not found."), status=404)
    if isinstance(exc, PermissionDenied):
        return Response(error_body("FORBIDDEN", "Your role does not allow this."), status=403)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF put the scheme to use on the exception (RFC 9110: a 401 names its challenge).
        headers = {"WWW-Authenticate": exc.auth_header} if getattr(exc, "auth_header", None) else None
        return Response(error_body("NOT_AUTHENTICATED", str(exc.detail)), status=401, headers=headers)
    if isinstance(exc, exceptions.PermissionDenied):
        return Response(error_body("FORBIDDEN", str(exc.detail)), status=403)
    if isinstance(exc, exceptions.NotFound):
        return Response(error_body("NOT_FOUND", "Not found."), status=404)
    if isinstance(exc, exceptions.ValidationError):
        return Response(error_body("VALIDATION", "The request has errors.", _flatten(exc.detail)), status=400)
    if isinstance(exc, exceptions.ParseError):
        return Response(
            error_body(
                "VALIDATION", str(exc.detail), [{"path": "", "code": "INVALID", "message": str(exc.detail)}]
            ),
            status=400,
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Response(error_body("VALIDATION", str(exc.detail)), status=415)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response(error_body("METHOD_NOT_ALLOWED", str(exc.detail)), status=405)
    if isinstance(exc, exceptions.Throttled):
        return Response(error_body("THROTTLED", str(exc.detail)), status=429)
    if isinstance(exc, exceptions.APIException):
        return Response(error_body("ERROR", str(exc.detail)), status=exc.status_code)
    return None


def _flatten(detail, prefix: str = "") -> list[dict]:
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors":
                path = prefix
            out.extend(_flatten(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            for v in detail:
                code = getattr(v, "code", "invalid")
                out.append(
                    {
                        "path": prefix,
                        "code": "REQUIRED" if code == "required" else "INVALID",
                        "message": str(v),
                    }
                )
        else:
            for i, value in enumerate(detail):
                out.extend(_flatten(value, f"{prefix}[{i}]"))
    else:
        out.append({"path": prefix, "code": "INVALID", "message": str(detail)})
    return out


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


# --- keyset pagination (API.md: every list) -----------------------------------------------------------------

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def page_args(params) -> tuple[int, int | None]:
    """?limit= (default 100, capped at 1000) and ?cursor= (an opaque token of the last id)."""
    try:
        limit = int(params.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        raise ValidationFailed([{"path": "limit", "code": "INVALID", "message": "limit is a whole number."}])
    limit = max(1, min(limit, MAX_LIMIT))
    cursor = params.get("cursor")
    if not cursor:
        return limit, None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())["after"]
        if not isinstance(after, int):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed([{"path": "cursor", "code": "INVALID", "message": "cursor is not valid."}])
    return limit, after


def make_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def keyset(qs, limit: int, after: int | None) -> tuple[list, str | None]:
    """One page ordered by id: fetch limit + 1 rows to know whether another page exists."""
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    nxt = make_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], nxt


# --- request glue -------------------------------------------------------------------------------------------


def body(request) -> dict:
    """The JSON object of a request; anything else is 400 VALIDATION at the root."""
    if not isinstance(request.data, dict):
        raise ValidationFailed(
            [{"path": "", "code": "INVALID", "message": "The body must be a JSON object."}]
        )
    return request.data


def validated(request, serializer_class) -> dict:
    """The body checked by an API class's ``InputSerializer`` (shapes and types; the services check the
    rules): its validated data, or 400 VALIDATION with every problem at its path."""
    serializer = serializer_class(data=body(request))
    if not serializer.is_valid():
        raise ValidationFailed(_flatten(serializer.errors))
    return serializer.validated_data


def path_period(raw: str) -> int:
    """A malformed period in a path is a 404 like any unknown resource."""
    try:
        return parse_period(raw)
    except DomainError:
        raise NotFound()


def require_staff(request) -> None:
    if not request.user.is_staff:
        raise Forbidden("Only staff may do this.")


# --- file replies -------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("json", "xlsx")


class FormatParamIgnored(DefaultContentNegotiation):
    """``?format=xlsx`` names the file to produce, not a DRF renderer: errors are rendered as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_format(request) -> str:
    fmt = request.query_params.get("format") or "json"
    if fmt not in FORMATS:
        raise ValidationFailed([{"path": "format", "code": "INVALID", "message": "format is json or xlsx."}])
    return fmt


def xlsx_response(write, filename: str) -> FileResponse:
    """A workbook written by ``write(file)`` to a temporary file (spilled to disk past 8 MB), sent as an
    attachment."""
    fh = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write(fh)
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=filename, content_type=XLSX)


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/v1/ that names no route: the contract's error body, never an HTML page."""
    return JsonResponse(error_body("NOT_FOUND", "Not found."), status=404)
