"""Issue 15, the defects a practitioner met, each tried in Chromium at 1280, 768 and 390 px (the IMS table
is a stack of cards below 900 px, so every step must work in both layouts). The scenario is test_browser's
September (Acme's INV-1, INV-2, INV-3 and CN-1 to Bharat, GSTR-1 filed, 2B of Sep 2025 generated on
14-10-2025, business time 15-10-2025 10:00). Other defects' browser tests: the width test and the document
form, declaration dialog, busy button, select-all refresh and ECO form tests in test_browser.py, the 2B
refresh in its owner flow, the page walk (console errors, failed requests, favicon) in
test_browser_walk.py."""

import re

import pytest
from playwright.sync_api import expect

from invoices.services import documents_save, return_file
from returns.models import Gstr3bFiling
from taxpayers.models import Membership
from tests.conftest import KA, MH, gstr1, inv, member
from tests.ims_portal import test_browser as tb

pytestmark = pytest.mark.django_db(transaction=True)
# test_browser's fixtures, used here by name.
browser, page, september = tb.browser, tb.page, tb.september
sign_in = tb.sign_in

WIDTHS = pytest.mark.parametrize("width", [1280, 768, 390], ids=["1280px", "768px", "390px"])


def at(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})


@WIDTHS
def test_issue15_4_the_switcher_takes_a_trade_name(page, september, recipient, supplier, width):
    user = member(supplier, "owner", "bharat")
    Membership.objects.create(user=user, taxpayer=recipient, role="owner")
    at(page, width)
    sign_in(page, "bharat", f"/g/{MH}/")
    page.get_by_label("GSTIN").fill("bharat")
    page.get_by_role("button", name="Go").click()
    expect(page).to_have_url(re.compile(f"/g/{KA}/$"))
    expect(page.locator("h1")).to_contain_text(KA)
    expect(page.locator("nav.sidenav")).to_be_visible()


@WIDTHS
def test_issue15_6_filing_3b_shows_what_it_deems_and_focuses_cancel_and_due_dates_say_overdue(
    page,
    september,
    recipient,
    set_clock,
    width,
):
    member(recipient, "owner", "bharat")
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/gstr3b/092025")
    page.get_by_role("button", name="File GSTR-3B").first.click()
    dialog = page.locator("#file-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("4 records")  # all four of September are at No action
    expect(dialog).to_contain_text("will be deemed accepted")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")  # Enter on Cancel files nothing
    expect(dialog).to_be_hidden()
    assert not Gstr3bFiling.objects.exists()
    # The Sep 2025 3B was due on 20-10-2025: on the 21st the dashboard marks it overdue.
    set_clock("2025-10-21 10:00")
    page.goto(f"/g/{KA}/")
    expect(page.locator(".overdue").first).to_be_visible()
    expect(page.locator(".overdue").first).to_have_text("overdue")


@WIDTHS
def test_issue15_7_remarks_are_spent_by_the_action_that_sent_them(page, september, recipient, width):
    member(recipient, "owner", "bharat")
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/ims/inward?section=b2b")
    remarks = page.get_by_label(re.compile("^Remarks"))
    remarks.fill("Rate differs from the purchase order")
    page.get_by_label("Select INV-1").check()
    page.locator('#ims-bulk button[data-bulk="R"]').click()
    expect(page.locator("#ims-messages")).to_contain_text("Reject: 1 of 1 records done.")
    expect(remarks).to_have_value("")  # the next Reject cannot send them about another invoice
    expect(page.locator(f"#rec-{september['INV-1']} td.remarks")).to_have_text(
        "Rate differs from the purchase order"
    )


@WIDTHS
def test_issue15_8_a_refusal_names_the_document_and_filters_take_the_pages_period(
    page,
    september,
    recipient,
    width,
):
    member(recipient, "owner", "bharat")
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/ims/inward")
    # Pending on a credit note of a 2B period before Oct 2025 is refused, named as practitioners do.
    page.get_by_label("Select CN-1").check()
    page.locator('#ims-bulk button[data-bulk="P"]').click()
    refusal = page.locator(f"#refusal-{september['CN-1']}")
    expect(refusal).to_contain_text("Credit note CN-1 of Acme:")
    expect(refusal).to_contain_text("cannot be kept pending")
    expect(page.locator("#ims-rows")).not_to_contain_text("Record ")
    # The period filter takes "Sep 2025", as the table writes it.
    page.get_by_label("2B period").fill("Sep 2025")
    page.get_by_label("2B period").press("Enter")
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(4)
    expect(page.locator("#ims-messages .error")).to_have_count(0)
    page.get_by_label("2B period").fill("Oct 2025")
    page.get_by_label("2B period").press("Enter")
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(0)


@WIDTHS
def test_issue15_10_the_record_page_speaks_in_words_and_has_its_buttons(
    page,
    september,
    recipient,
    width,
):
    member(recipient, "owner", "bharat")
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/ims/inward/{september['INV-2']}")
    fields = page.locator(".ims-fields")
    expect(fields).to_contain_text("29-Karnataka")
    expect(fields).to_contain_text("Sep 2025")
    expect(fields).not_to_contain_text("092025")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("main")).to_contain_text("Accept: done.")
    expect(page.get_by_role("button", name="Accept")).to_be_disabled()  # it is accepted now


