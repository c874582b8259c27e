"""Issue 17, item 4: the daily digest (page and email, with the sandbox clock) and webhooks (HMAC signatures,
retries with backoff, idempotency keys, the delivery log).

The digest reuses test_cockpit's three GSTINs on 15-12-2025 (Bharat: CN-20 pending until 20-12-2025, 3
records worth 666.00 to be deemed accepted, its Sep 2025 GSTR-3B overdue since 20-10-2025; Acme: its Sep
2025 GSTR-3B overdue; Chola: its Dec 2025 GSTR-3B due 20-01-2026) plus a failed upload of Chola's that
morning."""

import hashlib
import hmac
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.test import Client

from core.periods import IST
from jobs.models import Job
from returns import alerts
from returns.models import Webhook, WebhookDelivery
from returns.services.gstr2b import gstr2b_recompute
from taxpayers.models import Taxpayer
from tests.conftest import GJ, KA, MH, member
from tests.ims_portal.test_cockpit import three  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_issue17_the_digest_lists_what_needs_the_user_on_each_gstin(three):  # noqa: F811
    Job.objects.create(
        kind="gstr1_upload",
        taxpayer=Taxpayer.objects.get(gstin=GJ),
        status="failed",
        created_at=datetime(2025, 12, 15, 8, tzinfo=IST),
        finished_at=datetime(2025, 12, 15, 8, 1, tzinfo=IST),
    )
    from core import clock

    digest = {d["gstin"]: d["lines"] for d in alerts.digest_for(three, clock.today())}
    assert digest[KA] == [
        "1 pending credit note(s) reach their deadline by 20-12-2025: act on them or they return to No "
        "action.",
        "3 record(s) with tax ₹666.00 will be deemed accepted when GSTR-3B is filed.",
        "GSTR-3B was due on 20-10-2025: it is overdue.",
    ]
    assert digest[MH] == ["GSTR-3B was due on 20-10-2025: it is overdue."]
    assert digest[GJ] == ["1 upload(s) failed in the last day."]
    page = web(three).get("/alerts/").content.decode()
    assert f'id="alert-{KA}"' in page and "₹666.00 will be deemed accepted" in page
    three.email = "ca@example.com"
    three.save()
    assert alerts.digests_send() == 1
    (message,) = mail.outbox
    assert message.to == ["ca@example.com"] and "15-12-2025" in message.subject
    assert "CN-" not in message.body and "reach their deadline by 20-12-2025" in message.body


def test_issue17_the_digest_says_a_3b_is_due_within_three_days(three, set_clock):  # noqa: F811
    set_clock("2026-01-18 09:00")  # Chola's Dec 2025 GSTR-3B is due on 20-01-2026
    digest = {d["gstin"]: d["lines"] for d in alerts.digest_for(three, datetime(2026, 1, 18).date())}
    assert "GSTR-3B is due on 20-01-2026." in digest[GJ]


class Endpoint(BaseHTTPRequestHandler):
    """An ERP's endpoint: answers the next status of ``statuses`` and keeps every request."""

    statuses: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Endpoint.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        self.send_response(Endpoint.statuses.pop(0) if Endpoint.statuses else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the test's ERP listens on 127.0.0.1
    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    Endpoint.statuses, Endpoint.received = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/ims-events"
    server.shutdown()


def test_issue17_a_webhook_is_signed_retried_with_backoff_and_keeps_its_delivery_key(
    set_clock, recipient, endpoint, django_capture_on_commit_callbacks
):
    set_clock("2025-11-20 10:00")
    owner = member(recipient, "owner", "olga")
    r = web(owner).post(f"/g/{KA}/webhooks", {"url": endpoint, "events": ["gstr2b.generated"]})
    assert r.status_code == 302
    hook = Webhook.objects.get()
    assert hook.events == ["gstr2b.generated"] and len(hook.secret) == 48
    Endpoint.statuses = [500]  # the ERP is down at first
    from returns.models import Gstr3bFiling

    Gstr3bFiling.objects.create(
        taxpayer=recipient, period=202509, filed_at=datetime(2025, 10, 20, tzinfo=IST)
    )
    with django_capture_on_commit_callbacks(execute=True):
        gstr2b_recompute(taxpayer=recipient, period=202510, by="olga")
    d = WebhookDelivery.objects.get()
    assert (d.status, d.attempts, d.last_status) == ("pending", 1, 500)
    assert alerts.deliver(d.id) is True  # the retry
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_status) == ("delivered", 2, 200)
    first, second = Endpoint.received
    assert first["body"] == second["body"]
    assert first["headers"]["x-ims-delivery"] == second["headers"]["x-ims-delivery"] == d.key
    expected = "sha256=" + hmac.new(hook.secret.encode(), second["body"], hashlib.sha256).hexdigest()
    assert second["headers"]["x-ims-signature"] == expected
    body = json.loads(second["body"])
    assert (body["event"], body["gstin"], body["data"]["rtnprd"], body["data"]["version"]) == (
        "gstr2b.generated",
        KA,
        "102025",
        1,
    )
    # Delivered: a repeated task sends nothing again.
    assert alerts.deliver(d.id) is True and len(Endpoint.received) == 2
    # The delivery log on the page.
    page = web(owner).get(f"/g/{KA}/webhooks").content.decode()
    assert "gstr2b.generated" in page and "Delivered" in page


