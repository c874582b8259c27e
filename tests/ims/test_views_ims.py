"""The recipient's IMS Inward page (issue 4): tiles, deemed-acceptance banner, filters, htmx partials, bulk
actions with per-row refusals, the record detail, roles (owner / viewer / outsider) and query bounds."""

import re

import pytest
from django.test import Client

from ims.models import ImsRecord
from invoices.services import documents_save, return_file
from returns.models import Gstr3bFiling
from tests.conftest import GJ, KA, MH, gstr1, inv, member, note

PAGE = f"/g/{KA}/ims/inward"
ACTIONS = f"/g/{KA}/ims/inward/actions"


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    """The page's words without tags and with whitespace collapsed, as a reader sees them."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def save(supplier, period: int, payload):
    return documents_save(supplier=supplier, period=period, payload=payload, by="sup", channel="api")


@pytest.fixture
def inbox(set_clock, supplier, recipient):
    """Sep 2025: invoice INV-9 and credit note CN-7; Oct 2025: invoice INV-10 (tax ₹1,23,456.00); both
    GSTR-1s filed (Sep on 05-10 → 2B 092025, Oct on 05-11 → 2B 102025)."""
    set_clock("2025-10-05 10:00")
    save(supplier, 202509, gstr1(b2b=[inv("INV-9", "05-09-2025")], cdnr=[note("CN-7", "06-09-2025")]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="sup", channel="api")
    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(b2b=[inv("INV-10", "05-10-2025", txval="685866.67")]))
    return_file(supplier=supplier, period=202510, form="GSTR1", by="sup", channel="api")
    return {r.number: r for r in ImsRecord.objects.filter(recipient=recipient)}


def test_r4_1_owner_sees_tiles_banner_and_rows_in_indian_format(inbox, recipient):
    owner = member(recipient, "owner")
    r = web(owner).get(PAGE)
    assert r.status_code == 200
    page = text(r)
    for number in ("INV-9", "CN-7", "INV-10"):
        assert number in page
    # Tile "No action": 3 records, tax 180.00 + 180.00 + 1,23,456.00 (written by hand).
    assert "No action 3 Tax ₹1,23,816.00" in page
    # Taxable value of INV-10 in the table, Indian grouping without the sign (the header carries ₹).
    assert "6,85,866.67" in page
    assert "05-10-2025" in page
    # Banner: all 3 at N; the nearest 2B period is Sep 2025, its 3B due 20-10-2025.
    assert "3 records worth ₹1,23,816.00 will be deemed accepted on 20-10-2025" in page
    assert 'name="ids"' in r.content.decode()
    assert 'data-bulk="A"' in r.content.decode()


def test_r4_11_banner_leaves_out_periods_whose_3b_is_filed(inbox, recipient):
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at="2025-10-20T10:00:00+05:30")
    r = web(member(recipient, "owner")).get(PAGE)
    assert "1 record worth ₹1,23,456.00 will be deemed accepted on 20-11-2025" in text(r)


def test_r4_11_banner_leaves_out_saved_documents_which_are_carried_not_deemed(inbox, supplier, recipient):
    save(supplier, 202511, gstr1(b2b=[inv("INV-11", "03-11-2025")]))  # saved, not filed
    r = web(member(recipient, "owner")).get(PAGE)
    assert "INV-11" in text(r)
    assert "3 records worth ₹1,23,816.00 will be deemed accepted on 20-10-2025" in text(r)


def test_r4_1_filters_in_the_query_string_filter_rows(inbox, recipient):
    c = web(member(recipient, "owner"))
    page = text(c.get(PAGE, {"section": "b2bcn"}))
    assert "CN-7" in page and "INV-9" not in page and "INV-10" not in page
    page = text(c.get(PAGE, {"rtnprd": "102025"}))
    assert "INV-10" in page and "INV-9" not in page
    page = text(c.get(PAGE, {"q": "inv-1"}))
    assert "INV-10" in page and "INV-9" not in page
    page = text(c.get(PAGE, {"stin": MH, "action": "A"}))
    assert "No records match these filters" in page
    page = text(c.get(PAGE, {"itc_period": "13-2025"}))
    assert "2B period:" in page  # a bad period is a message in the page's words, not an error page


def test_r4_1_htmx_request_returns_only_the_table_fragment(inbox, recipient):
    r = web(member(recipient, "owner")).get(PAGE, {"section": "b2b"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html and "ims-tiles" not in html and "ims-filters" not in html
    assert 'id="ims-rows"' in html and "INV-9" in html and "CN-7" not in html


def test_r4_10_bulk_post_applies_and_lists_refusals_per_row(inbox, recipient):
    owner = member(recipient, "owner", username="asha")
    inv9, cn7 = inbox["INV-9"], inbox["CN-7"]
    r = web(owner).post(
        ACTIONS,
        {"ids": [inv9.id, cn7.id], "action": "P", "remarks": "checking rates", "qs": ""},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html
    # a credit note of 2B period 092025 cannot be kept pending.
    assert "Credit note CN-7 of Acme:" in html and "(PENDING_NOT_ALLOWED)" in html
    assert f'id="refusal-{cn7.id}"' in html
    assert "Pending: 1 of 2 records done." in text(r)
    # The tiles come back out of band with the new counts: Pending 1 record, tax ₹180.00.
    assert 'id="ims-overview" hx-swap-oob="true"' in html
    assert "Pending 1 Tax ₹180.00" in text(r)
    inv9.refresh_from_db()
    cn7.refresh_from_db()
    assert (inv9.action, inv9.remarks, cn7.action) == ("P", "checking rates", "N")
    history = list(inv9.history.values_list("by", "channel", "from_action", "to_action"))
    assert history[-1] == ("asha", "web", "N", "P")


def test_r4_10_bulk_post_without_javascript_answers_the_whole_page(inbox, recipient):
    inv9 = inbox["INV-9"]
    r = web(member(recipient, "owner")).post(ACTIONS, {"ids": [inv9.id], "action": "A", "qs": "section=b2b"})
    assert r.status_code == 200
    page = text(r)
    assert "<html" in r.content.decode() and "Accept: 1 of 1 records done." in page
    assert "CN-7" not in page.split("Accept: 1 of 1")[1]  # the table keeps the section filter
    inv9.refresh_from_db()
    assert inv9.action == "A"


def test_r4_6_accepting_a_credit_note_carries_the_declaration(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(cdnr=[note("CN-11", "06-10-2025")]))
    cn = ImsRecord.objects.get(recipient=recipient, number="CN-11")
    c = web(member(recipient, "owner"))
    r = c.post(
        ACTIONS,
        {"ids": [cn.id], "action": "A", "itcRedReq": "Y", "declIgst": "100.00"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200, r.content
    cn.refresh_from_db()
    assert (cn.action, cn.itc_red_req, str(cn.decl_igst)) == ("A", "Y", "100.00")
    c.post(ACTIONS, {"ids": [cn.id], "action": "A", "itcRedReq": "N"}, HTTP_HX_REQUEST="true")
    cn.refresh_from_db()
    assert (cn.itc_red_req, str(cn.decl_igst)) == ("N", "0.00")


def test_r4_3_rejecting_a_credit_note_asks_for_confirmation_first(inbox, recipient):
    cn7 = inbox["CN-7"]
    c = web(member(recipient, "owner"))
    r = c.post(ACTIONS, {"ids": [cn7.id], "action": "R"}, HTTP_HX_REQUEST="true")
    assert "Rejecting raises the supplier's liability" in text(r)
    cn7.refresh_from_db()
    assert cn7.action == "N"
    c.post(ACTIONS, {"ids": [cn7.id], "action": "R", "confirmed": "1"}, HTTP_HX_REQUEST="true")
    cn7.refresh_from_db()
    assert cn7.action == "R"


def test_r8_viewer_sees_no_action_buttons_and_cannot_post(inbox, recipient):
    viewer = member(recipient, "viewer")
    c = web(viewer)
    r = c.get(PAGE)
    assert r.status_code == 200
    html = r.content.decode()
    assert "INV-9" in html
    assert 'name="ids"' not in html and 'data-bulk="A"' not in html and "ims-bulk" not in html
    r = c.post(ACTIONS, {"ids": [inbox["INV-9"].id], "action": "A"})
    assert r.status_code == 403
    assert ImsRecord.objects.get(id=inbox["INV-9"].id).action == "N"


def test_r8_2_outsider_gets_404_on_page_detail_and_post(inbox, recipient, outsider):
    c = web(outsider)
    rid = inbox["INV-9"].id
    assert c.get(PAGE).status_code == 404
    assert c.get(f"{PAGE}/{rid}").status_code == 404
    assert c.post(ACTIONS, {"ids": [rid], "action": "A"}).status_code == 404


def test_r8_2_detail_of_another_gstins_record_is_404(inbox, supplier, recipient):
    # A member of the supplier (MH) asks for the recipient's record under its own GSTIN.
    c = web(member(supplier, "owner"))
    assert c.get(f"/g/{MH}/ims/inward/{inbox['INV-9'].id}").status_code == 404


def test_r4_9_detail_shows_fields_and_history(inbox, recipient):
    owner = member(recipient, "owner", username="ravi")
    c = web(owner)
    rid = inbox["INV-9"].id
    c.post(ACTIONS, {"ids": [rid], "action": "R", "remarks": "wrong rate"}, HTTP_HX_REQUEST="true")
    r = c.get(f"{PAGE}/{rid}")
    assert r.status_code == 200
    page = text(r)
    assert "INV-9" in page and "Declaration blocked" in page and "Taxable value" in page
    # History oldest first: the supplier's save (N), then ravi's rejection on the web at 05-11-2025 10:00.
    assert re.search(r"05-11-2025 10:00 ravi web N → R wrong rate", page), page


def test_r4_1_empty_states(set_clock, recipient):
    set_clock("2025-11-05 10:00")
    c = web(member(recipient, "owner"))
    assert "There are no records in your IMS yet" in text(c.get(PAGE))
    assert "No records match these filters" in text(c.get(PAGE, {"action": "A"}))


def test_r9_page_with_1000_records_has_bounded_queries(
    set_clock, supplier, recipient, django_assert_max_num_queries
):
    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(b2b=[inv(f"B{i}", "05-10-2025") for i in range(1000)]))
    c = web(member(recipient, "owner"))
    with django_assert_max_num_queries(15):
        r = c.get(PAGE)
    assert r.status_code == 200
    assert r.content.decode().count('name="ids"') == 50
    nxt = re.search(r'rel="next" href="[^"?]*\?([^"]+)"', r.content.decode()).group(1)
    with django_assert_max_num_queries(12):
        r = c.get(f"{PAGE}?{nxt.replace('&amp;', '&')}", HTTP_HX_REQUEST="true")
    assert r.content.decode().count('name="ids"') == 50
    assert "B50" in r.content.decode() and "B49<" not in r.content.decode()


def test_issue15_a_past_due_date_is_marked_overdue_on_the_ims_page_and_the_dashboard(inbox, recipient):
    """On 05-11-2025 the 3B of Sep 2025 (due 20-10-2025) is overdue; Oct 2025's (due 20-11-2025) is not."""
    c = web(member(recipient, "owner"))
    page = text(c.get(PAGE))
    assert "deemed accepted on 20-10-2025 overdue" in page
    assert "3B due 20-11-2025 overdue" not in page and "3B due 20-11-2025" in page
    dashboard = text(c.get(f"/g/{KA}/"))
    assert "Return period due: Sep 2025 · GSTR-3B due 20-10-2025 overdue" in dashboard
    assert "for Sep 2025 — due 20-10-2025 overdue" in dashboard


