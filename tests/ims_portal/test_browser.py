"""The pages in a real browser (issue 4): Playwright drives Debian's Chromium (/usr/bin/chromium, installed
by `make browser`) against pytest-django's live server. Sign-in through the form, filters reflected in the
URL, bulk actions without a full reload, a refusal under its row, the 2B recompute job's progress, filing
GSTR-3B through its confirmation dialog, the document form's validation message beside the field, roles,
layout at 1280 px and 768 px, labels and the keyboard.

Scenario (by hand): Acme (MH, supplier) saves four Sep 2025 documents for Bharat (KA) on 05-10-2025 and files
GSTR-1 for Sep 2025: INV-1 (1,000.00 @18% IGST 180.00), INV-2 (2,500.00, IGST 450.00), INV-3
(12,34,567.89, IGST 2,22,222.22) and credit note CN-1 (200.00, IGST 36.00). GSTR-2B of Sep 2025 is generated
on 14-10-2025 (R-5.2); the business time is 15-10-2025 10:00, before the Sep 2025 GSTR-3B due date.

Screenshots of the main pages are written only when IMS_SCREENSHOTS_DIR is set (`make screenshots`)."""

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect, sync_playwright

from ims.models import ImsRecord
from invoices.services import documents_save, return_file
from jobs.models import Job, JobStatus
from returns.models import Gstr2bVersion, Gstr3bFiling
from returns.services.gstr2b import gstr2b_generate_if_due
from taxpayers.models import Membership
from tests.conftest import KA, MH, UserFactory, gstr1, inv, member, note

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "secret123"  # UserFactory's password
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("IMS_SCREENSHOTS_DIR")