@WIDTHS
def test_issue15_10_the_preparer_is_told_why_there_is_no_file_button(
    page,
    september,
    recipient,
    width,
):
    member(recipient, "preparer", "priya")
    at(page, width)
    sign_in(page, "priya", f"/g/{KA}/gstr3b/092025")
    expect(page.get_by_role("button", name="File GSTR-3B")).to_have_count(0)
    expect(page.locator("#who-files")).to_contain_text("Only an owner of this GSTIN can file GSTR-3B")


@WIDTHS
def test_issue15_10_an_amendment_starts_from_the_filed_invoice_and_says_where_it_goes(
    page,
    set_clock,
    supplier,
    recipient,
    width,
):
    set_clock("2025-10-05 10:00")
    documents_save(
        supplier=supplier,
        period=202509,
        payload=gstr1(b2b=[inv("INV-5", "02-09-2025")]),
        by="a",
        channel="api",
    )
    return_file(supplier=supplier, period=202509, form="GSTR1", by="a", channel="api")
    set_clock("2025-10-15 10:00")
    member(supplier, "owner", "acme")
    at(page, width)
    sign_in(page, "acme", f"/g/{MH}/gstr1/092025")
    page.get_by_role("link", name="Amend").first.click()
    expect(page.locator("#target-form")).to_contain_text("GSTR-1A of Sep 2025")
    expect(page.get_by_label("Original date (DD-MM-YYYY)")).to_have_value("02-09-2025")
    expect(page.get_by_label("Date (DD-MM-YYYY)", exact=True)).to_have_value("02-09-2025")
    expect(page.get_by_label("Original number")).to_have_value("INV-5")


@WIDTHS
def test_issue15_2_the_gstr1_period_page_pages_and_finds_a_document(
    page, set_clock, supplier, recipient, width
):
    set_clock("2025-10-15 10:00")
    docs = [inv(f"P-{i:03d}", "05-10-2025") for i in range(1, 106)]
    documents_save(supplier=supplier, period=202510, payload=gstr1(b2b=docs), by="a", channel="api")
    member(supplier, "owner", "acme")
    at(page, width)
    sign_in(page, "acme", f"/g/{MH}/gstr1/102025")
    expect(page.locator("table.sup-docs tbody tr")).to_have_count(100)
    expect(page.get_by_role("link", name="Next 100 →")).to_be_visible()
    page.get_by_label("Number or recipient GSTIN starts with").fill("P-104")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("table.sup-docs tbody tr")).to_have_count(1)
    expect(page.locator("table.sup-docs")).to_contain_text("P-104")