def test_issue15_the_record_page_speaks_in_words_and_acts_on_its_record(inbox, recipient):
    rec = inbox["INV-10"]
    owner = web(member(recipient, "owner"))
    page = f"{PAGE}/{rec.id}"
    words = text(owner.get(page))
    for shown in (
        "Place of supply 29-Karnataka",
        "Return period Oct 2025",
        "Source form GSTR-1",
        "Invoice type Regular",
        "Reverse charge No",
        "Action No action",
    ):
        assert shown in words, shown
    assert "Place of supply 29 " not in words and "Return period 102025" not in words
    # Its own buttons: reject with remarks, then back on the page with the result.
    r = owner.post(f"{page}/act", {"action": "R", "remarks": "Not ordered"})
    assert r.status_code == 302 and r["Location"] == page
    after = text(owner.get(page))
    assert "Reject: done." in after and "Action Rejected" in after and "Not ordered" in after
    rec.refresh_from_db()
    assert (rec.action, rec.remarks) == ("R", "Not ordered")
    # A refusal is said in words: pending on a September 2025 credit note.
    cn = inbox["CN-7"]
    owner.post(f"{PAGE}/{cn.id}/act", {"action": "P"})
    assert "PENDING_NOT_ALLOWED" in text(owner.get(f"{PAGE}/{cn.id}"))
    # A viewer sees no buttons and cannot post; an unknown record is the 404 of any.
    viewer = web(member(recipient, "viewer"))
    assert 'name="action"' not in viewer.get(page).content.decode()
    assert viewer.post(f"{page}/act", {"action": "A"}).status_code == 403
    assert owner.post(f"{PAGE}/999999/act", {"action": "A"}).status_code == 404


