"""Supplier pages: GSTR-1 periods, the document form, JSON upload, delete, filing with confirmation, and
IMS Outward — each as owner / preparer / viewer / outsider, over the same services as the API."""

import json
import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.periods import IST
from ims.models import ImsRecord
from ims.services.actions import ims_actions_apply
from invoices.models import Document, ReturnFiling
from invoices.services import return_file
from returns.models import AddBack
from tests.conftest import GJ, KA, MH, gstr1, inv, member, note
from tests.conftest import save as _save

D = Decimal
PERIOD_URL = f"/g/{MH}/gstr1/102025"


def save(supplier, period, body: dict) -> dict:
    return _save(supplier, period, body, by="t")


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def oct_clock(set_clock):
    set_clock("2025-11-05 10:00")


@pytest.fixture
def users(supplier):
    return {role: web(member(supplier, role)) for role in ("owner", "preparer", "viewer")}


def form_data(**over) -> dict:
    """One inter-state B2B invoice (Maharashtra to Karnataka): 1000.00 at 18% is IGST 180.00."""
    data = {
        "section": "b2b",
        "ctin": KA,
        "number": "WEB-1",
        "date": "10-10-2025",
        "pos": "29",
        "inv_typ": "R",
        "val": "",
        "rt_0": "18",
        "txval_0": "1000.00",
        "iamt_0": "180.00",
        "camt_0": "",
        "samt_0": "",
        "csamt_0": "",
        "rt_1": "",
        "txval_1": "",
        "rt_2": "",
        "txval_2": "",
    }
    data.update(over)
    return data


# --- GSTR-1 home ---------------------------------------------------------------------------------


def test_r8_2_gstr1_home_lists_periods_from_start_to_business_month(oct_clock, supplier, users, outsider):
    r = users["viewer"].get(f"/g/{MH}/gstr1/")
    assert r.status_code == 200
    html = r.content.decode()
    # start period 092025 .. business month 112025, newest first
    assert f'href="/g/{MH}/gstr1/112025"' in html
    assert f'href="/g/{MH}/gstr1/102025"' in html
    assert f'href="/g/{MH}/gstr1/092025"' in html
    assert f'href="/g/{MH}/gstr1/082025"' not in html
    assert f'href="/g/{MH}/gstr1/122025"' not in html
    assert html.index("/gstr1/112025") < html.index("/gstr1/092025")
    assert web(outsider).get(f"/g/{MH}/gstr1/").status_code == 404
    r = users["owner"].get(f"/g/{MH}/gstr1/", {"period": "102025"})
    assert r.status_code == 302 and r["Location"] == PERIOD_URL


# --- the period page -----------------------------------------------------------------------------


def test_r8_1_period_page_buttons_follow_the_role(oct_clock, supplier, recipient, users, outsider):
    save(supplier, 202510, gstr1(b2b=[inv("INV-1", "05-10-2025", txval="1234567.00")]))
    owner = users["owner"].get(PERIOD_URL).content.decode()
    preparer = users["preparer"].get(PERIOD_URL).content.decode()
    r = users["viewer"].get(PERIOD_URL)
    assert r.status_code == 200
    viewer = r.content.decode()
    for html in (owner, preparer, viewer):
        assert "INV-1" in html
        total = html[html.index('id="sum-total"') :]
        total = total[: total.index("</tr>")]
        assert "12,34,567.00" in total  # taxable, Indian grouping (the column header carries ₹)
        assert "2,22,222.06" in total  # IGST 18% of 12,34,567.00
        assert "29-Karnataka" in html
        assert "Bharat" in html  # the recipient's trade name beside its GSTIN
    assert "Add document" in owner and "Upload GSTR-1 JSON" in owner and "File GSTR-1" in owner
    assert "/edit" in owner and "Delete" in owner
    assert "Add document" in preparer and "Delete" in preparer and "File GSTR-1" not in preparer
    for word in ("Add document", "Upload GSTR-1 JSON", "File GSTR-1", "/edit", ">Delete<"):
        assert word not in viewer
    assert web(outsider).get(PERIOD_URL).status_code == 404
    assert users["owner"].get(f"/g/{MH}/gstr1/132025").status_code == 404


