"""Issue 17, item 5: saved views (private to their user) and auto-action rules — preview equals what running
does, a run is a visible job through the bulk rules, rules marked so run after a supplier's change, only an
owner manages them (R-8).

Scenario: Acme saves and files for Bharat, Sep 2025: INV-1 (value 1,180.00), INV-2 (2,950.00), INV-3 (value
14,56,790.11) and CN-1 (236.00); 2B generated 14-10-2025; business time 15-10-2025 10:00. Bharat has already
rejected INV-2."""

import pytest
from django.test import Client

from ims.models import ActionRule, ImsRecord, SavedView
from ims.services.actions import ims_actions_apply
from ims.services.rules import rule_preview, rule_queryset
from invoices.services import documents_save
from jobs.models import Job
from tests.conftest import KA, gstr1, member, note
from tests.ims_portal import test_browser as tb

pytestmark = pytest.mark.django_db


september = tb.september  # test_browser's September: number -> record id


@pytest.fixture
def sept(september, recipient):
    """test_browser's September, INV-2 already rejected by Bharat."""
    result = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": september["INV-2"], "action": "R", "remarks": "No"}],
        by="b",
        channel="api",
    )
    assert result["processed"] == 1
    return september


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_issue17_a_saved_view_is_the_users_own_named_filter(sept, recipient):
    olga, vera = member(recipient, "owner", "olga"), member(recipient, "viewer", "vera")
    r = web(vera).post(
        f"/g/{KA}/ims/inward/views", {"name": "Acme invoices", "supplier": "Acme", "doc_type": "INV"}
    )
    assert r.status_code == 302 and r["Location"] == f"/g/{KA}/ims/inward?doc_type=INV&supplier=Acme"
    view = SavedView.objects.get()
    assert (view.user, view.name, view.query) == (vera, "Acme invoices", "doc_type=INV&supplier=Acme")
    page = web(vera).get(f"/g/{KA}/ims/inward").content.decode()
    assert f'href="/g/{KA}/ims/inward?doc_type=INV&amp;supplier=Acme">Acme invoices</a>' in page
    assert "Acme invoices" not in web(olga).get(f"/g/{KA}/ims/inward").content.decode()  # private


def test_issue17_a_rules_preview_is_exactly_what_running_it_does(sept, recipient):
    olga = member(recipient, "owner", "olga")
    r = web(olga).post(
        f"/g/{KA}/ims/rules",
        {
            "name": "Small Acme invoices",
            "supplier": "acme",
            "doc_type": "INV",
            "max_value": "5000",
            "rule_action": "A",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    # INV-1 (1,180.00) only: INV-2 is already rejected (a rule never overrides), INV-3 is over the cap, CN-1
    # is a credit note.
    assert "would accept <strong>1</strong> record now" in html and "INV-1 of Acme" in html
    rule = ActionRule.objects.get()
    preview = [x["id"] for x in rule_preview(rule)["records"]]
    assert preview == [sept["INV-1"]] == list(rule_queryset(rule).values_list("id", flat=True))
    web(olga).post(f"/g/{KA}/ims/rules", {"run": rule.id})
    job = Job.objects.get(kind="ims_rule")
    assert job.status == "succeeded" and job.result == {"processed": 1, "errors": []}
    actions = dict(ImsRecord.objects.filter(recipient=recipient).values_list("number", "action"))
    assert actions == {"INV-1": "A", "INV-2": "R", "INV-3": "N", "CN-1": "N"}
    trail = ImsRecord.objects.get(id=sept["INV-1"]).history.order_by("-id").first()
    assert trail.by == "rule “Small Acme invoices” of olga" and trail.channel == "bulk"
    assert rule_preview(rule)["count"] == 0  # idempotent: nothing left for it


def test_issue17_a_rule_marked_after_upload_runs_when_a_supplier_changes_the_ims(
    sept, supplier, recipient, set_clock, django_capture_on_commit_callbacks
):
    olga = member(recipient, "owner", "olga")
    web(olga).post(
        f"/g/{KA}/ims/rules",
        {
            "name": "Notes pending",
            "doc_type": "CN",
            "rule_action": "P",
            "remarks": "Check with books",
            "after_upload": "1",
        },
    )
    set_clock("2025-11-05 10:00")
    with django_capture_on_commit_callbacks(execute=True):
        documents_save(
            supplier=supplier,
            period=202510,
            payload=gstr1(cdnr=[note("CN-9", "09-10-2025", txval="100.00")]),
            by="acme",
            channel="api",
        )
    job = Job.objects.get(kind="ims_rule")
    assert job.status == "succeeded", job.error
    cn9 = ImsRecord.objects.get(number="CN-9")
    assert (cn9.action, cn9.remarks) == ("P", "Check with books")
    # CN-1 (Sep 2025) cannot be kept pending: refused by the same rules as a click.
    assert ImsRecord.objects.get(number="CN-1").action == "N"
    assert [e["code"] for e in job.result["errors"]] == ["PENDING_NOT_ALLOWED"]


def test_issue17_r8_only_an_owner_manages_rules_and_bad_rules_are_refused_in_words(sept, recipient, outsider):
    assert web(member(recipient, "preparer", "pavan")).get(f"/g/{KA}/ims/rules").status_code == 403
    assert web(outsider).get(f"/g/{KA}/ims/rules").status_code == 404
    olga = member(recipient, "owner", "olga")
    r = web(olga).post(
        f"/g/{KA}/ims/rules", {"name": "x", "rule_action": "R", "max_value": "lots"}, follow=True
    )
    html = r.content.decode()
    assert "Max value: The value cap is an amount in rupees." in html
    assert not ActionRule.objects.exists()
    r = web(olga).post(
        f"/g/{KA}/ims/rules", {"name": "x", "rule_action": "A", "rtnprd": "Smarch"}, follow=True
    )
    assert "Return period:" in r.content.decode() and not ActionRule.objects.exists()