@pytest.mark.parametrize(
    "typed", ["Oct 2025", "oct-2025", "OCT 2025", "10-2025", "10/2025", "102025", "October 2025"]
)
def test_issue15_the_period_filter_takes_a_period_as_the_page_writes_it(inbox, recipient, typed):
    page = text(web(member(recipient, "owner")).get(PAGE, {"itc_period": typed}))
    assert "INV-10" in page and "INV-9" not in page


def test_issue15_a_bad_filter_is_named_as_the_page_names_it(inbox, recipient):
    page = text(web(member(recipient, "owner")).get(PAGE, {"rtnprd": "Smarch 2025"}))
    assert "Return period:" in page and "rtnprd:" not in page


# --- issue 15: GSTN's IMS filters and the list's columns ---------------------------------------------------


@pytest.fixture
def two_suppliers(inbox, set_clock, recipient):
    """A second supplier, Chola Steels (GJ), saves INV-C1 dated 20-10-2025 for Bharat."""
    from taxpayers.models import Taxpayer

    chola = Taxpayer.objects.create(gstin=GJ, legal_name="Chola Steels Ltd", trade_name="Chola Steels")
    set_clock("2025-11-06 10:00")
    save(chola, 202510, gstr1(b2b=[inv("INV-C1", "20-10-2025")]))
    return chola


