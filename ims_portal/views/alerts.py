"""Issue 17, item 4: the digest page (what the morning email says) and a GSTIN's webhooks with their
delivery log."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.shortcuts import redirect, render

from core import clock, events
from returns.alerts import address_refusal, digest_for
from returns.models import Webhook, WebhookDelivery
from taxpayers.access import Perm
from taxpayers.pages import gstin_page

EVENT_WORDS = {
    events.RECORDS_CHANGED: "A supplier saved or changed records in this GSTIN's IMS",
    events.GSTR2B_GENERATED: "GSTR-2B generated or recomputed",
    events.JOB_FINISHED: "A job of this GSTIN finished",
}


@login_required
def alerts(request):
    return render(
        request, "alerts.html", {"nav": "alerts", "digest": digest_for(request.user, clock.today())}
    )


@gstin_page(Perm.MANAGE)
def webhooks(request, taxpayer):
    """An owner adds, switches off and reads the delivery log of the GSTIN's webhooks."""
    if request.method == "POST":
        if hook_id := request.POST.get("disable"):
            Webhook.objects.filter(taxpayer=taxpayer, id=int(hook_id) if hook_id.isdigit() else 0).update(
                active=False
            )
            messages.success(request, "Webhook switched off.")
            return redirect("webhooks", taxpayer.gstin)
        url = (request.POST.get("url") or "").strip()
        chosen = [e for e in request.POST.getlist("events") if e in EVENT_WORDS]
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            messages.error(request, "URL: write the full address of your endpoint, starting https://.")
            return redirect("webhooks", taxpayer.gstin)
        if refusal := address_refusal(url):
            messages.error(request, f"URL: {refusal}")
            return redirect("webhooks", taxpayer.gstin)
        hook = Webhook.objects.create(
            taxpayer=taxpayer, url=url, secret=secrets.token_hex(24), events=chosen, created_at=clock.now()
        )
        messages.success(
            request,
            f"Webhook added. Its signing secret, shown once: {hook.secret} — check X-IMS-Signature "
            "(sha256 HMAC of the body) with it.",
        )
        return redirect("webhooks", taxpayer.gstin)
    hooks = list(Webhook.objects.filter(taxpayer=taxpayer).order_by("-id"))
    log = list(
        WebhookDelivery.objects.filter(webhook__taxpayer=taxpayer)
        .select_related("webhook")
        .order_by("-id")[:50]
    )
    return render(
        request, "webhooks.html", {"nav": "webhooks", "hooks": hooks, "log": log, "event_words": EVENT_WORDS}
    )
