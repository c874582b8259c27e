"""Saving, editing and deleting supplier documents through the API (R-2.3, R-3.1, R-3.2, R-3.8, R-3.9,
R-3.11, R-4.8): what needs the database and the endpoints. Pure validation is in test_gstr1_domain.py."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ims.models import ImsAudit, ImsRecord
from invoices.models import Document
from invoices.services import return_file
from tests.conftest import DL, GJ, KA, MH, client_for, gstr1, inv, make_operator, member, note

BASE = f"/api/v1/gstr1/{MH}"


def save(c, period: str, body: dict):
    return c.post(f"{BASE}/{period}/documents", body, format="json")


def details(r) -> list[tuple[str, str]]:
    assert r.status_code == 400, r.content
    body = r.json()["error"]
    assert body["code"] == "VALIDATION"
    return [(d["path"], d["code"]) for d in body["details"]]


def counts() -> tuple[int, int, int]:
    return Document.objects.count(), ImsRecord.objects.count(), ImsAudit.objects.count()


def file_gstr1(supplier, period: int, form: str = "GSTR1"):
    return return_file(supplier=supplier, period=period, form=form, by="test", channel="api")


@pytest.fixture
def owner(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    return client_for(member(supplier, "owner"))


# --- reply and atomicity ---------------------------------------------------------------------------


def test_r3_save_replies_form_and_counts(owner):
    r = save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")], cdnr=[note("CN-1", "06-10-2025")]))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 2, "updated": 0, "unchanged": 0}
    doc = Document.objects.get(number="INV-1")
    assert (doc.period, doc.form, doc.filed_at) == (202510, "GSTR1", None)
    assert (doc.txval, doc.iamt) == (Decimal("1000.00"), Decimal("180.00"))
    assert ImsRecord.objects.filter(recipient__gstin=KA, active=True).count() == 2


def test_r3_11_one_bad_document_saves_nothing_and_reports_every_error(owner):
    bad_tax = inv("INV-2", "05-10-2025")
    bad_tax["itms"][0]["itm_det"]["iamt"] = Decimal("10.00")
    body = gstr1(b2b=[inv("INV-1", "05-10-2025"), bad_tax, inv("INV-3", "05-10-2025", rt="19")])
    body["isd"] = []  # not a GSTR-1 section
    before = counts()
    r = save(owner, "102025", body)
    got = details(r)
    assert ("b2b[0].inv[1].itms[0].itm_det.iamt", "TAX_MISMATCH") in got
    assert ("b2b[0].inv[2].itms[0].itm_det.rt", "RATE_INVALID") in got
    assert ("isd", "UNSUPPORTED_SECTION") in got
    assert all(d["message"] for d in r.json()["error"]["details"])
    assert counts() == before


def test_r3_11_database_refusal_saves_nothing_either(owner):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    before = counts()
    # A good new document, an edit of INV-1 and a duplicate of INV-1 in another period: all or nothing.
    r = save(owner, "112025", gstr1(b2b=[inv("INV-9", "05-11-2025"), inv("INV-1", "05-11-2025")]))
    assert details(r) == [("b2b[0].inv[1].inum", "NUMBER_DUPLICATE")]
    r = save(
        owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", txval="2000.00"), inv("inv-2", "30-11-2025")])
    )
    assert details(r) == [("b2b[0].inv[1].idt", "DATE_AFTER_PERIOD")]
    assert counts() == before
    assert Document.objects.get(number="INV-1").txval == Decimal("1000.00")


def test_r3_11_gstin_and_fp_must_match_the_path(owner):
    body = gstr1(b2b=[inv("INV-1", "05-10-2025")])
    body.update({"gstin": GJ, "fp": "092025"})
    assert set(details(save(owner, "102025", body))) == {("gstin", "GSTIN_MISMATCH"), ("fp", "FP_MISMATCH")}
    assert counts() == (0, 0, 0)


def test_r3_413_over_10000_documents_is_too_large(owner):
    one = inv("INV-1", "05-10-2025")
    r = save(owner, "102025", {"b2b": [{"ctin": KA, "inv": [one] * 10_001}]})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "TOO_LARGE"
    assert counts() == (0, 0, 0)


# --- periods (R-2.3, R-1.4) --------------------------------------------------------------------------


def test_r2_3_documents_cannot_be_saved_for_a_period_not_begun(owner):
    r = save(owner, "122025", gstr1(b2b=[inv("INV-1", "01-12-2025")]))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "PERIOD_NOT_STARTED"
    # The current month has begun.
    assert save(owner, "112025", gstr1(b2b=[inv("INV-1", "01-11-2025")])).status_code == 201


def test_r1_4_documents_before_the_start_period_are_refused(owner):
    r = save(owner, "082025", gstr1(b2b=[inv("INV-1", "01-08-2025")]))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "BEFORE_START_PERIOD"
    assert counts() == (0, 0, 0)


def test_r1_4_document_to_an_unregistered_recipient_is_accepted(owner):
    r = save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", pos="07")], ctin=DL))
    assert r.status_code == 201, r.content
    assert Document.objects.filter(ctin=DL).count() == 1
    assert ImsRecord.objects.count() == 0


# --- numbers (R-3.2) ----------------------------------------------------------------------------------


def test_r3_2_number_stored_in_another_period_is_a_duplicate(owner):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    assert details(save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))) == [
        ("b2b[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]


def test_r3_2_numbers_compare_case_insensitively_and_are_stored_as_typed(owner):
    assert save(owner, "092025", gstr1(b2b=[inv("Inv-1", "05-09-2025")])).status_code == 201
    assert Document.objects.get().number == "Inv-1"
    assert details(save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))) == [
        ("b2b[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]


def test_r3_2_invoices_and_notes_are_separate_series_cn_and_dn_share_one(owner):
    assert save(owner, "092025", gstr1(b2b=[inv("X-1", "05-09-2025")])).status_code == 201
    r = save(owner, "102025", gstr1(cdnr=[note("X-1", "05-10-2025")]))
    assert r.status_code == 201, r.content
    # A DN in another period with the CN's number: one series for CNs and DNs.
    assert details(save(owner, "112025", gstr1(cdnr=[note("x-1", "06-11-2025", ntty="D")]))) == [
        ("cdnr[0].nt[0].nt_num", "NUMBER_DUPLICATE")
    ]


def test_r3_2_a_new_financial_year_may_reuse_a_number(owner, set_clock):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    set_clock("2026-04-20 10:00")
    # Dated March 2026, still FY 2025-26: a duplicate even though reported in April.
    assert details(save(owner, "042026", gstr1(b2b=[inv("INV-1", "31-03-2026")]))) == [
        ("b2b[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]
    r = save(owner, "042026", gstr1(b2b=[inv("INV-1", "01-04-2026")]))
    assert r.status_code == 201, r.content
    assert sorted(Document.objects.values_list("fy", flat=True)) == [2025, 2026]


def test_r3_2_eco_numbers_belong_to_the_actual_supplier(owner, supplier):
    make_operator(supplier)
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    eco = inv("INV-1", "05-10-2025", sply_ty="INTER")
    del eco["rchrg"]
    body = {"ecom": {"b2b": [{"stin": GJ, "rtin": KA, "inv": [eco]}]}}
    assert save(owner, "102025", body).status_code == 201
    doc = Document.objects.get(section="ecom")
    assert (doc.number_owner, doc.ctin, doc.stin) == (GJ, KA, GJ)
    # The same ECO number for the same actual supplier in another period is a duplicate.
    eco2 = {**eco, "idt": "05-11-2025"}
    assert details(save(owner, "112025", {"ecom": {"b2b": [{"stin": GJ, "rtin": KA, "inv": [eco2]}]}})) == [
        ("ecom.b2b[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]


def test_r3_2_saving_an_unfiled_number_again_in_its_period_is_an_edit(owner, recipient):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    rec = ImsRecord.objects.get()
    rec.action, rec.remarks = "R", "wrong rate"
    rec.save(update_fields=["action", "remarks"])
    doc_id = Document.objects.get().id

    r = save(owner, "102025", gstr1(b2b=[inv("inv-1", "05-10-2025", txval="1500.00")]))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 0, "updated": 1, "unchanged": 0}
    doc = Document.objects.get()
    assert (doc.id, doc.number, doc.txval, doc.iamt) == (
        doc_id,
        "inv-1",
        Decimal("1500.00"),
        Decimal("270.00"),
    )
    # the recipient's action returns to N, remarks cleared, audited by the system.
    rec.refresh_from_db()
    assert (rec.action, rec.remarks, rec.txval, rec.active) == ("N", None, Decimal("1500.00"), True)
    assert ImsAudit.objects.filter(record=rec, by="system", from_action="R", to_action="N").exists()

    r = save(owner, "102025", gstr1(b2b=[inv("inv-1", "05-10-2025", txval="1500.00")]))
    assert r.json() == {"form": "GSTR1", "created": 0, "updated": 0, "unchanged": 1}
    assert ImsAudit.objects.filter(record=rec).count() == 2


def test_r3_2_a_filed_number_is_refused_with_already_filed(owner, supplier):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    file_gstr1(supplier, 202509)
    # In the same period (now GSTR-1A) and in a later one: the filed document changes only by amendment.
    assert details(save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025", txval="5.00")]))) == [
        ("b2b[0].inv[0].inum", "ALREADY_FILED")
    ]
    assert details(save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))) == [
        ("b2b[0].inv[0].inum", "ALREADY_FILED")
    ]


# --- delete (R-3.8, R-4.8) ----------------------------------------------------------------------------


def test_r3_8_deleting_an_unfiled_document_removes_it_and_its_record(owner, recipient):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    doc = Document.objects.get()
    rec = ImsRecord.objects.get()
    r = owner.delete(f"{BASE}/102025/documents/{doc.id}")
    assert r.status_code == 204
    assert not Document.objects.exists()
    rec.refresh_from_db()
    assert (rec.active, rec.removed) == (False, True)
    assert ImsAudit.objects.filter(record=rec, reason__icontains="deleted").exists()
    rc = client_for(member(recipient, "viewer"))
    assert rc.get(f"/api/v1/ims/{KA}/inward").json()["records"] == []
    # saving it again makes a new record.
    assert save(owner, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 201
    assert ImsRecord.objects.filter(active=True).exclude(id=rec.id).count() == 1


def test_r3_8_a_filed_document_cannot_be_deleted(owner, supplier):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    file_gstr1(supplier, 202509)
    doc = Document.objects.get()
    r = owner.delete(f"{BASE}/092025/documents/{doc.id}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "ALREADY_FILED"
    assert Document.objects.filter(id=doc.id).exists()


def test_r8_2_deleting_another_suppliers_or_an_unknown_document_is_not_found(owner, recipient, set_clock):
    kc = client_for(member(recipient, "owner"))
    r = kc.post(
        f"/api/v1/gstr1/{KA}/102025/documents",
        gstr1(b2b=[inv("K-1", "05-10-2025", pos="27")], ctin=MH),
        format="json",
    )
    assert r.status_code == 201, r.content
    other = Document.objects.get()
    assert owner.delete(f"{BASE}/102025/documents/{other.id}").status_code == 404
    assert owner.delete(f"{BASE}/102025/documents/999999").status_code == 404
    assert Document.objects.filter(id=other.id).exists()


# --- amendments (R-3.9) -------------------------------------------------------------------------------


@pytest.fixture
def filed_original(owner, supplier):
    """INV-1 and CN-1 to KA filed in GSTR-1 of 092025."""
    r = save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")], cdnr=[note("CN-1", "06-09-2025")]))
    assert r.status_code == 201, r.content
    file_gstr1(supplier, 202509)
    return Document.objects.get(number="INV-1")


def amend(number: str, orig: str, when: str, odt: str = "05-09-2025", **kw) -> dict:
    return inv(number, when, oinum=orig, oidt=odt, **kw)


def test_r3_9_amendment_of_an_unknown_original_is_refused(owner, filed_original):
    assert details(save(owner, "102025", gstr1(b2ba=[amend("INV-1", "NOPE-1", "05-09-2025")]))) == [
        ("b2ba[0].inv[0].oinum", "ORIGINAL_NOT_FOUND")
    ]


def test_r3_9_amendment_of_an_unfiled_original_is_refused(owner, filed_original):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-5", "05-10-2025")])).status_code == 201
    assert details(
        save(owner, "102025", gstr1(b2ba=[amend("INV-5", "INV-5", "05-10-2025", odt="05-10-2025")]))
    ) == [("b2ba[0].inv[0].oinum", "ORIGINAL_NOT_FOUND")]


def test_r3_9_amendment_for_another_recipient_is_refused(owner, filed_original):
    body = gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025", pos="24")], ctin=GJ)
    assert details(save(owner, "102025", body)) == [("b2ba[0].inv[0].oinum", "ORIGINAL_NOT_FOUND")]
    assert Document.objects.count() == 2


def test_r3_9_amendment_in_a_later_period_keeps_the_number_and_links_to_the_original(owner, filed_original):
    r = save(owner, "102025", gstr1(b2ba=[amend("INV-1", "inv-1", "05-09-2025", txval="900.00")]))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 1, "updated": 0, "unchanged": 0}
    a = Document.objects.get(section="b2ba")
    assert (a.period, a.form, a.root_id, a.amends_id) == (
        202510,
        "GSTR1",
        filed_original.id,
        filed_original.id,
    )
    assert (a.number, a.orig_number, a.txval) == ("INV-1", "inv-1", Decimal("900.00"))
    rec = ImsRecord.objects.get(document=a)
    assert rec.section == "b2ba"
    # Saving it again changed: an edit of the unfiled amendment.
    r = save(owner, "102025", gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025", txval="950.00")]))
    assert r.json() == {"form": "GSTR1", "created": 0, "updated": 1, "unchanged": 0}
    assert Document.objects.get(section="b2ba").txval == Decimal("950.00")


def test_r3_9_amendment_may_take_a_new_unique_number(owner, filed_original):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-7", "05-10-2025")])).status_code == 201
    assert details(save(owner, "102025", gstr1(b2ba=[amend("INV-7", "INV-1", "05-10-2025")]))) == [
        ("b2ba[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]
    r = save(owner, "102025", gstr1(b2ba=[amend("INV-1A", "INV-1", "05-10-2025")]))
    assert r.status_code == 201, r.content
    a = Document.objects.get(section="b2ba")
    assert (a.number, a.root_id) == ("INV-1A", filed_original.id)
    # The new number is taken: an original may not reuse it.
    assert details(save(owner, "112025", gstr1(b2b=[inv("INV-1A", "05-11-2025")]))) == [
        ("b2b[0].inv[0].inum", "NUMBER_DUPLICATE")
    ]


def test_r3_9_amendment_in_gstr1a_of_the_same_period(owner, filed_original):
    r = save(owner, "092025", gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025", txval="800.00")]))
    assert r.status_code == 201, r.content
    assert r.json()["form"] == "GSTR1A"
    a = Document.objects.get(section="b2ba")
    assert (a.period, a.form, a.amends_id) == (202509, "GSTR1A", filed_original.id)


def test_r3_9_amendment_in_an_earlier_period_than_its_original_is_refused(owner, supplier, filed_original):
    assert save(owner, "102025", gstr1(b2b=[inv("INV-2", "05-10-2025")])).status_code == 201
    file_gstr1(supplier, 202510)
    # 092025 is open only as GSTR-1A; INV-2 was reported in 102025.
    got = details(
        save(owner, "092025", gstr1(b2ba=[amend("INV-2", "INV-2", "05-09-2025", odt="05-10-2025")]))
    )
    assert got == [("b2ba[0].inv[0].oinum", "INVALID")]


def test_r3_9_a_second_amendment_amends_the_first(owner, supplier, filed_original):
    assert (
        save(owner, "102025", gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025", txval="900.00")])).status_code
        == 201
    )
    file_gstr1(supplier, 202510)
    first = Document.objects.get(section="b2ba")
    r = save(owner, "112025", gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025", txval="800.00")]))
    assert r.status_code == 201, r.content
    second = Document.objects.get(section="b2ba", period=202511)
    assert (second.root_id, second.amends_id) == (filed_original.id, first.id)


def test_r3_9_note_amendment_cannot_change_the_note_type(owner, filed_original):
    body = gstr1(cdnra=[note("CN-1", "06-09-2025", ntty="D", ont_num="CN-1", ont_dt="06-09-2025")])
    assert details(save(owner, "102025", body)) == [("cdnra[0].nt[0].ntty", "INVALID")]
    body = gstr1(cdnra=[note("CN-1", "06-09-2025", ont_num="CN-1", ont_dt="06-09-2025", txval="10.00")])
    assert save(owner, "102025", body).status_code == 201


def test_r3_9_two_amendments_of_one_original_in_one_batch_are_refused(owner, filed_original):
    body = gstr1(b2ba=[amend("INV-1", "INV-1", "05-09-2025"), amend("INV-1B", "INV-1", "05-09-2025")])
    got = details(save(owner, "102025", body))
    assert ("b2ba[0].inv[1].oinum", "NUMBER_DUPLICATE") in got
    assert Document.objects.count() == 2


# --- GET documents --------------------------------------------------------------------------------------


def test_r3_get_documents_returns_gstr1_json_with_id_form_and_status(owner, supplier):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    file_gstr1(supplier, 202509)
    assert save(owner, "092025", gstr1(cdnr=[note("CN-1", "06-09-2025")])).status_code == 201
    r = owner.get(f"{BASE}/092025/documents")
    assert r.status_code == 200
    body = r.json()
    inv_id = Document.objects.get(number="INV-1").id
    cn_id = Document.objects.get(number="CN-1").id
    assert (body["gstin"], body["fp"]) == (MH, "092025")
    [b2b] = body["b2b"]
    assert b2b["ctin"] == KA
    [i] = b2b["inv"]
    assert (i["id"], i["inum"], i["idt"], i["form"], i["status"]) == (
        inv_id,
        "INV-1",
        "05-09-2025",
        "GSTR1",
        "filed",
    )
    assert i["itms"][0]["itm_det"]["iamt"] in (180, 180.0, "180.00")
    [n] = body["cdnr"][0]["nt"]
    assert (n["id"], n["nt_num"], n["ntty"], n["form"], n["status"]) == (
        cn_id,
        "CN-1",
        "C",
        "GSTR1A",
        "saved",
    )
    assert owner.get(f"{BASE}/102025/documents").json() == {"gstin": MH, "fp": "102025"}


# --- database constraints ----------------------------------------------------------------------------


def _doc(supplier, **kw) -> Document:
    values = dict(
        supplier=supplier,
        period=202510,
        form="GSTR1",
        section="b2b",
        doc_type="INV",
        ctin=KA,
        number="INV-1",
        number_key="INV-1",
        number_owner=MH,
        series="INV",
        fy=2025,
        doc_date="2025-10-05",
        val=Decimal("118"),
        txval=Decimal("100"),
        iamt=Decimal("18"),
        camt=0,
        samt=0,
        csamt=0,
        pos="29",
        content_hash="x",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    values.update(kw)
    return Document(**values)


def test_r3_2_database_refuses_a_duplicate_number_bypassing_the_service(supplier):
    _doc(supplier).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _doc(supplier, period=202511, number="inv-1", number_key="INV-1").save()


def test_r3_5_database_refuses_a_negative_amount(supplier):
    with pytest.raises(IntegrityError), transaction.atomic():
        _doc(supplier, txval=Decimal("-1.00")).save()


def test_r3_2_database_refuses_a_number_key_that_is_not_the_upper_cased_number(supplier):
    with pytest.raises(IntegrityError), transaction.atomic():
        _doc(supplier, number="inv-1", number_key="inv-1").save()


# --- tenancy (R-8) --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "write_status", "read_status"),
    [("owner", 201, 200), ("preparer", 201, 200), ("viewer", 403, 200), (None, 404, 404)],
)
def test_r8_document_endpoints_by_role(
    set_clock, supplier, recipient, outsider, role, write_status, read_status
):
    set_clock("2025-11-05 10:00")
    user = member(supplier, role) if role else outsider
    c = client_for(user)
    r = save(c, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))
    assert r.status_code == write_status, r.content
    if write_status != 201:
        assert r.json()["error"]["code"] == ("FORBIDDEN" if write_status == 403 else "NOT_FOUND")
        assert not Document.objects.exists()
        save(client_for(member(supplier, "owner")), "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))
    assert c.get(f"{BASE}/102025/documents").status_code == read_status
    assert c.get(f"{BASE}/102025").status_code == read_status
    doc = Document.objects.get()
    r = c.delete(f"{BASE}/102025/documents/{doc.id}")
    assert r.status_code == (204 if write_status == 201 else write_status)
    assert Document.objects.filter(id=doc.id).exists() == (write_status != 201)


def test_r8_2_malformed_gstin_or_period_is_not_found(owner):
    assert owner.get("/api/v1/gstr1/27AAPFU0939F1ZX/102025/documents").status_code == 404
    assert owner.get(f"{BASE}/132025/documents").status_code == 404
    assert save(owner, "2025-10", gstr1(b2b=[inv("INV-1", "05-10-2025")])).status_code == 404