@pytest.mark.parametrize("typed", ["chola", "Chola Steels", "24", GJ[:6], GJ])
def test_issue15_the_supplier_filter_takes_a_trade_name_or_the_start_of_a_gstin(
    two_suppliers, recipient, typed
):
    page = text(web(member(recipient, "owner")).get(PAGE, {"supplier": typed}))
    assert "INV-C1" in page
    assert "INV-9" not in page and "INV-10" not in page


def test_issue15_document_date_and_type_filters(two_suppliers, recipient):
    client = web(member(recipient, "owner"))
    page = text(client.get(PAGE, {"dt_from": "06-09-2025", "dt_to": "19-10-2025"}))
    assert "CN-7" in page and "INV-10" in page
    assert "INV-9" not in page and "INV-C1" not in page  # 05-09-2025 and 20-10-2025 are outside
    page = text(client.get(PAGE, {"doc_type": "CN"}))
    assert "CN-7" in page and "INV-9" not in page and "INV-10" not in page
    page = text(client.get(PAGE, {"dt_from": "31-02-2025"}))
    assert "Document date from: A date is written DD-MM-YYYY." in page


def test_issue15_the_list_shows_value_place_of_supply_source_form_and_filing_status(two_suppliers, recipient):
    html = web(member(recipient, "owner")).get(PAGE, {"q": "INV-10"}).content.decode()
    row = html[html.index('id="rec-') :]
    # INV-10: taxable 6,85,866.67 at 18% IGST: tax 1,23,456.00, value 8,09,322.67 (by hand).
    assert 'data-label="Value (₹)">8,09,322.67<' in row
    assert 'data-label="Place of supply">29-Karnataka<' in row
    assert "GSTR-1 · Filed" in row
    page = text(web(member(recipient, "owner")).get(PAGE, {"q": "INV-C1"}))
    assert "GSTR-1 · Saved" in page


def test_issue15_select_all_matching_and_the_export_job_keep_the_new_filters(two_suppliers, recipient):
    """A filter the bulk job or the export job dropped would act on, or export, more than the page shows."""
    from ims.services import bulk
    from ims.services.excel import export_params

    assert bulk.bulk_count(recipient=recipient, filter={"supplier": "Chola"}) == 1
    assert bulk.bulk_count(recipient=recipient, filter={"doc_type": "CN"}) == 1
    assert bulk.bulk_count(recipient=recipient, filter={"dt_from": "01-10-2025"}) == 2
    params = {"supplier": "Chola", "doc_type": "INV", "dt_from": "01-10-2025", "dt_to": "31-10-2025"}
    assert export_params(params) == params


def test_issue15_r4_4_the_action_cell_says_until_when_a_credit_note_may_stay_pending(
    set_clock, supplier, recipient
):
    """CN-20 of Oct 2025 (2B period 102025): pending allowed until the 3B due date of Nov 2025, 20-12-2025."""
    set_clock("2025-10-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="sup", channel="api")
    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(cdnr=[note("CN-20", "06-10-2025")]))
    return_file(supplier=supplier, period=202510, form="GSTR1", by="sup", channel="api")
    client = web(member(recipient, "owner"))
    assert "pending allowed until 20-12-2025" in text(client.get(PAGE))
    rec = ImsRecord.objects.get(number="CN-20")
    client.post(ACTIONS, {"ids": [rec.id], "action": "P", "qs": ""})
    assert "pending until 20-12-2025" in text(client.get(PAGE, {"action": "P"}))
