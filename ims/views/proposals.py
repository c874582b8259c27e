"""Maker-checker on the pages (issue 17, item 3): an owner sets it, approves or returns proposals."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.errors import RuleViolation
from core.pages import rule_message
from ims.services.proposals import MODES, proposals_decide
from taxpayers.access import Perm
from taxpayers.pages import gstin_page
from taxpayers.services import maker_checker_set as set_mode


@require_POST
@gstin_page(Perm.MANAGE)
def ims_proposals_decide(request, taxpayer):
    ids = [int(i) for i in request.POST.getlist("proposal") if i.isdigit()]
    approve = request.POST.get("decision") == "approve"
    if not ids:
        messages.error(request, "Tick at least one proposal first.")
        return redirect(_back(taxpayer))
    try:
        result = proposals_decide(
            recipient=taxpayer,
            ids=ids,
            approve=approve,
            by=request.user.username,
            comment=request.POST.get("comment", ""),
        )
    except RuleViolation as exc:
        messages.error(request, rule_message(exc))
    else:
        verb = "approved and applied" if approve else "returned"
        messages.success(request, f"{result['processed']} of {len(ids)} proposals {verb}.")
        for e in result["errors"]:
            messages.error(request, f"Proposal {e.get('proposal')}: {e['message']} ({e['code']})")
    return redirect(_back(taxpayer))


@require_POST
@gstin_page(Perm.MANAGE)
def maker_checker_set(request, taxpayer):
    mode = request.POST.get("maker_checker", "")
    if mode not in MODES:
        messages.error(request, "Choose Off, rejects, or every action.")
    else:
        set_mode(taxpayer=taxpayer, mode=mode)
        messages.success(request, f"Maker-checker: {MODES[mode]}.")
    return redirect("dashboard", taxpayer.gstin)


def _back(taxpayer) -> str:
    from django.urls import reverse

    return reverse("ims_inward", args=[taxpayer.gstin]) + "#proposals"
