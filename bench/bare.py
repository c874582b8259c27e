"""The server of ``bench/compare.py``'s list figures: the portal as deployed, plus ``/bench/bare``, a bare
Django view that runs one indexed query for 50 records of ``$BENCH_RECIPIENT`` and answers them as JSON (no
authentication, no serializer) — the floor the list API is measured against on the same server."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ims_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

from ims.models import ImsRecord  # noqa: E402

FIELDS = ("id", "section", "stin", "number", "doc_date", "txval", "iamt", "camt", "samt", "cess", "action")


def bare(request):
    rows = list(
        ImsRecord.objects.filter(recipient_id=int(os.environ["BENCH_RECIPIENT"]), active=True)
        .order_by("id")
        .values(*FIELDS)[:50]
    )
    return JsonResponse({"records": rows})


urlpatterns = [path("bench/bare", bare), path("", include(settings.ROOT_URLCONF))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
