"""Saved views on the IMS page and an owner's auto-action rules (issue 17, item 5)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import ValidationFailed
from ims.models import ActionRule, SavedView
from ims.services.rules import RULE_FILTER_KEYS, rule_create, rule_preview, rule_start
from ims.views.inward import BULK_ACTIONS, FILTER_KEYS, FILTER_LABELS
from taxpayers.access import Perm
from taxpayers.pages import gstin_page


@require_POST
@gstin_page()
def saved_view_add(request, taxpayer):
    name = (request.POST.get("name") or "").strip()[:80]
    query = urlencode({k: v for k in FILTER_KEYS if (v := (request.POST.get(k) or "").strip())})
    if not name:
        messages.error(request, "Name the view to save it.")
    else:
        try:
            SavedView.objects.create(user=request.user, taxpayer=taxpayer, name=name, query=query[:1000])
            messages.success(request, f"View “{name}” saved.")
        except IntegrityError:
            SavedView.objects.filter(user=request.user, taxpayer=taxpayer, name=name).update(
                query=query[:1000]
            )
            messages.success(request, f"View “{name}” updated.")
    return redirect(f"{request.path.rsplit('/views', 1)[0]}?{query}")


@gstin_page(Perm.MANAGE)
def rules(request, taxpayer):
    """The GSTIN's rules; an owner adds one (previewed at once), previews or runs any."""
    preview, form = None, {}
    if request.method == "POST":
        if rid := request.POST.get("run") or request.POST.get("preview"):
            rule = ActionRule.objects.filter(taxpayer=taxpayer, id=int(rid) if rid.isdigit() else 0).first()
            if rule is None:
                raise Http404("Not found")
            if request.POST.get("run"):
                rule_start(rule, by=request.user.username, user=request.user)
                messages.success(request, f"Rule “{rule.name}” started as a job: follow it under Jobs.")
                return redirect("ims_rules", taxpayer.gstin)
            preview = {"rule": rule, "verb": BULK_ACTIONS[rule.action].lower(), **rule_preview(rule)}
        else:
            form = request.POST
            try:
                rule = rule_create(
                    taxpayer=taxpayer,
                    name=form.get("name", ""),
                    filter={k: form.get(k, "") for k in RULE_FILTER_KEYS},
                    action=form.get("rule_action", ""),
                    remarks=form.get("remarks") or None,
                    max_value=form.get("max_value") or None,
                    after_upload=form.get("after_upload") == "1",
                    by=request.user.username,
                )
            except ValidationFailed as exc:
                for d in exc.details:
                    key = d["path"].removeprefix("filter.")
                    messages.error(
                        request,
                        f"{FILTER_LABELS.get(key, key.replace('_', ' ').capitalize())}: {d['message']}",
                    )
            else:
                preview = {"rule": rule, "verb": BULK_ACTIONS[rule.action].lower(), **rule_preview(rule)}
                form = {}
    return render(
        request,
        "ims/rules.html",
        {
            "nav": "inward",
            "rules": ActionRule.objects.filter(taxpayer=taxpayer, active=True).order_by("id"),
            "preview": preview,
            "form": form,
            "actions": BULK_ACTIONS,
            "filter_labels": {k: FILTER_LABELS.get(k, k) for k in RULE_FILTER_KEYS},
        },
    )
