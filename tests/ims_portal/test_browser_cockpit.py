"""Issue 17: the cockpit in Chromium at 1280, 768 and 390 px — the landing page of a practitioner with two
GSTINs, each row's figures a link to its page, sorting and filtering from the form. test_browser's September:
Bharat (KA) has INV-1, INV-2, INV-3 and CN-1 of Sep 2025 at No action; Acme (MH) has received nothing."""

import re

import pytest
from playwright.sync_api import expect

from taxpayers.models import Membership
from tests.conftest import KA, MH, member
from tests.ims_portal import test_browser as tb

pytestmark = pytest.mark.django_db(transaction=True)
browser, page, september = tb.browser, tb.page, tb.september


@pytest.mark.parametrize("width", [1280, 768, 390], ids=["1280px", "768px", "390px"])
def test_issue17_the_cockpit_lands_a_practitioner_and_opens_each_figures_page(
    page, september, recipient, supplier, width
):
    user = member(recipient, "owner", "ca")
    Membership.objects.create(user=user, taxpayer=supplier, role="owner")
    page.set_viewport_size({"width": width, "height": 900})
    tb.sign_in(page, "ca")
    expect(page).to_have_url(re.compile(r"/cockpit/$"))
    bharat = page.locator(f"#ck-{KA}")
    expect(bharat).to_contain_text("Bharat")
    expect(bharat.locator("td[data-label='No action']")).to_have_text("4")
    assert page.evaluate(tb.OVERFLOW_JS) <= 1
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_have_id(f"ck-{MH}")  # Acme before Bharat
    page.get_by_label("GSTIN or name").fill("bharat")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    bharat.locator("td[data-label='No action'] a").click()
    expect(page).to_have_url(re.compile(rf"/g/{KA}/ims/inward\?action=N$"))
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(4)
    page.get_by_role("link", name="All GSTINs").click()
    expect(page).to_have_url(re.compile(r"/cockpit/$"))


def test_issue17_a_preparer_proposes_a_reject_and_an_owner_approves_it_in_the_browser(
    browser, page, live_server, september, recipient
):
    from ims.models import ImsAudit, ImsRecord

    member(recipient, "owner", "bharat")
    member(recipient, "preparer", "priya")
    recipient.maker_checker = "reject"
    recipient.save(update_fields=["maker_checker"])
    tb.sign_in(page, "priya", f"/g/{KA}/ims/inward?section=b2b")
    page.get_by_label(re.compile("^Remarks")).fill("Rate differs from the purchase order")
    page.get_by_label("Select INV-2").check()
    page.locator('#ims-bulk button[data-bulk="R"]').click()
    expect(page.locator("#ims-messages")).to_contain_text(
        "Reject: 1 of 1 records proposed for an owner's approval."
    )
    assert ImsRecord.objects.get(number="INV-2").action == "N"

    owner = browser.new_context(base_url=live_server.url, locale="en-IN").new_page()
    tb.sign_in(owner, "bharat", f"/g/{KA}/ims/inward")
    proposals = owner.locator("#proposals")
    expect(proposals).to_contain_text("INV-2")
    expect(proposals).to_contain_text("priya")
    proposals.get_by_label("Select the proposal on INV-2").check()
    proposals.get_by_role("button", name="Approve and apply").click()
    expect(owner.locator("main")).to_contain_text("1 of 1 proposals approved and applied.")
    expect(owner.locator(f"#rec-{september['INV-2']} .act-badge")).to_have_text("Rejected")
    trail = ImsAudit.objects.get(record_id=september["INV-2"], to_action="R")
    assert (trail.by, trail.reason) == ("bharat", "proposed by priya, approved by bharat")
    owner.context.close()