def test_r3_10_period_page_shows_form_status_and_filed_date(oct_clock, supplier, users):
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    html = users["viewer"].get(f"/g/{MH}/gstr1/092025").content.decode()
    assert "Filed" in html and "05-11-2025" in html  # GSTR-1 filed on the business date
    assert "GSTR-1A" in html


# --- the document form ---------------------------------------------------------------------------


def test_r3_8_document_form_saves_through_documents_save(oct_clock, supplier, recipient, users):
    r = users["preparer"].get(f"{PERIOD_URL}/documents/new")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-supplier-state="27"' in html
    assert 'name="rt_0"' in html and 'name="rt_1"' not in html  # one item row to start (issue 15)
    r = users["preparer"].post(f"{PERIOD_URL}/documents/new", form_data())
    assert r.status_code == 302 and r["Location"] == PERIOD_URL
    doc = Document.objects.get(supplier=supplier, number="WEB-1")
    assert (doc.form, doc.period, doc.ctin, doc.pos) == ("GSTR1", 202510, KA, "29")
    assert (doc.txval, doc.iamt, doc.camt, doc.val) == (D("1000.00"), D("180.00"), D("0.00"), D("1180.00"))
    assert ImsRecord.objects.get(document=doc).recipient == recipient
    page = users["preparer"].get(PERIOD_URL).content.decode()
    assert "Document WEB-1 saved in GSTR-1." in page


def test_r3_5_validation_error_beside_the_field_keeps_what_was_typed(oct_clock, supplier, users):
    bad = form_data(iamt_0="5.00", ctin="29AAGCB7383J1Z5", txval_1="abc", rt_1="5")
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", bad)
    assert r.status_code == 400
    html = r.content.decode()
    # b2b[0].ctin -> the recipient field; b2b[0].inv[0].itms[0].itm_det.iamt -> IGST of row 1
    assert 'id="f-ctin-err"' in html and "CTIN_INVALID" in html
    err = html[html.index('id="iamt_0-err"') :]
    assert "TAX_MISMATCH" in err[:300]
    assert 'id="txval_1-err"' in html  # the second row's taxable value is not a number
    assert Document.objects.count() == 0
    # everything typed comes back
    assert 'value="29AAGCB7383J1Z5"' in html and 'value="WEB-1"' in html and 'value="10-10-2025"' in html
    assert 'value="5.00"' in html and 'value="abc"' in html
    fixed = form_data(iamt_0="180.00")
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", fixed)
    assert r.status_code == 302
    assert Document.objects.get(number="WEB-1").iamt == D("180.00")


def test_r3_5_intra_state_document_with_cgst_and_sgst(oct_clock, supplier, users):
    data = form_data(pos="27", iamt_0="", camt_0="90.00", samt_0="90.00", ctin=GJ)
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = Document.objects.get(number="WEB-1")
    assert (doc.iamt, doc.camt, doc.samt) == (D("0.00"), D("90.00"), D("90.00"))


def test_r3_2_edit_form_prefilled_and_resaving_the_number_replaces(oct_clock, supplier, users):
    save(supplier, 202510, gstr1(b2b=[inv("INV-7", "05-10-2025")]))
    doc = Document.objects.get(number="INV-7")
    url = f"{PERIOD_URL}/documents/{doc.id}/edit"
    html = users["owner"].get(url).content.decode()
    assert 'value="INV-7"' in html and 'value="05-10-2025"' in html and 'value="1000.00"' in html
    data = form_data(number="INV-7", date="06-10-2025", txval_0="2000.00", iamt_0="360.00")
    r = users["owner"].post(url, data)
    assert r.status_code == 302
    assert Document.objects.count() == 1
    doc.refresh_from_db()
    assert (doc.doc_date.day, doc.txval, doc.iamt) == (6, D("2000.00"), D("360.00"))