def test_issue17_backoff_doubles_and_a_delivery_is_given_up_after_six_attempts(
    set_clock, recipient, endpoint, django_capture_on_commit_callbacks
):
    assert [alerts.retry_delay(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
    set_clock("2025-11-20 10:00")
    Webhook.objects.create(
        taxpayer=recipient, url=endpoint, secret="s", events=[], created_at=datetime.now(IST)
    )
    Endpoint.statuses = [503] * 10
    with django_capture_on_commit_callbacks(execute=True):
        from core import events

        events.emit(events.JOB_FINISHED, taxpayer_id=recipient.id, data={"job": 1})
    d = WebhookDelivery.objects.get()
    for _ in range(5):
        alerts.deliver(d.id)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_status) == ("failed", 6, 503)
    assert alerts.deliver(d.id) is True and len(Endpoint.received) == 6  # never again


def test_issue17_r8_only_an_owner_manages_webhooks_and_events_of_others_are_not_sent(
    set_clock, recipient, supplier, outsider
):
    set_clock("2025-11-20 10:00")
    assert web(member(recipient, "preparer", "pavan")).get(f"/g/{KA}/webhooks").status_code == 403
    assert web(outsider).get(f"/g/{KA}/webhooks").status_code == 404
    Webhook.objects.create(
        taxpayer=supplier, url="https://erp.example/x", secret="s", created_at=datetime.now(IST)
    )
    from core import events

    events.emit(events.JOB_FINISHED, taxpayer_id=recipient.id, data={"job": 1})
    assert not WebhookDelivery.objects.exists()  # Bharat has no webhook; Acme's hears only Acme
    r = web(member(recipient, "owner", "olga")).post(f"/g/{KA}/webhooks", {"url": "not a url"})
    assert r.status_code == 302 and not Webhook.objects.filter(taxpayer=recipient).exists()


def test_issue17_a_webhook_to_the_portals_own_network_is_refused(set_clock, recipient, settings):
    """SSRF: an owner cannot make the server POST to loopback or private addresses."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    set_clock("2025-11-20 10:00")
    owner = web(member(recipient, "owner", "olga"))
    for url in ("http://127.0.0.1:6379/", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data"):
        r = owner.post(f"/g/{KA}/webhooks", {"url": url}, follow=True)
        assert "inside the portal&#x27;s network" in r.content.decode(), url
    assert not Webhook.objects.exists()
    # One added while allowed is still not sent once the setting is off: failed at once, never retried.
    hook = Webhook.objects.create(
        taxpayer=recipient, url="http://127.0.0.1:9/x", secret="s", created_at=datetime.now(IST)
    )
    from core import events

    events.emit(events.JOB_FINISHED, taxpayer_id=recipient.id, data={"job": 1})
    d = WebhookDelivery.objects.get(webhook=hook)
    assert alerts.deliver(d.id) is True
    d.refresh_from_db()
    assert d.status == "failed" and "inside the portal's network" in d.last_error
