"""What every GSTN-compatible endpoint shares: GSTN's envelope, the ``auth-token`` header, the GSTIN from
the query or the ``gstin`` header, and the action dispatch (``?action=`` on GET, ``{"action"}`` in a body)."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body
from core.errors import NotFound, RuleViolation, ValidationFailed
from taxpayers.access import Perm, taxpayer_for
from taxpayers.signin import ExpiringTokenAuthentication

VERSION = re.compile(r"v\d{1,2}\.\d{1,2}")
TOKEN_KEY = re.compile(r"[0-9a-fA-F]{20,64}")
# Our codes that have a GSTN counterpart (GSTN-FORMATS.md); every other code is ours, unchanged.
GSTN_CODES = {
    "NOT_GENERATED": "RET2B1023",  # GSTR-2B not generated
    "DRAFT_NOT_DUE": "RET2B1018",  # requested before the cut-off date
    "RETURN_FILED": "IMS2B007",  # incorrect ITC period or 3B already filed
    "STALE": "IMSSAV0010",  # previous action incorrect / invoice edited by the supplier
}
# Transport-level refusals keep their HTTP status (a client must re-authenticate, or has no such GSTIN or
# reference: NOT_FOUND, the body makes equal for both); a refusal by a rule (a 2B not generated
# included) is HTTP 200 with status_cd "0", as GSTN answers.
KEEP_STATUS = {401, 403, 404, 405, 413, 415, 429, 503}


class AuthTokenHeaderScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ``auth-token`` (its own name: it is not DRF's ``Authorization``)."""

    target_class = "gstn.base.AuthTokenHeader"
    name = "gstnAuthToken"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "auth-token"}


class AuthTokenHeader(ExpiringTokenAuthentication):
    """GSPs send the session token in ``auth-token``; our API token goes there (or in Authorization)."""

    def authenticate(self, request):
        key = request.META.get("HTTP_AUTH_TOKEN", "").strip()
        if not key:
            return None
        if not TOKEN_KEY.fullmatch(key):  # never hand PostgreSQL a NUL or other junk (found by the fuzzer)
            raise exceptions.AuthenticationFailed("Invalid token.")
        return self.authenticate_credentials(key)

    def authenticate_header(self, request):
        return "auth-token"


def ok(data) -> Response:
    return Response({"status_cd": "1", "data": data})


def gstn_error(code: str, message: str, status: int = 200, details=None) -> Response:
    error = {"error_cd": GSTN_CODES.get(code, code), "message": message}
    if details:
        error["details"] = details
    return Response({"status_cd": "0", "error": error}, status=status)


class GstnView(APIView):
    """A GSTN-compatible endpoint. Subclasses name their actions in ``get_actions`` / ``put_actions`` /
    ``post_actions`` (action -> method name); an unknown action is refused in GSTN's envelope."""

    # auth-token (GSPs), our Authorization token, or the browser's session (as /api/v1/).
    authentication_classes = [AuthTokenHeader, ExpiringTokenAuthentication, SessionAuthentication]
    get_actions: dict[str, str] = {}
    put_actions: dict[str, str] = {}
    post_actions: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not VERSION.fullmatch(kwargs.get("version", "")):
            raise NotFound("Unknown API version; GSTN's versions look like v1.0 or v4.0.")

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        err = response.data.get("error") if isinstance(response.data, dict) else None
        if not err:
            return response
        keep = response.status_code in KEEP_STATUS and (
            response.status_code != 404 or err["code"] == "NOT_FOUND"
        )
        status = response.status_code if keep else 200
        out = gstn_error(err["code"], err["message"], status, err.get("details"))
        for header in ("WWW-Authenticate", "Retry-After"):
            if header in response:
                out[header] = response[header]
        return out

    def _dispatch_action(self, request, table: dict, action):
        name = table.get(action) if isinstance(action, str) else None
        if name is None:
            allowed = ", ".join(table) or "none"
            raise RuleViolation(
                "INVALID_ACTION", f"Unknown action {action!r}; this URL takes {allowed}.", status=400
            )
        return getattr(self, name)(request)

    # Subclasses define get / put / post (documented per operation) and call these.
    def get_action(self, request):
        return self._dispatch_action(request, self.get_actions, request.query_params.get("action"))

    def put_action(self, request):
        return self._dispatch_action(request, self.put_actions, body(request).get("action"))

    def post_action(self, request):
        return self._dispatch_action(request, self.post_actions, body(request).get("action"))

    # --- arguments --------------------------------------------------------------------------------------

    def gstin(self, request, perm: Perm = Perm.READ, also: str | None = None):
        """The taxpayer of the ``gstin`` query parameter or header (and ``also``, a GSTIN from the body, which
        must agree); R-8.2 as on /api/v1/."""
        raw = request.query_params.get("gstin") or request.META.get("HTTP_GSTIN") or also or ""
        if also and raw.strip().upper() != also.strip().upper():
            raise ValidationFailed(
                [
                    {
                        "path": "gstin",
                        "code": "GSTIN_MISMATCH",
                        "message": "The gstin header and the body differ.",
                    }
                ]
            )
        return taxpayer_for(request.user, raw, perm)

    @staticmethod
    def param(request, *names: str, required: bool = True) -> str:
        """A query parameter or header under any of ``names`` (GSPs send ret_period as either)."""
        for name in names:
            value = request.query_params.get(name) or request.META.get(
                "HTTP_" + name.upper().replace("-", "_")
            )
            if value:
                return value.strip()
        if required:
            raise ValidationFailed(
                [{"path": names[0], "code": "REQUIRED", "message": f"{names[0]} is required."}]
            )
        return ""