def test_r3_8_filed_document_cannot_be_edited(oct_clock, supplier, users):
    save(supplier, 202509, gstr1(b2b=[inv("INV-9", "05-09-2025")]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    doc = Document.objects.get(number="INV-9")
    r = users["owner"].post(f"/g/{MH}/gstr1/092025/documents/{doc.id}/edit", form_data(number="INV-9"))
    assert r.status_code == 409
    assert "ALREADY_FILED" in r.content.decode()
    assert Document.objects.get(number="INV-9").txval == D("1000.00")


def test_r8_1_document_form_refused_to_viewer_and_hidden_from_outsider(oct_clock, supplier, users, outsider):
    assert users["viewer"].get(f"{PERIOD_URL}/documents/new").status_code == 403
    assert users["viewer"].post(f"{PERIOD_URL}/documents/new", form_data()).status_code == 403
    assert web(outsider).post(f"{PERIOD_URL}/documents/new", form_data()).status_code == 404
    assert Document.objects.count() == 0


# --- JSON upload ---------------------------------------------------------------------------------


def upload(client, payload_text: str):
    f = SimpleUploadedFile("gstr1.json", payload_text.encode(), content_type="application/json")
    return client.post(f"{PERIOD_URL}/upload", {"file": f})


def test_r3_11_json_upload_saves_the_batch(oct_clock, supplier, users):
    text = (
        '{"gstin": "27AAPFU0939F1ZV", "fp": "102025", "b2b": [{"ctin": "29AAGCB7383J1Z4", "inv": ['
        '{"inum": "UP-1", "idt": "01-10-2025", "val": 1180.00, "pos": "29", "rchrg": "N", "inv_typ": "R",'
        ' "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 1000.00, "iamt": 180.00}}]},'
        '{"inum": "UP-2", "idt": "02-10-2025", "val": 118.10, "pos": "29", "rchrg": "N", "inv_typ": "R",'
        ' "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 100.10, "iamt": 18.02}}]}]}]}'
    )
    r = upload(users["preparer"], text)
    assert r.status_code == 302
    assert sorted(Document.objects.values_list("number", flat=True)) == ["UP-1", "UP-2"]
    assert Document.objects.get(number="UP-2").txval == D("100.10")
    html = users["preparer"].get(PERIOD_URL).content.decode()
    assert "2 created, 0 updated, 0 unchanged" in html


def test_r3_11_bad_upload_saves_nothing_and_shows_every_error(oct_clock, supplier, users):
    payload = gstr1(b2b=[inv("UP-1", "01-10-2025"), inv("UP-2", "01-12-2025", rt="19")])
    text = json.dumps(payload, default=float)
    r = upload(users["owner"], text)
    assert r.status_code == 400
    html = r.content.decode()
    assert "nothing was saved" in html
    assert "b2b[0].inv[1].idt" in html and "DATE_AFTER_PERIOD" in html
    assert "b2b[0].inv[1].itms[0].itm_det.rt" in html and "RATE_INVALID" in html
    # Issue 15: where, in words, beside the path.
    assert "B2B invoices, recipient 1, document 2, item 1: rate" in html
    assert "B2B invoices, recipient 1, document 2: invoice date" in html
    assert Document.objects.count() == 0
    r = upload(users["owner"], "{not json")
    assert r.status_code == 400 and "not valid JSON" in r.content.decode()
    assert upload(users["viewer"], "{}").status_code == 403


# --- delete --------------------------------------------------------------------------------------


def test_r3_8_delete_unfiled_document_with_htmx(oct_clock, supplier, recipient, users):
    save(supplier, 202510, gstr1(b2b=[inv("DEL-1", "05-10-2025")]))
    doc = Document.objects.get(number="DEL-1")
    url = f"{PERIOD_URL}/documents/{doc.id}/delete"
    assert 'hx-confirm="Delete DEL-1?' in users["owner"].get(PERIOD_URL).content.decode()
    assert users["viewer"].post(url).status_code == 403
    r = users["preparer"].post(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.content == b""
    assert not Document.objects.filter(id=doc.id).exists()
    assert ImsRecord.objects.get(number="DEL-1").removed is True


def test_r3_8_delete_of_a_filed_document_is_refused_in_words(oct_clock, supplier, users):
    save(supplier, 202509, gstr1(b2b=[inv("F-1", "05-09-2025")]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    doc = Document.objects.get(number="F-1")
    r = users["owner"].post(f"/g/{MH}/gstr1/092025/documents/{doc.id}/delete", HTTP_HX_REQUEST="true")
    assert "ALREADY_FILED" in r.content.decode()
    assert Document.objects.filter(id=doc.id).exists()


# --- filing --------------------------------------------------------------------------------------


def test_r3_10_file_with_confirmation_as_owner(oct_clock, supplier, users):
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    save(supplier, 202510, gstr1(b2b=[inv("A-1", "05-10-2025"), inv("A-2", "06-10-2025")]))
    r = users["owner"].get(f"{PERIOD_URL}/file", {"form": "GSTR1"})
    assert r.status_code == 200
    assert (
        "Filing GSTR-1 for Oct 2025 files 2 documents; filed documents cannot be edited, only amended."
        in r.content.decode()
    )
    assert not ReturnFiling.objects.filter(period=202510).exists()  # asking is not filing
    r = users["owner"].post(f"{PERIOD_URL}/file", {"form": "GSTR1"})
    assert r.status_code == 302 and r["Location"] == PERIOD_URL
    filing = ReturnFiling.objects.get(taxpayer=supplier, period=202510, form="GSTR1")
    assert filing.documents == 2
    assert Document.objects.filter(period=202510, filed_at__isnull=True).count() == 0
    html = users["owner"].get(PERIOD_URL).content.decode()
    assert "GSTR-1 filed with 2 documents." in html
    assert "File GSTR-1A" in html  # GSTR-1A opens once GSTR-1 is filed


def test_r3_10_file_refusal_shown_in_words_and_code(oct_clock, supplier, users):
    r = users["owner"].post(f"{PERIOD_URL}/file", {"form": "GSTR1"})  # September not filed yet
    assert r.status_code == 409
    assert "PREVIOUS_NOT_FILED" in r.content.decode()
    assert not ReturnFiling.objects.exists()


def test_r8_1_file_is_403_for_preparer_and_viewer(oct_clock, supplier, users):
    for role in ("preparer", "viewer"):
        assert users[role].get(f"/g/{MH}/gstr1/092025/file", {"form": "GSTR1"}).status_code == 403
        assert users[role].post(f"/g/{MH}/gstr1/092025/file", {"form": "GSTR1"}).status_code == 403
    assert not ReturnFiling.objects.exists()


# --- IMS Outward ---------------------------------------------------------------------------------


@pytest.fixture
def acted(oct_clock, supplier, recipient):
    save(supplier, 202510, gstr1(b2b=[inv("O-1", "05-10-2025"), inv("O-2", "06-10-2025")]))
    rec = ImsRecord.objects.get(number="O-1")
    result = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": rec.id, "action": "R", "remarks": "Goods not received"}],
        by="buyer",
        channel="api",
    )
    assert result["processed"] == 1, result
    return rec


def test_r7_1_outward_shows_recipient_action_and_remarks(acted, supplier, users, outsider):
    r = users["viewer"].get(f"/g/{MH}/ims/outward")
    assert r.status_code == 200
    html = r.content.decode()
    row1 = html[html.index("O-1") :]
    assert 'act-badge act-R">Rejected' in row1[:1500] and "Goods not received" in row1[:1500]
    assert 'act-badge act-N">No action' in html  # O-2
    assert "Oct 2025" in html  # the 2B period
    assert web(outsider).get(f"/g/{MH}/ims/outward").status_code == 404


def test_r7_1_outward_filters_by_action_and_recipient(acted, supplier, users):
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"action": "R"}).content.decode()
    assert "O-1" in html and "O-2" not in html
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"ctin": GJ}).content.decode()
    assert "O-1" not in html and "No documents match." in html
    r = users["owner"].get(f"/g/{MH}/ims/outward", {"action": "X"}, HTTP_HX_REQUEST="true")
    assert "action is N, A, R or P." in r.content.decode()
    assert "<html" not in r.content.decode()  # htmx gets the results region only