@WIDTHS
def test_issue15_5_the_2b_page_shows_the_new_version_when_its_recompute_ends(
    page, september, recipient, width
):
    from ims.services.actions import ims_actions_apply

    member(recipient, "owner", "bharat")
    result = ims_actions_apply(
        recipient=recipient, actions=[{"id": september["INV-1"], "action": "A"}], by="bharat", channel="web"
    )
    assert result["processed"] == 1
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/gstr2b/092025")
    expect(page.locator("#stale-banner")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Version 1")
    page.get_by_role("button", name="Recompute GSTR-2B").first.click()
    expect(page.locator("#recompute-result .job-progress")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("h1")).to_contain_text("Version 2")  # read again by itself: no reload, no link
    expect(page.locator("#stale-banner")).to_have_count(0)


@WIDTHS
def test_issue15_8_upload_errors_say_where_in_words(page, set_clock, supplier, width, tmp_path):
    set_clock("2025-10-15 10:00")
    member(supplier, "owner", "acme")
    bad = gstr1(b2b=[inv("BAD-1", "31-02-2025")])  # no 31 February
    path = tmp_path / "october.json"
    path.write_text(__import__("json").dumps(bad, default=str))
    at(page, width)
    sign_in(page, "acme", f"/g/{MH}/gstr1/102025")
    page.get_by_label("Upload GSTR-1 JSON").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()
    errors = page.locator("#upload-err-h").locator("xpath=..")
    expect(errors).to_contain_text("october.json: nothing was saved")
    expect(errors).to_contain_text("B2B invoices, recipient 1, document 1: invoice date")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


@WIDTHS
def test_issue15_8_a_bad_filter_is_named_as_the_page_names_it(page, september, recipient, width):
    member(recipient, "owner", "bharat")
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/ims/inward")
    page.get_by_label("Return period").fill("Smarch 2025")
    page.get_by_label("Return period").press("Enter")
    message = page.locator("#ims-messages .error")
    expect(message).to_contain_text("Return period:")
    expect(message).not_to_contain_text("rtnprd")


@WIDTHS
def test_issue15_10_no_add_document_on_a_period_whose_returns_are_all_filed(page, set_clock, supplier, width):
    set_clock("2025-10-05 10:00")
    documents_save(
        supplier=supplier, period=202509, payload=gstr1(b2b=[inv("S-1", "05-09-2025")]), by="a", channel="api"
    )
    return_file(supplier=supplier, period=202509, form="GSTR1", by="a", channel="api")
    set_clock("2025-10-15 10:00")
    documents_save(
        supplier=supplier, period=202509, payload=gstr1(b2b=[inv("S-2", "06-09-2025")]), by="a", channel="api"
    )
    return_file(supplier=supplier, period=202509, form="GSTR1A", by="a", channel="api")
    member(supplier, "owner", "acme")
    at(page, width)
    sign_in(page, "acme", f"/g/{MH}/gstr1/092025")
    expect(page.locator("#period-closed")).to_contain_text("Every return of this period is filed or closed")
    expect(page.get_by_role("link", name="Add document")).to_have_count(0)
    expect(page.get_by_label("Upload GSTR-1 JSON")).to_have_count(0)


@WIDTHS
def test_issue15_10_the_admin_types_the_sandbox_clock_as_dd_mm_yyyy(page, set_clock, width):
    from tests.conftest import UserFactory

    set_clock("2025-10-15 10:00")
    UserFactory(username="admin", is_staff=True)
    at(page, width)
    sign_in(page, "admin", "/admin-tools/")
    field = page.get_by_label(re.compile("^Business date and time"))
    expect(field).to_have_value("15-10-2025 10:00")
    field.fill("20-10-2025 09:30")
    page.locator("#clock-form").get_by_role("button", name=re.compile("^Set")).click()
    expect(page.locator("header .bizdate")).to_contain_text("20-10-2025 09:30")


@WIDTHS
def test_issue15_9_a_double_clicked_recompute_starts_one_job(page, september, recipient, width):
    from ims.services.actions import ims_actions_apply
    from jobs.models import Job

    member(recipient, "owner", "bharat")
    ims_actions_apply(
        recipient=recipient, actions=[{"id": september["INV-2"], "action": "A"}], by="bharat", channel="web"
    )
    at(page, width)
    sign_in(page, "bharat", f"/g/{KA}/gstr2b/092025")
    page.get_by_role("button", name="Recompute GSTR-2B").first.dblclick()
    expect(page.locator("#recompute-result .job-progress")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("h1")).to_contain_text("Version 2")
    assert Job.objects.filter(kind="gstr2b_recompute").count() == 1
