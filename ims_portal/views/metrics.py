"""GET /metrics: Prometheus metrics (django-prometheus: requests by view, status and latency; database
and cache) plus the jobs, counted from the database at each scrape so web and worker processes agree:
``ims_jobs{kind,status}``. Open to the addresses in METRICS_ALLOWED_IPS and to staff; to anyone else it
does not exist (404)."""

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django_prometheus.exports import ExportToDjangoView
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from jobs.models import Job


class JobsCollector:
    def collect(self):
        family = GaugeMetricFamily(
            "ims_jobs",
            "Jobs by kind and status (queued and running are unfinished).",
            labels=["kind", "status"],
        )
        try:
            rows = Job.objects.values_list("kind", "status").annotate(n=Count("id")).order_by()
            for kind, status, n in rows:
                family.add_metric([kind, status], n)
        except Exception:  # a scrape must not fail because the database is away; healthz says that
            pass
        yield family


_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(JobsCollector())
        _registered = True


def metrics(request):
    allowed = request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS
    if not allowed and not (request.user.is_authenticated and request.user.is_staff):
        raise Http404("Not found")
    _register()
    return ExportToDjangoView(request)
