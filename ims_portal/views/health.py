"""GET /healthz (API.md): the database, the broker and a worker, each checked within about two seconds;
200 when all answer, 503 naming the failing check otherwise. No authentication, no session, no cache."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from ims_portal.celery import app

log = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    if app.conf.task_always_eager:
        return "ok (tasks run in process)"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_worker() -> str:
    if app.conf.task_always_eager:
        return "ok (tasks run in process)"
    if not app.control.ping(timeout=1.5):
        raise RuntimeError("no worker answered")
    return "ok"


CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


@never_cache
def healthz(request):
    checks, failing = {}, False
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of a dependency is its check's answer, never a 500
            log.warning("healthz: %s failing: %s", name, exc)
            checks[name] = f"failing: {exc.__class__.__name__}: {str(exc)[:200]}"
            failing = True
    return JsonResponse(
        {"status": "failing" if failing else "ok", "checks": checks}, status=503 if failing else 200
    )