def test_r7_1_outward_keyset_pages(oct_clock, supplier, recipient, users):
    save(supplier, 202510, gstr1(b2b=[inv(f"K-{i}", "05-10-2025") for i in range(1, 4)]))
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"limit": "2"}).content.decode()
    assert "K-1" in html and "K-2" in html and "K-3" not in html
    start = html.index('rel="next" href="') + len('rel="next" href="')
    nxt = html[start : html.index('"', start)].replace("&amp;", "&")
    html = users["owner"].get(nxt + "&limit=2").content.decode()
    assert "K-3" in html and "K-1" not in html


def test_r6_4_outward_shows_add_backs(oct_clock, supplier, recipient, users):
    AddBack.objects.create(
        supplier=supplier,
        record_id=41,
        ctin=KA,
        section="b2bcn",
        number="CN-4",
        doc_type="CN",
        txval=D("250000.00"),
        igst=D("45000.00"),
        cgst=D("0"),
        sgst=D("0"),
        cess=D("0"),
        rejected_in_period=202510,
        added_in_period=202511,
        created_at=datetime(2025, 11, 5, 10, tzinfo=IST),
    )
    html = users["viewer"].get(f"/g/{MH}/ims/outward").content.decode()
    table = html[html.index("Add-backs") :]
    assert "Credit notes" in table and "CN-4" in table
    assert "2,50,000.00" in table and "45,000.00" in table
    assert "Oct 2025" in table and "Nov 2025" in table and "Add-back" in table


