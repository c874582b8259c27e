"""Thin Celery tasks (R-9): the 14th-of-month schedule starts its job (schedule: ims_portal/celery.py)."""

from celery import shared_task

from core import clock
from core.periods import period_add, period_of
from jobs.models import JobKind
from jobs.services import job_start


@shared_task(name="returns.tasks.draft_2b_scheduled")
def draft_2b_scheduled() -> int:
    """R-5.2 / R-9.1, the 14th at 00:05: draft 2B of last month for every taxpayer without one. A
    quarterly taxpayer's months 1 and 2 are skipped by the generation rules (QUARTERLY_TAXPAYER)."""
    period = period_add(period_of(clock.today()), -1)
    job = job_start(
        kind=JobKind.GSTR2B_GENERATE,
        params={"period": period, "gstins": None, "trigger": "schedule", "by": "system"},
    )
    return job.id


@shared_task(bind=True, name="returns.tasks.webhook_deliver", max_retries=6, acks_late=True)
def webhook_deliver(self, delivery_id: int) -> bool:
    """Issue 17: one attempt at a webhook delivery; retried with exponential backoff until it is delivered
    or has failed MAX_ATTEMPTS times (returns.alerts)."""
    from returns import alerts
    from returns.models import WebhookDelivery

    if alerts.deliver(delivery_id):
        return True
    d = WebhookDelivery.objects.filter(id=delivery_id).values("status", "attempts").first()
    if d and d["status"] == WebhookDelivery.PENDING and not self.request.is_eager:
        raise self.retry(countdown=alerts.retry_delay(d["attempts"]))
    return False


@shared_task(name="returns.tasks.webhooks_sweep")
def webhooks_sweep() -> int:
    """Deliveries left pending (their task lost with a broker outage) are sent again; hourly."""
    from datetime import timedelta

    from returns.models import WebhookDelivery

    stale = clock.now() - timedelta(minutes=30)
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, created_at__lt=stale).values_list(
            "id", flat=True
        )[:1000]
    )
    for delivery_id in ids:
        webhook_deliver.delay(delivery_id)
    return len(ids)


@shared_task(name="returns.tasks.digests_daily")
def digests_daily() -> int:
    """Issue 17: the morning email of what needs each user (returns.alerts.digests_send)."""
    from returns import alerts

    return alerts.digests_send()
