"""API glue: JSON parsed with exact decimals, every error in the one body shape of API.md."""

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, ParseError
from rest_framework.response import Response

from ims_portal.errors import RuleViolation


class DecimalJSONParser(JSONParser):
    """Money must be exact: JSON numbers with a fraction become Decimal, never float."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        return Response(error_body("NOT_FOUND", "Not found."), status=404)
    if isinstance(exc, PermissionDenied):
        return Response(error_body("FORBIDDEN", "Your role does not allow this."), status=403)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Response(error_body("NOT_AUTHENTICATED", str(exc.detail)), status=401)
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