# --- query counts --------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_r9_period_page_and_outward_queries_do_not_grow_with_documents(
    oct_clock, supplier, recipient, users, django_assert_max_num_queries
):
    owner = users["owner"]
    save(supplier, 202510, gstr1(b2b=[inv("Q-1", "05-10-2025")], cdnr=[note("QN-1", "05-10-2025")]))
    _queries(owner, f"/g/{MH}/ims/outward")  # R-2.1's once-per-closing check is done before counting
    few_period, few_outward = _queries(owner, PERIOD_URL), _queries(owner, f"/g/{MH}/ims/outward")
    save(supplier, 202510, gstr1(b2b=[inv(f"Q-{i}", "05-10-2025") for i in range(2, 40)]))
    assert _queries(owner, PERIOD_URL) == few_period
    assert _queries(owner, f"/g/{MH}/ims/outward") == few_outward
    # The GSTR-1 summary is eight GROUP BYs over documents and summary rows (invoices.figures), whatever
    # their number; the equality above is what proves the page does not grow.
    with django_assert_max_num_queries(28):
        owner.get(PERIOD_URL)
    with django_assert_max_num_queries(16):
        owner.get(f"/g/{MH}/ims/outward")


def test_r3_9_amendment_through_the_form(oct_clock, supplier, recipient, users):
    save(supplier, 202509, gstr1(b2b=[inv("INV-9", "05-09-2025")]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    original = Document.objects.get(number="INV-9")
    html = users["owner"].get(f"/g/{MH}/gstr1/092025").content.decode()
    assert f"?amend={original.id}" in html  # filed: Amend instead of Edit / Delete
    r = users["owner"].get(f"{PERIOD_URL}/documents/new", {"amend": original.id})
    html = r.content.decode()
    assert '<option value="b2ba" selected>' in html and 'value="05-09-2025"' in html
    wrong = form_data(
        section="b2ba", number="INV-9", date="05-09-2025", orig_number="INV-8", orig_date="05-09-2025"
    )
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", wrong)
    assert r.status_code == 400
    html = r.content.decode()
    assert "ORIGINAL_NOT_FOUND" in html[html.index('id="f-orig-number-err"') :][:300]
    right = dict(wrong, orig_number="INV-9", txval_0="900.00", iamt_0="162.00")
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", right)
    assert r.status_code == 302
    amendment = Document.objects.get(section="b2ba")
    assert (amendment.amends_id, amendment.period, amendment.txval) == (original.id, 202510, D("900.00"))


def test_issue15_no_add_document_on_a_period_whose_gstr1_and_gstr1a_are_filed(oct_clock, supplier, users):
    save(supplier, "092025", gstr1(b2b=[inv("SEP-1", "05-09-2025")]))
    page = f"/g/{MH}/gstr1/092025"
    assert "Add document" in users["owner"].get(page).content.decode()
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    html = users["owner"].get(page).content.decode()
    assert "Add document" in html  # GSTR-1A is open: new documents go into it
    save(supplier, "092025", gstr1(b2b=[inv("SEP-2", "06-09-2025")]))
    return_file(supplier=supplier, period=202509, form="GSTR1A", by="t", channel="api")
    html = users["owner"].get(page).content.decode()
    assert "Add document" not in html and "Upload GSTR-1 JSON" not in html
    assert "Every return of this period is filed or closed" in html


def test_issue15_an_amendment_starts_from_the_filed_date_and_says_it_goes_into_gstr1a(
    oct_clock, supplier, users
):
    save(supplier, "092025", gstr1(b2b=[inv("AM-1", "05-09-2025")]))
    page = f"/g/{MH}/gstr1/092025"
    new = users["owner"].get(f"{page}/documents/new").content.decode()
    assert "Saved in GSTR-1 of Sep 2025." in new
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    doc = Document.objects.get(number="AM-1")
    html = users["owner"].get(f"{page}/documents/new", {"amend": doc.id}).content.decode()
    assert "Saved in GSTR-1A of Sep 2025." in html
    assert 'value="05-09-2025"' in html  # the filed document's date, not a blank field


def test_issue15_the_period_page_pages_its_documents_and_finds_them_by_number_or_gstin(
    oct_clock, supplier, recipient, users
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    save(supplier, "102025", gstr1(b2b=[inv(f"P-{i:03d}", "05-10-2025") for i in range(230)]))
    c = users["viewer"]
    first = c.get(PERIOD_URL).content.decode()
    assert "Documents <small" in first and "(230)" in first
    assert first.count('<tr id="doc-') == 100 and "P-000" in first and "P-100" not in first
    assert "100 of 230 on this page" in first
    nxt = re.search(r'href="\?after=(\d+)"', first).group(1)
    second = c.get(PERIOD_URL, {"after": nxt}).content.decode()
    assert second.count('<tr id="doc-') == 100 and "P-100" in second and "P-000" not in second
    third = c.get(PERIOD_URL, {"after": re.search(r'href="\?after=(\d+)"', second).group(1)}).content.decode()
    assert third.count('<tr id="doc-') == 30 and "Last page" in third and "First page" in third
    found = c.get(PERIOD_URL, {"q": "p-12"}).content.decode()  # number prefix, any case
    assert found.count('<tr id="doc-') == 10 and "P-120" in found and "P-129" in found  # P-120 to P-129
    by_gstin = c.get(PERIOD_URL, {"q": KA[:5]}).content.decode()
    assert by_gstin.count('<tr id="doc-') == 100
    none = c.get(PERIOD_URL, {"q": "ZZZ"}).content.decode()
    assert "No document's number or recipient GSTIN starts with" in none
    # The page's queries do not grow with the documents.
    with CaptureQueriesContext(connection) as few:
        c.get(PERIOD_URL)
    save(supplier, "102025", gstr1(b2b=[inv(f"Q-{i:03d}", "06-10-2025") for i in range(300)]))
    with CaptureQueriesContext(connection) as many:
        c.get(PERIOD_URL)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- issue 15: IMS Outward counts, number search and Excel ------------------------------------------------


def test_issue15_outward_counts_documents_by_action_and_finds_a_number(acted, supplier, users):
    page = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", users["owner"].get(f"/g/{MH}/ims/outward").content.decode())
    )
    # O-1 rejected, O-2 at no action (the fixture).
    assert "1 No action" in page and "0 Accepted" in page and "1 Rejected" in page and "0 Pending" in page
    # The counts stay whole while one action is chosen, so the others can still be read.
    page = re.sub(
        r"<[^>]+>", " ", users["owner"].get(f"/g/{MH}/ims/outward", {"action": "R"}).content.decode()
    )
    assert "O-2" not in page and re.search(r"1\s+No action", page)
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"q": "o-2"}).content.decode()
    assert "O-2" in html and "O-1" not in html
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"period": "Oct 2025"}).content.decode()
    assert "O-1" in html and "O-2" in html
    html = users["owner"].get(f"/g/{MH}/ims/outward", {"period": "Smarch"}).content.decode()
    assert "Return period: " in html and "period: " not in html.replace("Return period: ", "")


