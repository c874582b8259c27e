"""Issue 16 in Chromium: a recipient imports its purchase register through the column-mapping step, reviews
the reconciliation side by side, confirms a suggested pair, pairs a line with a record by hand, applies the
proposed actions through the confirmation dialog, and sees the IMS page reflect them.

test_browser's September: Acme reported INV-1 (₹1,000.00 + IGST ₹180.00), INV-2 (₹2,500.00 + ₹450.00), INV-3
(₹12,34,567.89 + ₹2,22,222.22) and credit note CN-1 (₹200.00 + ₹36.00) for Bharat, Sep 2025; business time
15-10-2025. Bharat's books (a layout the portal does not know): INV-1 as reported; "INV/02" for INV-2 (a
suggested pair: the number alike once normalised); "BILL-3" for INV-3 (booked under the supplier's delivery
challan number: missing on both sides until paired by hand); no CN-1 (missing in books: Pending is not allowed
on a Sep 2025 credit note, R-4.4, so the proposal is Reject)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import KA, MH, member
from tests.ims_portal import test_browser as tb

pytestmark = pytest.mark.django_db(transaction=True)
browser, page, september = tb.browser, tb.page, tb.september

BOOKS = (
    "Vendor Tax ID,Ref No,Ref Date,Basic,IGST,Kind\n"
    f"{MH},INV-1,02/09/2025,1000.00,180.00,Invoice\n"
    f"{MH},INV/02,03/09/2025,2500.00,450.00,Invoice\n"
    f"{MH},BILL-3,04/09/2025,1234567.89,222222.22,Invoice\n"
)


def test_issue16_import_with_mapping_review_fix_by_hand_apply_and_see_ims(
    page, september, recipient, tmp_path
):
    member(recipient, "owner", "bharat")
    books = tmp_path / "purchase-register-sep.csv"
    books.write_text(BOOKS)
    tb.sign_in(page, "bharat", f"/g/{KA}/reconciliation?period=092025")
    expect(page.locator("#recon-none")).to_contain_text("No purchase register has been imported for Sep 2025")

    # Import: the columns are not known, so the mapping step asks for them.
    page.get_by_label(re.compile("^CSV or Excel file")).set_input_files(str(books))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Which column holds what"))).to_be_visible()
    page.get_by_label("Supplier GSTIN (required)").select_option(label="Vendor Tax ID (column 1)")
    page.get_by_label("Document number (required)").select_option(label="Ref No (column 2)")
    page.get_by_label("Document date (required)").select_option(label="Ref Date (column 3)")
    page.get_by_label("Taxable value (required)").select_option(label="Basic (column 4)")
    expect(page.get_by_label("IGST", exact=True)).to_have_value("4")  # known by its heading
    expect(page.get_by_label("Document type", exact=True)).to_have_value("")
    page.get_by_label("Document type", exact=True).select_option(label="Kind (column 6)")
    tb.shot(page, "reconciliation-mapping")
    page.get_by_role("button", name="Import with these columns").click()
    job = page.locator(".recon-job")
    expect(job).to_have_attribute("data-status", "succeeded")
    expect(job).to_contain_text("Version 1: 3 lines imported.")
    page.get_by_role("link", name="Back to the reconciliation").click()

    # Review: the counts and the rows side by side.
    tiles = page.get_by_role("list", name="Rows by category")
    expect(tiles.get_by_role("link", name=re.compile("Matched"))).to_contain_text("1")
    expect(tiles.get_by_role("link", name=re.compile("Suggested match"))).to_contain_text("1")
    expect(tiles.get_by_role("link", name=re.compile("Missing in IMS"))).to_contain_text("1")
    expect(tiles.get_by_role("link", name=re.compile("Missing in books"))).to_contain_text("2")
    expect(page.locator("#recon-kpis")).to_contain_text("33.3 % of the books' lines matched")
    suggested = page.locator("tr.cat-suggested")
    expect(suggested).to_contain_text("INV/02")
    expect(suggested.locator(".diff")).to_have_text(["INV/02", "INV-2"])  # the numbers, marked as differing
    expect(suggested.locator("li.differs")).to_have_text(["✗ Number differs"])
    assert page.evaluate(tb.OVERFLOW_JS) <= 1
    tb.shot(page, "reconciliation")

    # Fix by hand: confirm the suggested pair; pair BILL-3 with INV-3.
    suggested.get_by_role("button", name="Confirm pair").click()
    expect(page.locator(".sup-messages")).to_contain_text("Pair confirmed.")
    bill3 = page.locator("tr.cat-books_only")
    bill3.get_by_label("Pair with a record missing in books").select_option(str(september["INV-3"]))
    bill3.get_by_role("button", name="Pair").click()
    expect(page.locator(".sup-messages")).to_contain_text("Paired by hand.")
    expect(tiles.get_by_role("link", name=re.compile("Matched"))).to_contain_text("3")
    cn1 = page.locator("tr.cat-ims_only")
    expect(cn1).to_contain_text("CN-1")
    expect(cn1).to_contain_text("Rejected")
    expect(cn1).to_contain_text("“Not in our purchase register for Sep 2025.”")

    # Apply through the confirmation dialog; the job page shows what was applied.
    page.get_by_role("button", name="Apply proposed actions…").click()
    dialog = page.get_by_role("dialog", name="Apply the proposed actions?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Apply", exact=True).click()
    job = page.locator(".recon-job")
    expect(job).to_have_attribute("data-status", "succeeded")
    expect(job).to_contain_text("4 applied")

    # The IMS page reflects it.
    page.goto(f"/g/{KA}/ims/inward?itc_period=092025")
    for number, words in (
        ("INV-1", "Accepted"),
        ("INV-2", "Accepted"),
        ("INV-3", "Accepted"),
        ("CN-1", "Rejected"),
    ):
        expect(page.locator("tr.ims-row", has_text=number).first).to_contain_text(words)


@pytest.mark.parametrize("width", [1280, 768, 390], ids=["1280px", "768px", "390px"])
def test_issue16_the_reconciliation_page_fits_every_width(page, september, recipient, width):
    from recon.services.registers import register_from_lines

    member(recipient, "viewer", "vera")
    lines = [
        {"stin": MH, "typ": "INV", "num": "INV-1", "dt": "02-09-2025", "txval": "1000.00", "iamt": "180.00"},
        {"stin": MH, "typ": "INV", "num": "INV/02", "dt": "03-09-2025", "txval": "2500.00", "iamt": "450.00"},
        {"stin": MH, "typ": "INV", "num": "INV-2", "dt": "03-09-2025", "txval": "2600.00", "iamt": "468.00"},
    ]
    register_from_lines(taxpayer=recipient, period=202509, lines=lines, by="t")
    page.set_viewport_size({"width": width, "height": 900})
    tb.sign_in(page, "vera", f"/g/{KA}/reconciliation?period=092025")
    expect(page.locator("#recon-rows")).to_be_visible()
    expect(page.get_by_role("button", name="Apply proposed actions…")).to_have_count(0)  # a viewer
    assert page.evaluate(tb.OVERFLOW_JS) <= 1, page.evaluate(tb.WIDEST_JS)
    page.goto(f"/g/{KA}/")
    expect(page.locator("#status-recon")).to_contain_text("of 2 book lines matched IMS")
    assert page.evaluate(tb.OVERFLOW_JS) <= 1, page.evaluate(tb.WIDEST_JS)