# Every visible form control without a label: label[for], a wrapping label, aria-label or aria-labelledby.
UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML.slice(0, 120))"""
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"
# The outermost elements sticking out on the right, to say what overflows when the check fails.
WIDEST_JS = """() => {
  const out = (el) => el && el.getBoundingClientRect().right > window.innerWidth + 1;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => out(el) && !out(el.parentElement) && !clipped(el))
    .map((el) => `${el.tagName}#${el.id}.${el.className} right=${el.getBoundingClientRect().right}`)
    .slice(0, 5);
}"""


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test still sets up data with the ORM.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=WIDE, locale="en-IN")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Write <IMS_SCREENSHOTS_DIR>/<name>.png when asked to (make screenshots); test runs write nothing."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page, animations="disabled")


def sign_in(page, username: str, next_url: str = "") -> None:
    page.goto("/login/" + (f"?next={quote(next_url)}" if next_url else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .user")).to_contain_text(username)


@pytest.fixture
def september(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    payload = gstr1(
        b2b=[
            inv("INV-1", "02-09-2025"),
            inv("INV-2", "03-09-2025", txval="2500.00"),
            inv("INV-3", "04-09-2025", txval="1234567.89"),
        ],
        cdnr=[note("CN-1", "10-09-2025", txval="200.00")],
    )
    documents_save(supplier=supplier, period=202509, payload=payload, by="acme", channel="api")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="acme", channel="api")
    set_clock("2025-10-14 09:00")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system") is None
    set_clock("2025-10-15 10:00")
    return {r.number: r.id for r in ImsRecord.objects.filter(recipient=recipient)}


def row(page, rid: int):
    return page.locator(f"#rec-{rid}")


def test_r4_10_owner_acts_in_ims_recomputes_2b_and_files_3b_in_the_browser(page, september, recipient):
    member(recipient, "owner", "bharat")
    ims = f"/g/{KA}/ims/inward"

    # Sign in through the form; the landing page is the dashboard of the only GSTIN.
    page.goto("/login/")
    shot(page, "login", full_page=False)
    sign_in(page, "bharat")
    expect(page).to_have_url(re.compile(rf"/g/{KA}/$"))
    expect(page.locator("main")).to_contain_text("20-10-2025")  # Sep 2025's GSTR-3B due date (R-2.2)
    shot(page, "dashboard")

    page.goto(ims)
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(4)
    # A full page load would forget this variable; htmx swaps keep it.
    page.evaluate("window.__sameDocument = 'kept'")

    # Filter by section: the table narrows and the URL names the filter (bookmarkable).
    page.select_option("#f-section", "b2b")
    expect(page).to_have_url(re.compile(r"[?&]section=b2b(&|$)"))
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(3)
    expect(page.locator("#ims-rows")).not_to_contain_text("CN-1")

    # Bulk-accept two invoices: badges turn to Accepted in place.
    page.get_by_label("Select INV-1").check()
    page.get_by_label("Select INV-2").check()
    expect(page.locator("#ims-bulk .ims-selected")).to_contain_text("2 selected")
    page.locator('button[data-bulk="A"]').click()
    expect(page.locator("#ims-messages")).to_contain_text("Accept: 2 of 2 records done.")
    expect(row(page, september["INV-1"]).locator(".act-badge")).to_have_text("Accepted")
    expect(row(page, september["INV-2"]).locator(".act-badge")).to_have_text("Accepted")
    expect(row(page, september["INV-3"]).locator(".act-badge")).to_have_text("No action")
    # The tiles came back out of band: Accepted 2 records, tax 180.00 + 450.00 = ₹630.00.
    expect(page.locator(".ims-tile.act-A")).to_contain_text("2")
    expect(page.locator(".ims-tile.act-A")).to_contain_text("₹630.00")

    # Reject INV-3 with remarks.
    page.get_by_label("Select INV-3").check()
    page.get_by_label("Remarks").fill("Rate differs from the purchase order")
    page.locator('button[data-bulk="R"]').click()
    expect(row(page, september["INV-3"]).locator(".act-badge")).to_have_text("Rejected")
    expect(row(page, september["INV-3"]).locator(".remarks")).to_have_text(
        "Rate differs from the purchase order"
    )
    # Issue 15: the remarks were spent on that action; the box is empty for the next one.
    expect(page.get_by_label("Remarks")).to_have_value("")

    # Credit notes: rejecting asks for confirmation first (it raises the supplier's liability); Cancel keeps
    # the note as it is. Pending on a credit note of 2B period Sep 2025 is refused under its row.
    page.select_option("#f-section", "b2bcn")
    expect(page).to_have_url(re.compile(r"[?&]section=b2bcn(&|$)"))
    cn = row(page, september["CN-1"])
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(1)
    cn.get_by_role("checkbox").check()
    page.locator('button[data-bulk="R"]').click()
    dialog = page.locator("#ims-reject-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("raises the supplier's liability")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(cn.locator(".act-badge")).to_have_text("No action")
    page.locator('button[data-bulk="P"]').click()
    refusal = page.locator(f"#refusal-{september['CN-1']}")
    expect(refusal).to_contain_text("Credit note CN-1 of Acme:")
    expect(refusal).to_contain_text("(PENDING_NOT_ALLOWED)")
    expect(page.locator("#ims-messages")).to_contain_text("Pending: 0 of 1 records done.")
    expect(cn.locator(".act-badge")).to_have_text("No action")
    assert page.evaluate("window.__sameDocument") == "kept"  # no full-page reload all along

    page.goto(ims)
    shot(page, "ims-inward")
    page.goto(f"{ims}/{september['INV-3']}")
    expect(page.locator("main")).to_contain_text("Rate differs from the purchase order")
    expect(page.locator("main")).to_contain_text("12,34,567.89")
    shot(page, "ims-record")

    # GSTR-2B of Sep 2025 is stale after the actions: recompute it and follow the job.
    gstr2b = f"/g/{KA}/gstr2b/092025"
    page.goto(gstr2b)
    banner = page.locator("#stale-banner")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Recompute GSTR-2B").click()
    progress = page.locator("#recompute-result .job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded")
    expect(progress).to_contain_text("Finished")
    # The recompute job counts one step: the bar ends full, "1 of 1", with a link to the new version.
    bar = progress.locator("progress")
    expect(bar).to_have_attribute("max", "1")
    expect(bar).to_have_attribute("value", "1")
    expect(progress).to_contain_text("1 of 1")
    expect(progress.get_by_role("link", name="Open the new version")).to_have_attribute(
        "href", f"{gstr2b}?version=2"
    )
    job = Job.objects.get(kind="gstr2b_recompute")
    assert job.status == JobStatus.SUCCEEDED
    # Issue 15: the page reads the new version by itself once the job ends — no reload, no link to follow.
    expect(page.locator("h1")).to_contain_text("Version 2")
    expect(page.locator("#stale-banner")).to_have_count(0)
    expect(progress).to_contain_text("Finished")  # the job's line stays, above the new figures
    # Issue 17: the new version says what changed since version 1, and why.
    diff = page.locator("#diff-changes")
    expect(page.locator("#diff-h")).to_have_text("What changed since version 1")
    expect(diff.locator("li", has_text="INV-3")).to_contain_text("moved from ITC available")
    expect(diff.locator("li", has_text="INV-3")).to_contain_text("Rejected by bharat")
    page.reload()
    expect(page.locator("#stale-banner")).to_have_count(0)
    versions = Gstr2bVersion.objects.filter(taxpayer=recipient, period=202509)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    shot(page, "gstr2b")

    # File GSTR-3B of Sep 2025 through its confirmation dialog.
    page.goto(f"/g/{KA}/gstr3b/092025")
    expect(page.locator("h1 .st")).to_have_text("Draft")
    page.get_by_role("button", name="File GSTR-3B").first.click()
    file_dialog = page.locator("#file-dialog")
    expect(file_dialog).to_be_visible()
    expect(file_dialog).to_contain_text("Filing freezes GSTR-2B and GSTR-3B")
    # Issue 15: Cancel has the focus, so Enter closes the dialog and files nothing; a second Enter (on the
    # opener, focused again) only opens the dialog again, Cancel focused.
    expect(file_dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(file_dialog).to_be_hidden()
    page.keyboard.press("Enter")
    expect(file_dialog).to_be_visible()
    expect(file_dialog.get_by_role("button", name="Cancel")).to_be_focused()
    assert not Gstr3bFiling.objects.filter(taxpayer=recipient, period=202509).exists()
    expect(file_dialog).to_contain_text("will be deemed accepted")
    file_dialog.get_by_role("button", name="File GSTR-3B").click()
    expect(page).to_have_url(re.compile(r"/gstr3b/092025\?filed=1$"))
    expect(page.locator("h1 .st")).to_have_text("Filed")
    assert Gstr3bFiling.objects.filter(taxpayer=recipient, period=202509).exists()
    shot(page, "gstr3b")

    page.goto("/jobs/")
    expect(page.locator("main")).to_contain_text("GSTR-2B recompute")
    shot(page, "jobs")


def test_r3_5_document_form_shows_the_tax_mismatch_beside_the_field_and_keeps_what_was_typed(
    page, set_clock, supplier, recipient
):
    set_clock("2025-10-15 10:00")
    member(supplier, "owner", "acme")
    sign_in(page, "acme")
    page.goto(f"/g/{MH}/gstr1/102025/documents/new")
    page.select_option("#f-section", "b2b")
    page.get_by_label("Recipient GSTIN").fill(KA)
    page.get_by_label("Number", exact=True).fill("INV-101")
    page.get_by_label("Date (DD-MM-YYYY)", exact=True).fill("10-10-2025")
    page.select_option("#f-pos", "29")
    page.select_option("#rt_0", "18")
    page.locator("#txval_0").fill("1000")
    # Computed as typed: Karnataka is not Acme's state (27), so IGST 18% of 1,000.00.
    expect(page.locator("#iamt_0")).to_have_value("180.00")
    expect(page.locator("#camt_0")).to_have_value("0.00")
    page.locator("#iamt_0").fill("999")
    page.get_by_role("button", name="Save document").click()

    err = page.locator("#iamt_0-err")
    expect(err).to_contain_text("TAX_MISMATCH")
    expect(page.locator("#iamt_0")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".sup-errors")).to_contain_text("What you typed is kept")
    for sel, value in (("#f-ctin", KA), ("#f-number", "INV-101"), ("#f-date", "10-10-2025")):
        expect(page.locator(sel)).to_have_value(value)
    expect(page.locator("#txval_0")).to_have_value("1000")
    expect(page.locator("#iamt_0")).to_have_value("999")
    expect(page.locator("#f-pos")).to_have_value("29")
    assert page.evaluate(UNLABELLED_JS) == []
    shot(page, "document-form-error")

    page.locator("#iamt_0").fill("180.00")
    page.locator("#f-val").fill("")
    page.get_by_role("button", name="Save document").click()
    expect(page).to_have_url(re.compile(rf"/g/{MH}/gstr1/102025$"))
    expect(page.locator("main")).to_contain_text("Document INV-101 saved")
    expect(page.locator("main")).to_contain_text("INV-101")
    shot(page, "gstr1-period")


def test_r8_2_viewer_reads_ims_without_action_buttons(page, september, recipient):
    member(recipient, "viewer", "vijay")
    sign_in(page, "vijay", f"/g/{KA}/ims/inward")
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(4)
    expect(page.locator("button[data-bulk]")).to_have_count(0)
    expect(page.locator('input[name="ids"]')).to_have_count(0)
    expect(page.locator("#ims-remarks")).to_have_count(0)


@pytest.mark.parametrize("viewport", [WIDE, NARROW, PHONE], ids=["1280px", "768px", "390px"])
def test_ui_pages_fit_the_width_with_the_nav_visible(page, september, recipient, supplier, viewport):
    user = member(recipient, "owner", "bharat")
    Membership.objects.create(user=user, taxpayer=supplier, role="owner")
    page.set_viewport_size(viewport)
    sign_in(page, "bharat")
    wide = []
    for url in (
        f"/g/{KA}/",
        f"/g/{KA}/ims/inward",
        f"/g/{KA}/ims/inward/{september['INV-3']}",
        f"/g/{KA}/gstr2b/092025",
        f"/g/{KA}/gstr3b/092025",
        f"/g/{KA}/ims/inward?goods_typ=IMP_GDS",
        f"/g/{MH}/",
        f"/g/{MH}/gstr1/",
        f"/g/{MH}/gstr1/092025",
        f"/g/{MH}/gstr1/102025/documents/new",
        f"/g/{MH}/gstr1/102025/upload",
        f"/g/{MH}/ims/outward",
        "/jobs/",
        "/cockpit/",
    ):
        page.goto(url)
        expect(page.locator("nav.sidenav")).to_be_visible()
        expect(page.locator("nav.sidenav").get_by_role("link", name="Jobs")).to_be_in_viewport()
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow > 1:
            wide.append(f"{url}: {page.evaluate(WIDEST_JS)}")
        if url in (f"/g/{KA}/ims/inward", f"/g/{MH}/ims/outward"):
            # Issue 15: the action of every row is on screen (at 768 px it was scrolled out of sight).
            cells = page.locator("td.act-cell")
            assert cells.count() >= 4
            for i in range(cells.count()):
                box = cells.nth(i).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (url, i, box)
        if viewport == WIDE and url == f"/g/{KA}/ims/inward":
            # At 1280 px every column fits, remarks included: the table does not scroll sideways in its frame.
            frame = page.locator(".ims-scroll")
            assert frame.evaluate("(el) => el.scrollWidth - el.clientWidth") <= 1
        if viewport != WIDE and url == f"/g/{KA}/ims/inward":
            shot(page, f"ims-inward-{viewport['width']}")
        if viewport == WIDE and url == f"/g/{MH}/ims/outward":
            shot(page, "ims-outward")
    assert wide == [], f"pages scroll sideways at {viewport['width']} px: {wide}"


def test_ui_labels_visible_focus_and_keyboard_actions_on_ims(page, september, recipient):
    member(recipient, "owner", "bharat")
    # Invoices only: accepting a credit note first asks for the declaration.
    sign_in(page, "bharat", f"/g/{KA}/ims/inward?section=b2b")
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(3)
    assert page.evaluate(UNLABELLED_JS) == []

    # Tab reaches a row checkbox; focus is visible; Space ticks it.
    page.locator("h1").click()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "ids":
            break
    focused = page.locator('#ims-rows input[name="ids"]:focus')
    expect(focused).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    expect(focused).to_be_checked()
    expect(page.locator("#ims-bulk .ims-selected")).to_contain_text("1 selected")
    # The shortcuts also work on a focused row checkbox: x unticks it.
    page.keyboard.press("x")
    expect(page.locator("#ims-bulk .ims-selected")).to_contain_text("0 selected")

    # k/j move between rows (visible outline), x ticks the focused row, a accepts the ticked record.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("k")
    first = page.locator("#ims-rows tr.ims-row").first
    expect(first).to_be_focused()
    assert first.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("x")
    expect(first.get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#ims-bulk .ims-selected")).to_contain_text("1 selected")
    number = first.locator("td a").first.inner_text()
    page.keyboard.press("a")
    expect(page.locator("#ims-messages")).to_contain_text("Accept: 1 of 1 records done.")
    expect(page.locator(f"#rec-{september[number]} .act-badge")).to_have_text("Accepted")

    # / focuses the number search.
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator("#f-q")).to_be_focused()


def test_r9_4_staff_opens_admin_tools(page, set_clock):
    set_clock("2025-10-15 10:00")
    UserFactory(username="admin", is_staff=True)
    sign_in(page, "admin", "/admin-tools/")
    expect(page).to_have_url(re.compile(r"/admin-tools/$"))
    expect(page.locator("header .sandbox")).to_be_visible()
    assert page.evaluate(UNLABELLED_JS) == []
    shot(page, "admin-tools")


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_a_tick_after_a_search_survives_the_search_box_losing_focus(
    page, september, recipient, width
):
    member(recipient, "owner", "bharat")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "bharat", f"/g/{KA}/ims/inward")
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(4)
    page.get_by_label("Number").press_sequentially("INV-3", delay=30)
    expect(page.locator("#ims-rows tr.ims-row")).to_have_count(1)
    # Ticking the row takes the focus from the search box (its change event): the table must not re-render.
    page.get_by_label("Select INV-3").check()
    page.locator('button[data-bulk="A"]').click()
    expect(page.locator("#ims-messages")).to_contain_text("Accept: 1 of 1 records done.")
    expect(row(page, september["INV-3"]).locator(".act-badge")).to_have_text("Accepted")


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_the_document_form_starts_with_one_item_row_and_rows_can_be_removed(
    page, set_clock, supplier, recipient, width
):
    set_clock("2025-10-15 10:00")
    member(supplier, "owner", "acme")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "acme")
    page.goto(f"/g/{MH}/gstr1/102025/documents/new")
    items = page.locator("#item-rows tr.sup-item")
    expect(items).to_have_count(1)
    page.get_by_role("button", name="Add row").click()
    page.get_by_role("button", name="Add row").click()
    expect(items).to_have_count(3)
    page.select_option("#f-pos", "29")
    page.select_option("#rt_1", "18")
    page.locator("#txval_1").fill("500")
    page.get_by_role("button", name="Remove row 1").click()
    expect(items).to_have_count(2)
    expect(items.first.locator(".sup-rown")).to_have_text("1")
    expect(page.locator("#txval_1")).to_have_value("500")  # the typed row stayed, now first
    page.get_by_role("button", name="Remove row 2").click()
    page.get_by_role("button", name="Remove row 1").click()  # the last row is emptied, not removed
    expect(items).to_have_count(1)
    expect(page.locator("#txval_1")).to_have_value("")


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_an_action_button_is_busy_and_disabled_while_its_request_is_out(
    page, september, recipient, width
):
    member(recipient, "owner", "bharat")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "bharat", f"/g/{KA}/ims/inward")
    held = []
    page.route("**/ims/inward/actions", lambda route: held.append(route))
    page.get_by_label("Select INV-3").check()
    accept = page.locator('button[data-bulk="A"]')
    accept.click()
    expect(accept).to_be_disabled()  # a second click cannot send the action again
    expect(page.locator("[aria-busy=true]")).not_to_have_count(0)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#ims-messages")).to_contain_text("Accept: 1 of 1 records done.")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_after_a_select_all_job_the_table_shows_its_result_without_a_reload(
    page, september, recipient, width
):
    member(recipient, "owner", "bharat")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "bharat", f"/g/{KA}/ims/inward?section=b2b")
    rows = page.locator("#ims-rows tr.ims-row")
    n = rows.count()
    assert n >= 2
    page.locator("#ims-select-all").check()
    page.locator("#ims-all-matching-cb").check()
    page.once("dialog", lambda d: d.accept())
    page.locator('#ims-bulk button[data-bulk="P"]').click()
    expect(page.locator("#ims-bulk-job .job-progress")).to_have_attribute("data-status", "succeeded")
    # The job ended: the table was read again — every row at its new action, nothing left ticked.
    expect(page.locator("#ims-rows .act-badge", has_text="Pending")).to_have_count(n)
    expect(page.locator("#ims-rows input[name=ids]:checked")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_r4_6_the_declaration_dialog_offers_the_notes_heads_with_their_maximum_and_checks_as_typed(
    page, set_clock, supplier, recipient, width
):
    """CN-10 of Oct 2025, inter-state (MH to KA): taxable 200.00, IGST 36.00, no CGST, SGST or cess."""
    set_clock("2025-10-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="acme", channel="api")  # a nil return
    set_clock("2025-11-05 10:00")
    documents_save(
        supplier=supplier,
        period=202510,
        payload=gstr1(cdnr=[note("CN-10", "10-10-2025", txval="200.00")]),
        by="acme",
        channel="api",
    )
    return_file(supplier=supplier, period=202510, form="GSTR1", by="acme", channel="api")
    set_clock("2025-11-06 10:00")
    member(recipient, "owner", "bharat")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "bharat", f"/g/{KA}/ims/inward")
    rec = ImsRecord.objects.get(number="CN-10")
    page.get_by_label("Select CN-10").check()
    page.locator('#ims-bulk button[data-bulk="A"]').click()
    dialog = page.locator("#ims-decl-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label(re.compile("^IGST"))).to_be_visible()
    for head in ("CGST", "SGST", "Cess"):
        expect(dialog.get_by_label(re.compile(f"^{head}"))).to_be_hidden()
    expect(dialog.locator("label[for=d-igst]")).to_contain_text("at most 36.00")
    accept = dialog.get_by_role("button", name="Accept")
    dialog.get_by_label(re.compile("^IGST")).fill("50")
    # Said while the dialog is open, and Accept waits for a right amount.
    expect(dialog.get_by_role("alert")).to_contain_text("IGST (₹): at most 36.00")
    expect(accept).to_be_disabled()
    dialog.get_by_label(re.compile("^IGST")).fill("20.50")
    expect(dialog.get_by_role("alert")).to_have_text("")
    accept.click()
    expect(page.locator("#ims-messages")).to_contain_text("Accept: 1 of 1 records done.")
    rec.refresh_from_db()
    assert (rec.action, rec.itc_red_req, str(rec.decl_igst)) == ("A", "Y", "20.50")


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_issue15_r3_14_an_operator_adds_an_eco_document_in_the_form(
    page, set_clock, supplier, recipient, width
):
    """Acme, an e-commerce operator: a Gujarat seller's 1,000.00 at 18% to Bharat (Karnataka), IGST 180.00."""
    from tests.conftest import GJ, make_operator

    set_clock("2025-10-15 10:00")
    make_operator(supplier)
    member(supplier, "owner", "acme")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "acme", f"/g/{MH}/gstr1/102025/documents/new")
    stin = page.get_by_label("Actual supplier's GSTIN")
    expect(stin).to_be_hidden()
    page.get_by_label("Section").select_option("ecom")
    expect(stin).to_be_visible()
    expect(page.get_by_label("Reverse charge")).to_be_hidden()  # an ECO document has none
    stin.fill(GJ)
    page.get_by_label("Recipient GSTIN").fill(KA)
    page.get_by_label("Number", exact=True).fill("ECO-7")
    page.get_by_label("Date (DD-MM-YYYY)", exact=True).fill("12-10-2025")
    page.select_option("#f-pos", "29")
    page.select_option("#rt_0", "18")
    page.locator("#txval_0").fill("1000")
    expect(page.locator("#iamt_0")).to_have_value("180.00")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator(".sup-messages")).to_contain_text("Document ECO-7 saved")
    expect(page.locator("main")).to_contain_text("ECO-7")
    assert ImsRecord.objects.get(number="ECO-7").section == "ecom"
    assert page.evaluate(OVERFLOW_JS) <= 1
