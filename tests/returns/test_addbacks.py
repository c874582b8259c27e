"""R-6.4 add-backs: the October scenario of test_gstr3b (Bharat rejects CN-3, 50.00 / 9.00)."""

from decimal import Decimal

import pytest

from ims.models import ImsRecord
from returns.models import AddBack
from returns.services.addbacks import addbacks_for_filing
from returns.services.gstr2b import gstr2b_generate_if_due
from returns.services.gstr3b import gstr3b_file, gstr3b_view
from tests.conftest import KA, MH, client_for, gstr1, member, note
from tests.returns.test_gstr3b import ZERO, act, body, file_gstr1, october, rec, save, september_3bs, total

D = Decimal


@pytest.fixture
def sup(supplier):
    return client_for(member(supplier, "owner", "acme_owner"))


@pytest.fixture
def buyer(recipient):
    return client_for(member(recipient, "owner", "bharat_owner"))


def rejected_and_final(set_clock, supplier, recipient, sup, buyer, *, supplier_files_10: bool):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    if supplier_files_10:
        gstr3b_file(taxpayer=supplier, period=202510, by="acme_owner")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200


def test_r6_4_addback_in_suppliers_first_unfiled_3b(set_clock, supplier, recipient, sup, buyer):
    """Acme filed 3B for 09 and 10 before Bharat's rejection became final on 15-11-2025: the entry goes
    to Acme's 3B for 11, a period that has not ended yet."""
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    entry = AddBack.objects.get()
    cn3 = rec(recipient, "CN-3")
    assert (entry.supplier_id, entry.record_id, entry.ctin, entry.section, entry.number) == (
        supplier.id,
        cn3.id,
        KA,
        "b2bcn",
        "CN-3",
    )
    assert (entry.txval, entry.igst, entry.cgst, entry.sgst, entry.cess) == (
        D("50.00"),
        D("9.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert (entry.rejected_in_period, entry.added_in_period, entry.reversal) == (202510, 202511, False)
    # Rejected INV-2 is not ITC-reducing: no entry. Acme's filed 3B 10 stays as filed.
    assert gstr3b_view(taxpayer=supplier, period=202510)["tables"]["liability"]["addback"] == ZERO
    assert gstr3b_view(taxpayer=supplier, period=202511)["tables"]["liability"]["addback"] == total(
        "50.00", "9.00"
    )


def test_r6_4_addback_goes_to_the_open_3b_when_supplier_has_not_filed(
    set_clock, supplier, recipient, sup, buyer
):
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=False)
    assert AddBack.objects.get().added_in_period == 202510
    liability = gstr3b_view(taxpayer=supplier, period=202510)["tables"]["liability"]
    assert liability["addback"] == total("50.00", "9.00")
    # Acme's own outward: 1000 + 500 + 300 - 100 - 200 - 50 (INV-R is reverse charge).
    assert liability["3_1_a"] == total("1450.00", "207.00", "27.00", "27.00")


def test_r6_4_addback_is_idempotent(set_clock, supplier, recipient, sup, buyer):
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    addbacks_for_filing(recipient=recipient, period=202510, now=AddBack.objects.get().created_at)
    assert AddBack.objects.count() == 1


def test_r6_4_addback_of_an_amendment_is_its_counted_effect(set_clock, supplier, recipient, sup, buyer):
    """CN-1 (100.00 / 18.00) was deemed accepted in 3B 10; Acme raises it to 160.00 / 28.80 in November
    and Bharat rejects the amendment: the add-back is the effect, 60.00 / 10.80."""
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    save(
        sup,
        MH,
        "112025",
        gstr1(cdnra=[note("CN-1", "09-10-2025", txval="160.00", ont_num="CN-1", ont_dt="09-10-2025")]),
    )
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2bcna")
    assert (amendment.itc_reducing, amendment.eff_txval) == (True, D("60.00"))
    act(buyer, KA, (amendment.id, "R"))
    set_clock("2025-12-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202511, trigger="schedule", by="system")
    gstr3b_file(taxpayer=recipient, period=202511, by="bharat_owner")
    entry = AddBack.objects.get(record_id=amendment.id)
    assert (entry.txval, entry.igst, entry.rejected_in_period, entry.added_in_period) == (
        D("60.00"),
        D("10.80"),
        202511,
        202511,
    )


def test_r6_4_reversal_negates(set_clock, supplier, recipient, sup, buyer):
    """Acme re-reports CN-3 unchanged as an amendment in November; Bharat accepts it and files 3B 11:
    a reversal naming the accepted record negates the entry in Acme's first unfiled 3B (11)."""
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    save(
        sup,
        MH,
        "112025",
        gstr1(cdnra=[note("CN-3", "11-10-2025", txval="50.00", ont_num="CN-3", ont_dt="11-10-2025")]),
    )
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2bcna")
    assert amendment.waiting_on_original is False  # CN-3 settled (rejected, 3B 10 filed)
    act(buyer, KA, (amendment.id, "A"))
    set_clock("2025-12-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202511, trigger="schedule", by="system")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/112025/file").status_code == 200
    original = AddBack.objects.get(reversal=False)
    reversal = AddBack.objects.get(reversal=True)
    assert (reversal.record_id, reversal.negates_id, reversal.supplier_id) == (
        amendment.id,
        original.id,
        supplier.id,
    )
    # R-6.4(b): the negatives of the entry it reverses, txval included.
    assert (reversal.txval, reversal.igst, reversal.rejected_in_period, reversal.added_in_period) == (
        D("-50.00"),
        D("-9.00"),
        202510,
        202511,
    )
    assert gstr3b_view(taxpayer=supplier, period=202511)["tables"]["liability"]["addback"] == ZERO
    # The supplier sees both entries.
    r = sup.get(f"/api/v1/ims/{MH}/outward/addbacks")
    rows = body(r)["records"]
    assert [
        (x["nt_num"], x["reversal"], x["rejected_in_period"], x["added_in_period"], x["txval"], x["igst"])
        for x in rows
    ] == [
        ("CN-3", False, "102025", "112025", D("50.00"), D("9.00")),
        ("CN-3", True, "102025", "112025", D("-50.00"), D("-9.00")),
    ]
    assert rows[1]["record_id"] == amendment.id and rows[1]["section"] == "b2bcna" and rows[1]["ctin"] == KA


def test_r6_4_b_a_reversal_in_a_later_period_makes_its_addback_negative(
    set_clock, supplier, recipient, sup, buyer
):
    """Acme has already filed 3B 11 when Bharat accepts the unchanged re-report: the reversal goes to Acme's
    first unfiled 3B (12), whose add-back is the negative of the entry: -50.00 / -9.00."""
    from core import clock
    from returns.models import Gstr3bFiling

    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    save(
        sup,
        MH,
        "112025",
        gstr1(cdnra=[note("CN-3", "11-10-2025", txval="50.00", ont_num="CN-3", ont_dt="11-10-2025")]),
    )
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    act(buyer, KA, (ImsRecord.objects.get(recipient=recipient, section="b2bcna").id, "A"))
    set_clock("2025-12-14 00:10")
    Gstr3bFiling.objects.create(taxpayer=supplier, period=202511, filed_at=clock.now())
    gstr2b_generate_if_due(taxpayer=recipient, period=202511, trigger="schedule", by="system")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/112025/file").status_code == 200
    reversal = AddBack.objects.get(reversal=True)
    assert (reversal.added_in_period, reversal.txval, reversal.igst) == (202512, D("-50.00"), D("-9.00"))
    assert gstr3b_view(taxpayer=supplier, period=202512)["tables"]["liability"]["addback"] == total(
        txval="-50.00", igst="-9.00"
    )


def test_r6_4_changed_re_report_does_not_reverse(set_clock, supplier, recipient, sup, buyer):
    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=True)
    save(
        sup,
        MH,
        "112025",
        gstr1(cdnra=[note("CN-3", "11-10-2025", txval="40.00", ont_num="CN-3", ont_dt="11-10-2025")]),
    )
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    act(buyer, KA, (ImsRecord.objects.get(recipient=recipient, section="b2bcna").id, "A"))
    set_clock("2025-12-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202511, trigger="schedule", by="system")
    gstr3b_file(taxpayer=recipient, period=202511, by="bharat_owner")
    assert not AddBack.objects.filter(reversal=True).exists()


@pytest.mark.parametrize("role, status", [("owner", 200), ("preparer", 200), ("viewer", 200), (None, 404)])
def test_r8_1_addbacks_access(set_clock, supplier, outsider, role, status):
    set_clock("2025-11-05 10:00")
    c = client_for(member(supplier, role) if role else outsider)
    r = c.get(f"/api/v1/ims/{MH}/outward/addbacks")
    assert r.status_code == status
    if status == 200:
        assert r.json() == {"records": [], "next_cursor": None}


def test_issue15_r6_4_the_filing_confirmation_names_the_add_back(set_clock, supplier, recipient, sup, buyer):
    """Acme's 3B of Oct 2025 carries the add-back of CN-3 (IGST 9.00): its filing dialog says so."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    rejected_and_final(set_clock, supplier, recipient, sup, buyer, supplier_files_10=False)
    web = Client()
    web.force_login(get_user_model().objects.get(username="acme_owner"))
    html = web.get(f"/g/{MH}/gstr3b/102025").content.decode()
    assert 'id="file-dialog"' in html
    line = html[html.index('id="outlook-addback"') :]
    assert "Tax ₹9.00 on credit notes your recipients rejected is added to your liability" in line[:300]
