"""Alerts (issue 17, item 4): the daily digest of what needs a user's attention across their GSTINs (a page
and an email), and webhooks — each GSTIN's events POSTed to an ERP, HMAC-signed, retried with backoff by
Celery, every attempt in a delivery log."""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from core import clock, events
from core.periods import IST
from core.templatetags.portal import inr
from jobs.models import Job, JobStatus
from returns.cockpit import UPLOAD_KINDS, cockpit_rows
from returns.models import Webhook, WebhookDelivery
from taxpayers.access import visible_taxpayers

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
MAX_ATTEMPTS = 6
TIMEOUT = 10


# --- the digest ---------------------------------------------------------------------------------------------


def digest_for(user, today) -> list[dict]:
    """Per GSTIN of the user, the lines that need attention today (none: the GSTIN is left out). Served by
    the cockpit's aggregates plus one query for failed uploads."""
    taxpayers = list(visible_taxpayers(user).order_by("gstin")[:1000])
    since = clock.now() - timedelta(days=1)
    failed = {}
    for tid in Job.objects.filter(
        taxpayer_id__in=[t.id for t in taxpayers],
        kind__in=UPLOAD_KINDS,
        status=JobStatus.FAILED,
        finished_at__gte=since,
    ).values_list("taxpayer_id", flat=True):
        failed[tid] = failed.get(tid, 0) + 1
    out = []
    for row in cockpit_rows(taxpayers, today):
        lines = []
        if row["near"]["n"]:
            lines.append(
                f"{row['near']['n']} pending credit note(s) reach their deadline by "
                f"{row['near']['first'].strftime('%d-%m-%Y')}: act on them or they return to No action."
            )
        if row["deemed"]["n"] and not row["filed_3b"]:
            lines.append(
                f"{row['deemed']['n']} record(s) with tax {inr(row['deemed']['tax'])} will be deemed "
                "accepted when GSTR-3B is filed."
            )
        if row["s2b"] == "stale":
            lines.append("GSTR-2B is out of date: recompute it before filing GSTR-3B.")
        if not row["filed_3b"] and today <= row["due_3b"] <= today + timedelta(days=DUE_SOON_DAYS):
            lines.append(f"GSTR-3B is due on {row['due_3b'].strftime('%d-%m-%Y')}.")
        elif row["overdue"]:
            lines.append(f"GSTR-3B was due on {row['due_3b'].strftime('%d-%m-%Y')}: it is overdue.")
        if failed.get(row["taxpayer"].id):
            lines.append(f"{failed[row['taxpayer'].id]} upload(s) failed in the last day.")
        if lines:
            out.append({"gstin": row["gstin"], "name": row["name"], "lines": lines})
    return out


def digest_text(user, today) -> str:
    blocks = [
        f"{d['gstin']} {d['name']}\n" + "\n".join(f"  - {line}" for line in d["lines"])
        for d in digest_for(user, today)
    ]
    return "\n\n".join(blocks)


def digests_send(today=None) -> int:
    """Email each user with an address the digest of their GSTINs, when it has anything (the beat runs it
    daily); the number of emails sent."""
    from django.contrib.auth import get_user_model

    today = today or clock.today()
    sent = 0
    for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
        text = digest_text(user, today)
        if text:
            send_mail(
                f"IMS Portal: what needs you on {today.strftime('%d-%m-%Y')}",
                text,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            sent += 1
    return sent


# --- webhooks -----------------------------------------------------------------------------------------------


def address_refusal(url: str) -> str | None:
    """Why a webhook may not be sent to ``url``: an address inside the portal's own network (loopback,
    private, link-local, reserved) would let a GSTIN's owner make the server call its neighbours (SSRF).
    Checked when the webhook is added and again at every delivery (the name may resolve elsewhere later).
    ``WEBHOOK_ALLOW_PRIVATE`` lifts it for development and tests."""
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False):
        return None
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        return "The URL names no host."
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return f"{host} does not resolve."
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return f"{host} is an address inside the portal's network; use a public address."
    return None


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def on_event(event: str, by_taxpayer: dict[int, dict]) -> None:
    """The listener (core.events): a delivery per active webhook of each GSTIN that wants the event (one
    query whatever their number), sent after the emitting transaction commits."""
    hooks = [
        h
        for h in Webhook.objects.filter(taxpayer_id__in=list(by_taxpayer), active=True).select_related(
            "taxpayer"
        )
        if not h.events or event in h.events
    ]
    if not hooks:
        return
    now = clock.now()
    made = []
    for h in hooks:
        key = str(uuid.uuid4())
        made.append(
            WebhookDelivery(
                webhook=h,
                event=event,
                key=key,
                body={
                    "event": event,
                    "delivery": key,
                    "gstin": h.taxpayer.gstin,
                    "at": now.astimezone(IST).isoformat(),
                    "data": by_taxpayer[h.taxpayer_id],
                },
                created_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(made)
    ids = [d.id for d in made]
    transaction.on_commit(lambda: _queue(ids))


def _queue(ids: list[int]) -> None:
    from returns.tasks import webhook_deliver

    for delivery_id in ids:
        try:
            webhook_deliver.delay(delivery_id)
        except Exception:  # noqa: BLE001 - the broker is down: the beat's sweep sends it later
            log.warning("Webhook delivery %s queued for the next sweep", delivery_id)


def deliver(delivery_id: int) -> bool:
    """One attempt: POST the body with its signature and idempotency key; True when the ERP answered 2xx.
    A delivered or given-up delivery is never sent again (a retried task is idempotent)."""
    d = WebhookDelivery.objects.select_related("webhook").filter(id=delivery_id).first()
    if d is None or d.status != WebhookDelivery.PENDING:
        return True
    if refusal := address_refusal(d.webhook.url):
        WebhookDelivery.objects.filter(id=d.id).update(
            attempts=d.attempts + 1, status=WebhookDelivery.FAILED, last_error=refusal[:300]
        )
        return True  # given up: retrying cannot help
    body = json.dumps(d.body, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(
        d.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "IMS-Portal-Webhook/1",
            "X-IMS-Event": d.event,
            "X-IMS-Delivery": d.key,
            "X-IMS-Signature": signature(d.webhook.secret, body),
        },
    )
    status, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (an http(s) URLField)
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(exc)[:300]
    ok = status is not None and 200 <= status < 300
    attempts = d.attempts + 1
    WebhookDelivery.objects.filter(id=d.id).update(
        attempts=attempts,
        last_status=status,
        last_error=error,
        status=WebhookDelivery.DELIVERED
        if ok
        else (WebhookDelivery.FAILED if attempts >= MAX_ATTEMPTS else WebhookDelivery.PENDING),
        delivered_at=clock.now() if ok else None,
    )
    return ok


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: 30 s, 1, 2, 4, 8 minutes (exponential backoff)."""
    return 30 * (2 ** max(0, attempts - 1))


events.subscribe(on_event)