def test_issue15_outward_excel_has_headers_in_words_and_amounts_as_numbers(acted, supplier, users):
    import io

    from openpyxl import load_workbook

    r = users["viewer"].get(f"/g/{MH}/ims/outward/export", {"action": "R"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ws = wb["IMS Outward"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Return period", "Section", "Document number", "Document date")
    assert "Recipient's action" in header and "Remarks" in header
    assert len(rows) == 2  # only O-1, the rejected one
    line = dict(zip(header, rows[1], strict=True))
    assert line["Document number"] == "O-1" and line["Recipient's action"] == "Rejected"
    assert line["Remarks"] == "Goods not received"
    assert line["Taxable value (₹)"] == 1000 and line["Total tax (₹)"] == 180  # inv()'s defaults
    assert line["Place of supply"] == "29-Karnataka" and line["Status"] == "Saved"
    cell = ws.cell(row=2, column=header.index("Taxable value (₹)") + 1)
    assert "##,##0.00" in cell.number_format  # Indian grouping in Excel's display


def test_issue15_a_large_outward_export_is_a_job_with_the_file(acted, supplier, users, settings):
    from jobs.models import Job
    from jobs.runner import run_job

    settings.OUTWARD_EXPORT_SYNC_MAX = 1
    r = users["owner"].get(f"/g/{MH}/ims/outward/export")
    assert r.status_code == 200 and "IMS Outward workbook" in r.content.decode()
    job = Job.objects.get(kind="outward_export")
    run_job(job.id)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["documents"] == 2 and job.result["file"]


# --- issue 15: an e-commerce operator adds and edits its ECO documents in the form (R-3.14) ---------------


def test_issue15_r3_14_an_operator_adds_an_eco_document_in_the_form_and_edits_it(
    oct_clock, supplier, recipient, users
):
    from tests.conftest import make_operator

    make_operator(supplier)
    owner = users["owner"]
    html = owner.get(f"{PERIOD_URL}/documents/new").content.decode()
    assert 'value="ecom"' in html and "Actual supplier's GSTIN" in html
    # Gujarat's supplier sells through Acme (the operator, Maharashtra) to Bharat (Karnataka): inter-state.
    r = owner.post(f"{PERIOD_URL}/documents/new", form_data(section="ecom", stin=GJ, number="ECO-1"))
    assert r.status_code == 302, r.content.decode()[:3000]
    doc = Document.objects.get(number="ECO-1")
    assert (doc.section, doc.stin, doc.ctin, doc.iamt) == ("ecom", GJ, KA, Decimal("180.00"))
    assert ImsRecord.objects.get(number="ECO-1").section == "ecom"  # in Bharat's IMS
    # The period page offers Edit; the edit form keeps the actual supplier and saves changes.
    page = owner.get(PERIOD_URL).content.decode()
    assert f"/documents/{doc.id}/edit" in page
    edit = owner.get(f"{PERIOD_URL}/documents/{doc.id}/edit").content.decode()
    assert f'value="{GJ}"' in edit
    r = owner.post(
        f"{PERIOD_URL}/documents/{doc.id}/edit",
        form_data(section="ecom", stin=GJ, number="ECO-1", txval_0="2000.00", iamt_0="360.00"),
    )
    assert r.status_code == 302
    assert Document.objects.get(number="ECO-1").txval == Decimal("2000.00")
    # A bad actual supplier GSTIN is said beside its field.
    r = owner.post(f"{PERIOD_URL}/documents/new", form_data(section="ecom", stin="24XXXX", number="ECO-2"))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="f-stin-err"' in html


def test_issue15_r3_14_a_taxpayer_not_an_operator_is_not_offered_eco_documents(oct_clock, supplier, users):
    html = users["owner"].get(f"{PERIOD_URL}/documents/new").content.decode()
    assert 'value="ecom"' not in html
    r = users["owner"].post(f"{PERIOD_URL}/documents/new", form_data(section="ecom", stin=GJ, number="ECO-9"))
    assert r.status_code in (400, 409)
    assert not Document.objects.filter(number="ECO-9").exists()
