"""Request-wide duties that no single app owns: a request id on every request, log line and error; a JSON
error body (never an HTML page) for an API request that fails; input hygiene; caching headers; and the
IFF closing of R-2.1."""

import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from core import clock
from core.errors import RuleViolation
from core.requestid import REQUEST_ID
from core.text import has_control
from invoices.services.iff_closing import close_due_iffs_once
from taxpayers.signin import session_outdated

API_PREFIX = "/api/"
log = logging.getLogger("ims_portal.requests")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Every request gets an id — the caller's ``X-Request-ID`` if it is a sane token, else a new one —
    echoed in the response header, in every log line, and in a 500's body. An exception no view handled
    is logged with its traceback and answered, for the API, with the contract's error body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request.id)
        try:
            with clock.request_scope():
                response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request.id
        if not response.has_header("Cache-Control") and not request.path.startswith("/static/"):
            # Replies carry one taxpayer's data: no shared cache may keep them.
            response["Cache-Control"] = (
                "no-store" if request.path.startswith(API_PREFIX) else "private, no-cache"
            )
        return response

    def process_exception(self, request, exception):
        rid = getattr(request, "id", "-")
        if isinstance(exception, RuleViolation) and not request.path.startswith(API_PREFIX):
            # A refusal no page caught (e.g. BROKER_UNAVAILABLE when starting a job): its words and status,
            # as a fragment for htmx or a page, never the 500 page.
            message = f"{exception.message} ({exception.code})"
            if request.headers.get("HX-Request") == "true":
                return render(request, "jobs/_refused.html", {"message": message}, status=exception.status)
            return render(request, "refused.html", {"message": message}, status=exception.status)
        log.error(
            "Unhandled error on %s %s (request %s)", request.method, request.path, rid, exc_info=exception
        )
        if request.path.startswith(API_PREFIX):
            message = (
                f"Something went wrong on our side; nothing was saved. Quote request id {rid} to support."
            )
            return JsonResponse(
                {"error": {"code": "INTERNAL", "message": message, "details": [], "request_id": rid}},
                status=500,
            )
        return None  # pages: Django's 500 page (templates/500.html), which shows the id


MAX_PARAM = 500  # characters of one query value (a search box, a GSTIN, a period, a cursor)
# Multipart bodies are left to the upload views: reading them here would parse the file before the view
# sets its size-limited upload handler.
FORM_TYPES = ("application/x-www-form-urlencoded",)


def bad_request(request, path: str, message: str):
    """400 in the contract's body for the API; a plain page for the browser."""
    if request.path.startswith(API_PREFIX):
        detail = {"path": path, "code": "INVALID", "message": message}
        return JsonResponse(
            {"error": {"code": "VALIDATION", "message": message, "details": [detail]}}, status=400
        )
    return HttpResponse(f"Bad request: {message}", status=400, content_type="text/plain; charset=utf-8")


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every HTML reply (issue 14). Django admin and the Swagger UI page carry
    inline scripts of their own and get a policy that allows them."""

    RELAXED = ("/admin/", "/api/v1/docs/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.relaxed = self.policy.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            relaxed = request.path.startswith(self.RELAXED)
            response["Content-Security-Policy"] = self.relaxed if relaxed else self.policy
        return response


class SessionEpochMiddleware:
    """Ends a session that "sign out everywhere else" has outdated (taxpayers.signin): the request goes on
    as anonymous, so pages send it to the sign-in page and the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if session_outdated(request):
            logout(request)
        return self.get_response(request)


class RequestHygieneMiddleware:
    """Refuse before any work what no view should see: NUL or control characters, or over-long values, in
    query parameters and form fields (PostgreSQL refuses NUL in text, so they used to end in a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Cookies are not ours to refuse (a browser may carry junk from elsewhere): one with a control
        # character is dropped, so the session lookup never sends it to PostgreSQL.
        for name in [n for n, v in request.COOKIES.items() if has_control(n) or has_control(v)]:
            del request.COOKIES[name]
        if has_control(request.META.get("HTTP_AUTHORIZATION", "")):
            return bad_request(
                request, "Authorization", "The Authorization header holds a control character."
            )
        for key, values in request.GET.lists():
            for value in [key, *values]:
                if has_control(value):
                    return bad_request(request, key, f"{key}: NUL and control characters are not allowed.")
                if len(value) > MAX_PARAM:
                    return bad_request(request, key, f"{key}: at most {MAX_PARAM} characters.")
        if request.method == "POST" and request.content_type in FORM_TYPES:
            # Form text may hold line breaks and long lists; the services judge the rest of its content.
            for key, values in request.POST.lists():
                if any("\x00" in v for v in [key, *values]):
                    return bad_request(request, key, f"{key}: NUL characters are not allowed.")
        return self.get_response(request)


class IffClosingMiddleware:
    """R-2.1: from 00:00 IST on the 14th every reader sees a closed IFF's documents in the quarterly GSTR-1
    (pages and both APIs), whether or not the scheduled task has run and whatever the sandbox clock did.
    Costs a cache read per request once the closing has been checked (one indexed query per closing)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        if not request.path.startswith(self.skip):
            close_due_iffs_once()
        return self.get_response(request)
