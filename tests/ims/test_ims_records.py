"""IMS records built from supplier documents: what appears (R-4.1), which 2B period (R-4.4 provisional,
R-5.1 at filing), amendments in order (R-4.7) and supplier edits (R-4.8). Services plus the read API."""

from datetime import datetime
from decimal import Decimal

import pytest

from core.periods import IST, parse_period
from ims.models import ImsAudit, ImsRecord
from invoices.services import document_delete, return_file
from returns.models import Gstr3bFiling
from taxpayers.services import taxpayer_create
from tests.conftest import DL, GJ, KA, MH, TN, act, client_for, gstr1, inv, member, note, record
from tests.conftest import save as _save

SUP_USER = "sup-clerk"


def save(supplier, period, body: dict) -> dict:
    return _save(supplier, period, body, by=SUP_USER)


def file(supplier, period: str, form: str = "GSTR1") -> dict:
    return return_file(
        supplier=supplier, period=parse_period(period), form=form, by="sup-owner", channel="api"
    )


def trail(rec: ImsRecord) -> list[tuple]:
    return list(
        ImsAudit.objects.filter(record=rec)
        .order_by("id")
        .values_list("by", "from_action", "to_action", "reason")
    )


@pytest.fixture
def reader(recipient):
    return client_for(member(recipient, "viewer"))


def detail(client, gstin: str, rid: int) -> dict:
    r = client.get(f"/api/v1/ims/{gstin}/inward/{rid}")
    assert r.status_code == 200, r.content
    return r.json()


def listed_ids(client, gstin: str, query: str = "") -> list[int]:
    r = client.get(f"/api/v1/ims/{gstin}/inward{query}")
    assert r.status_code == 200, r.content
    return [x["id"] for x in r.json()["records"]]


def summary_total(client, gstin: str) -> int:
    return client.get(f"/api/v1/ims/{gstin}/summary").json()["ttl_cnt"]


# --- what appears ------------------------------------------------------------------------------


def test_r4_1_record_appears_on_save_not_filed_then_filed(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", txval="1000.00")]))
    rows = reader.get(f"/api/v1/ims/{KA}/inward").json()["records"]
    assert len(rows) == 1
    r = rows[0]
    assert (r["section"], r["stin"], r["trdnm"], r["rtnprd"], r["srcform"]) == (
        "b2b",
        MH,
        "Acme",
        "102025",
        "R1",
    )
    assert (r["inum"], r["idt"], r["srcfilstatus"], r["action"], r["itc_period"]) == (
        "INV-1",
        "05-10-2025",
        "Not Filed",
        "N",
        "102025",
    )
    assert r["txval"] == 1000.0 and r["iamt"] == 180.0 and r["camt"] == 0.0
    set_clock("2025-11-05 10:00")
    file(supplier, "092025")
    file(supplier, "102025")
    d = detail(reader, KA, r["id"])
    assert d["srcfilstatus"] == "Filed"
    assert d["itc_period"] == "102025"
    assert d["kept_out"] is False and d["rsn"] is None


def test_r4_1_reverse_charge_kept_out_with_rsn_null(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("RCM-1", "05-10-2025", rchrg="Y"), inv("INV-2", "05-10-2025")]))
    rcm = record(recipient, "RCM-1")
    assert listed_ids(reader, KA) == [record(recipient, "INV-2").id]
    assert listed_ids(reader, KA, "?left=true") == [record(recipient, "INV-2").id]
    assert summary_total(reader, KA) == 1
    d = detail(reader, KA, rcm.id)
    assert d["kept_out"] is True
    assert d["rsn"] is None
    assert d["rchrg"] == "Y"
    # A kept-out record cannot be acted on.
    assert act(recipient, {"id": rcm.id, "action": "A"})["errors"][0]["code"] == "NOT_FOUND"


def test_r4_1_pos_in_supplier_state_not_recipients_kept_out_with_rsn_p(
    set_clock, supplier, recipient, reader
):
    set_clock("2025-10-20 10:00")
    save(
        supplier,
        "102025",
        gstr1(
            b2b=[
                inv("POS-1", "05-10-2025", pos="27", intra=True),
                # P takes precedence over reverse charge.
                inv("POS-2", "05-10-2025", pos="27", intra=True, rchrg="Y"),
            ]
        ),
    )
    assert listed_ids(reader, KA) == []
    assert summary_total(reader, KA) == 0
    for number in ("POS-1", "POS-2"):
        d = detail(reader, KA, record(recipient, number).id)
        assert (d["kept_out"], d["rsn"], d["pos"]) == (True, "P", "27")


def test_r4_1_pos_of_recipient_state_is_in_ims_even_when_intra_state(set_clock, recipient, reader):
    """Supplier and recipient in Karnataka, place of supply Karnataka: ITC available, so in IMS."""
    set_clock("2025-10-20 10:00")
    ka_supplier = taxpayer_create(
        gstin="29AAPFU0939F1ZR", legal_name="Local Supplier", ims_start_period="092025"
    )
    save(ka_supplier, "102025", gstr1(b2b=[inv("LOC-1", "05-10-2025", pos="29", intra=True)]))
    assert listed_ids(reader, KA) == [record(recipient, "LOC-1").id]


@pytest.fixture
def fy2324(set_clock):
    """Two suppliers and a Tamil Nadu recipient starting at the launch period 102024."""
    set_clock("2024-11-05 10:00")
    gj = taxpayer_create(gstin=GJ, legal_name="Gujarat Mills", ims_start_period="102024")
    dl = taxpayer_create(gstin=DL, legal_name="Delhi Traders", ims_start_period="102024")
    tn = taxpayer_create(gstin=TN, legal_name="Chennai Buyer", ims_start_period="102024")
    return gj, dl, tn


def test_r4_1_section_16_4_decided_at_filing_on_30_november_stays(set_clock, fy2324):
    gj, _dl, tn = fy2324
    save(gj, "102024", gstr1(ctin=TN, b2b=[inv("OLD-1", "15-03-2024", pos="33")]))
    set_clock("2024-11-30 23:59")
    file(gj, "102024")
    rec = record(tn, "OLD-1")
    assert (rec.active, rec.kept_out, rec.rsn) == (True, False, None)


def test_r4_1_section_16_4_after_30_november_leaves_ims_audited_but_cn_stays(set_clock, fy2324):
    _gj, dl, tn = fy2324
    save(
        dl,
        "102024",
        gstr1(
            ctin=TN, b2b=[inv("OLD-2", "15-03-2024", pos="33")], cdnr=[note("OCN-2", "20-03-2024", pos="33")]
        ),
    )
    # Saved, it is in IMS: lateness is decided at filing.
    assert record(tn, "OLD-2").active is True
    set_clock("2024-12-01 00:00")
    file(dl, "102024")
    late = record(tn, "OLD-2")
    assert (late.active, late.kept_out, late.rsn) == (False, True, "C")
    assert trail(late)[-1][0] == "system"
    assert "16(4)" in trail(late)[-1][3]
    cn = record(tn, "OCN-2")
    assert (cn.active, cn.kept_out, cn.rsn) == (True, False, None)
    client = client_for(member(tn, "viewer"))
    assert listed_ids(client, TN) == [cn.id]
    d = detail(client, TN, late.id)
    assert (d["kept_out"], d["rsn"], d["srcfilstatus"]) == (True, "C", "Filed")


@pytest.mark.parametrize("action", ["P", "R", "A"])
def test_r4_1_r5_4_a_record_acted_on_then_kept_out_at_filing_goes_back_to_n_and_into_itc_not_available(
    set_clock, fy2324, action
):
    """A debit note dated in FY 2023-24, saved in October 2024 and acted on by the recipient, is filed on
    01-12-2024 (after 30-11-2024, section 16(4)): it leaves IMS at N (audited) and appears in the 2B's
    ITC not available with rsn C, never anywhere else."""
    from core import clock
    from returns.models import Gstr3bFiling
    from returns.selectors import gstr2b_reply
    from returns.services.gstr2b import gstr2b_recompute

    _gj, dl, tn = fy2324
    save(dl, "102024", gstr1(ctin=TN, cdnr=[note("ODN-1", "20-03-2024", ntty="D", pos="33")]))
    dn = record(tn, "ODN-1")
    remarks = {"remarks": "checking"} if action in "PR" else {}
    assert act(tn, {"id": dn.id, "action": action, **remarks})["processed"] == 1
    set_clock("2024-12-01 00:00")
    file(dl, "102024")
    dn.refresh_from_db()
    assert (dn.active, dn.kept_out, dn.rsn, dn.action, dn.remarks) == (False, True, "C", "N", None)
    assert trail(dn)[-1][:3] == ("system", action, "N")
    set_clock("2024-12-14 10:00")
    assert dn.itc_period == 202411
    Gstr3bFiling.objects.create(taxpayer=tn, period=202410, filed_at=clock.now())  # 2B 11 needs 3B 10
    data = gstr2b_reply(gstr2b_recompute(taxpayer=tn, period=202411, by="x"))["data"]
    placed = [
        (grp, section, line["ntnum"], line["rsn"])
        for grp in ("docdata", "docRejdata")
        for section, suppliers in data[grp].items()
        for s in suppliers
        for line in s.get("nt", [])
    ]
    assert placed == [("docdata", "cdnr", "ODN-1", "C")]
    assert data["itcsumm"]["itcunavl"]["nonrevsup"]["cdnr"]["igst"] == Decimal("180.00")
    assert data["itcsumm"]["itcavl"]["nonrevsup"]["cdnr"]["igst"] == Decimal("0.00")


def test_r5_4_a_record_at_r_is_only_in_docrejdata(set_clock, fy2324):
    from returns.selectors import gstr2b_reply
    from returns.services.gstr2b import gstr2b_recompute

    gj, _dl, tn = fy2324
    save(gj, "102024", gstr1(ctin=TN, b2b=[inv("RJ-1", "05-10-2024", pos="33")]))
    rj = record(tn, "RJ-1")
    assert act(tn, {"id": rj.id, "action": "R"})["processed"] == 1
    set_clock("2024-11-05 10:00")
    file(gj, "102024")
    set_clock("2024-11-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=tn, period=202410, by="x"))["data"]
    numbers = {
        grp: [line["inum"] for section in data[grp].values() for s in section for line in s.get("inv", [])]
        for grp in ("docdata", "docRejdata")
    }
    assert numbers == {"docdata": [], "docRejdata": ["RJ-1"]}


def test_r4_1_pos_rule_takes_precedence_over_section_16_4(set_clock, fy2324):
    gj, _dl, tn = fy2324
    save(gj, "102024", gstr1(ctin=TN, b2b=[inv("OLD-3", "15-03-2024", pos="24", intra=True)]))
    set_clock("2024-12-02 10:00")
    file(gj, "102024")
    assert record(tn, "OLD-3").rsn == "P"


def test_r4_1_edit_of_place_of_supply_removes_old_record_and_creates_new(
    set_clock, supplier, recipient, reader
):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-1", "05-10-2025")]))
    old = record(recipient, "MOVE-1")
    act(recipient, {"id": old.id, "action": "A"})
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-1", "05-10-2025", pos="27", intra=True)]))
    new = record(recipient, "MOVE-1")
    assert new.id != old.id
    assert (new.action, new.kept_out, new.rsn) == ("N", True, "P")
    old.refresh_from_db()
    assert (old.removed, old.active) == (True, False)
    assert reader.get(f"/api/v1/ims/{KA}/inward/{old.id}").status_code == 404
    assert trail(old)[-1][:3] == ("system", "A", "")
    assert "removed" in trail(old)[-1][3]
    assert [t[2] for t in trail(new)] == ["N"]


def test_r4_1_edit_to_reverse_charge_moves_record_out_of_ims(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-2", "05-10-2025")]))
    old = record(recipient, "MOVE-2")
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-2", "05-10-2025", rchrg="Y")]))
    new = record(recipient, "MOVE-2")
    assert new.id != old.id
    assert (new.kept_out, new.rsn, new.rchrg) == (True, None, True)
    assert listed_ids(reader, KA) == []
    # And back: a new record again, in IMS at N.
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-2", "05-10-2025")]))
    third = record(recipient, "MOVE-2")
    assert third.id not in (old.id, new.id)
    assert listed_ids(reader, KA) == [third.id]


def test_r4_1_edit_of_recipient_moves_record_to_other_gstin(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    tn = taxpayer_create(gstin=TN, legal_name="Chennai Buyer", ims_start_period="092025")
    save(supplier, "102025", gstr1(b2b=[inv("MOVE-3", "05-10-2025")]))
    old = record(recipient, "MOVE-3")
    save(supplier, "102025", gstr1(ctin=TN, b2b=[inv("MOVE-3", "05-10-2025", pos="33")]))
    assert not ImsRecord.objects.filter(recipient=recipient, removed=False).exists()
    moved = record(tn, "MOVE-3")
    assert (moved.action, moved.active) == ("N", True)
    assert listed_ids(reader, KA) == []
    assert listed_ids(client_for(member(tn, "viewer")), TN) == [moved.id]
    assert trail(old)[-1][0] == "system"


# --- provisional 2B period, R-5.1 assignment at filing ---------------------------------------------


def test_r4_4_provisional_2b_period_is_supplier_return_period(set_clock, supplier, recipient):
    set_clock("2025-11-03 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("P-9", "30-09-2025")]))
    save(supplier, "102025", gstr1(b2b=[inv("P-10", "31-10-2025")]))
    save(supplier, "112025", gstr1(b2b=[inv("P-11", "02-11-2025")]))
    assert [record(recipient, n).itc_period for n in ("P-9", "P-10", "P-11")] == [202509, 202510, 202511]


def test_r4_4_provisional_2b_period_of_quarterly_recipient_is_the_quarter(set_clock, supplier):
    set_clock("2025-11-03 10:00")
    tn = taxpayer_create(
        gstin=TN, legal_name="Chennai Buyer", filing_frequency="Q", ims_start_period="072025"
    )
    save(supplier, "092025", gstr1(ctin=TN, b2b=[inv("Q-9", "30-09-2025", pos="33")]))
    save(supplier, "102025", gstr1(ctin=TN, b2b=[inv("Q-10", "31-10-2025", pos="33")]))
    assert record(tn, "Q-9").itc_period == 202509
    assert record(tn, "Q-10").itc_period == 202512


@pytest.fixture
def two_suppliers(set_clock, supplier):
    set_clock("2025-10-05 10:00")
    gj = taxpayer_create(gstin=GJ, legal_name="Gujarat Mills", ims_start_period="092025")
    return supplier, gj


@pytest.mark.parametrize(
    "filed_at, expected",
    [
        ("2025-10-11 23:59", 202509),  # end of the 11th of M+1: still M
        ("2025-10-12 00:00", 202510),  # from the 12th: M+1
        ("2025-10-01 00:00", 202509),
    ],
)
def test_r5_1_monthly_gstr1_window_cutoff_on_the_11th(set_clock, supplier, recipient, filed_at, expected):
    set_clock("2025-09-20 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("W-1", "20-09-2025")]))
    assert record(recipient, "W-1").itc_period == 202509
    set_clock(filed_at)
    file(supplier, "092025")
    rec = record(recipient, "W-1")
    assert (rec.itc_period, rec.first_itc_period) == (expected, expected)


def test_r5_1_window_before_start_period_becomes_start_period(set_clock, supplier):
    set_clock("2025-10-05 10:00")
    tn = taxpayer_create(gstin=TN, legal_name="Chennai Buyer", ims_start_period="102025")
    save(supplier, "092025", gstr1(ctin=TN, b2b=[inv("S-1", "20-09-2025", pos="33")]))
    file(supplier, "092025")
    assert record(tn, "S-1").itc_period == 202510


def test_r5_1_period_whose_3b_is_filed_moves_to_next_unfiled(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("F-1", "20-09-2025")]))
    filed = datetime(2025, 10, 4, 12, 0, tzinfo=IST)
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=filed)
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202510, filed_at=filed)
    file(supplier, "092025")
    assert record(recipient, "F-1").itc_period == 202511


def test_r5_1_quarterly_recipient_gets_the_quarter(set_clock, supplier):
    set_clock("2025-10-20 10:00")
    tn = taxpayer_create(
        gstin=TN, legal_name="Chennai Buyer", filing_frequency="Q", ims_start_period="072025"
    )
    save(supplier, "102025", gstr1(ctin=TN, b2b=[inv("QQ-1", "05-10-2025", pos="33")]))
    set_clock("2025-11-05 10:00")
    file(supplier, "092025")
    file(supplier, "102025")
    assert record(tn, "QQ-1").itc_period == 202512


def test_r5_1_quarterly_gstr1_cutoff_on_the_13th(set_clock, recipient):
    set_clock("2025-10-10 10:00")
    gj = taxpayer_create(
        gstin=GJ, legal_name="Gujarat Mills", filing_frequency="Q", ims_start_period="072025"
    )
    dl = taxpayer_create(
        gstin=DL, legal_name="Delhi Traders", filing_frequency="Q", ims_start_period="072025"
    )
    save(gj, "092025", gstr1(b2b=[inv("QS-1", "20-09-2025")]))
    save(dl, "092025", gstr1(b2b=[inv("QS-2", "20-09-2025")]))
    set_clock("2025-10-13 23:59")
    file(gj, "092025")
    set_clock("2025-10-14 00:00")
    file(dl, "092025")
    assert record(recipient, "QS-1").itc_period == 202509
    assert record(recipient, "QS-2").itc_period == 202510


# --- last sentence: filing gives a period where the action is not allowed -----------------------


def test_r4_4_pending_returns_to_n_when_filing_makes_it_itc_reducing_before_102025(set_clock):
    """An invoice amendment that decreases is ITC-reducing only once its accepted original counted (R-4.3 d).
    Saved before the original's 3B was filed it can be P; at filing (2B 092025) it becomes ITC-reducing in a
    period where P is refused, so it returns to N, audited."""
    set_clock("2025-08-20 10:00")
    sup = taxpayer_create(gstin=MH, legal_name="Acme", ims_start_period="082025")
    rcp = taxpayer_create(gstin=KA, legal_name="Bharat", ims_start_period="082025")
    save(sup, "082025", gstr1(b2b=[inv("ORG-1", "10-08-2025", txval="1000.00")]))
    set_clock("2025-09-05 10:00")
    file(sup, "082025")
    original = record(rcp, "ORG-1")
    assert original.itc_period == 202508
    act(rcp, {"id": original.id, "action": "A"})
    set_clock("2025-09-20 10:00")
    save(
        sup,
        "092025",
        gstr1(b2ba=[inv("ORG-1", "10-08-2025", txval="500.00", oinum="ORG-1", oidt="10-08-2025")]),
    )
    amendment = ImsRecord.objects.get(recipient=rcp, section="b2ba", removed=False)
    assert amendment.itc_reducing is False
    assert act(rcp, {"id": amendment.id, "action": "P"}) == {"processed": 1, "errors": []}
    Gstr3bFiling.objects.create(taxpayer=rcp, period=202508, filed_at=datetime(2025, 9, 20, 11, tzinfo=IST))
    set_clock("2025-10-05 10:00")
    file(sup, "092025")
    amendment.refresh_from_db()
    assert (amendment.itc_period, amendment.itc_reducing, amendment.action) == (202509, True, "N")
    last = trail(amendment)[-1]
    assert last[:3] == ("system", "P", "N")
    assert "pending" in last[3]


def test_r4_4_pending_invoice_keeps_p_through_filing(set_clock, supplier, recipient):
    set_clock("2025-09-20 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("KEEP-1", "20-09-2025")]))
    rec = record(recipient, "KEEP-1")
    assert act(recipient, {"id": rec.id, "action": "P", "remarks": "checking"})["processed"] == 1
    set_clock("2025-10-05 10:00")
    file(supplier, "092025")
    rec.refresh_from_db()
    assert (rec.action, rec.remarks, rec.itc_period) == ("P", "checking", 202509)


def test_r4_4_credit_note_of_092025_filed_into_102025_becomes_pendable(
    set_clock, supplier, recipient, reader
):
    """The provisional period (092025) refuses P; filing on the 12th assigns 102025, where P is allowed."""
    set_clock("2025-09-25 10:00")
    save(supplier, "092025", gstr1(cdnr=[note("CN-9", "25-09-2025")]))
    rec = record(recipient, "CN-9")
    assert act(recipient, {"id": rec.id, "action": "P"})["errors"][0]["code"] == "PENDING_NOT_ALLOWED"
    set_clock("2025-10-12 10:00")
    file(supplier, "092025")
    d = detail(reader, KA, rec.id)
    assert (d["itc_period"], d["pending_deadline"], d["ispendactblocked"]) == ("102025", "20-12-2025", "N")
    assert act(recipient, {"id": rec.id, "action": "P"})["errors"] == []


# --- amendments in order --------------------------------------------------------------------


@pytest.fixture
def filed_original(set_clock, supplier, recipient):
    """INV-O of 102025 filed on 05-11-2025 (2B 102025), at N."""
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("INV-O", "05-10-2025", txval="1000.00")]))
    set_clock("2025-11-05 10:00")
    file(supplier, "092025")
    file(supplier, "102025")
    return record(recipient, "INV-O")


def _amend(supplier, period: str, txval: str = "1200.00"):
    return save(
        supplier,
        period,
        gstr1(b2ba=[inv("INV-O", "05-10-2025", txval=txval, oinum="INV-O", oidt="05-10-2025")]),
    )


def test_r4_7_amendment_in_same_2b_period_supersedes_original(
    set_clock, supplier, recipient, reader, filed_original
):
    act(recipient, {"id": filed_original.id, "action": "A"})
    _amend(supplier, "102025")  # GSTR-1A of the same period
    set_clock("2025-11-08 10:00")
    file(supplier, "102025", form="GSTR1A")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2ba")
    original = ImsRecord.objects.get(id=filed_original.id)
    assert amendment.itc_period == 202510
    assert (original.active, original.superseded, original.action) == (False, True, "N")
    assert trail(original)[-1][:3] == ("system", "A", "N")
    assert "superseded" in trail(original)[-1][3]
    assert listed_ids(reader, KA) == [amendment.id]
    assert act(recipient, {"id": amendment.id, "action": "A"}) == {"processed": 1, "errors": []}
    assert act(recipient, {"id": original.id, "action": "A"})["errors"][0]["code"] == "NOT_FOUND"


def test_r4_7_amendment_of_pending_original_waits(set_clock, supplier, recipient, filed_original):
    act(recipient, {"id": filed_original.id, "action": "P"})
    _amend(supplier, "102025")
    set_clock("2025-11-08 10:00")
    file(supplier, "102025", form="GSTR1A")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2ba")
    assert (amendment.waiting_on_original, amendment.action, amendment.active) == (True, "N", True)
    filed_original.refresh_from_db()
    assert (filed_original.active, filed_original.action) == (True, "P")
    out = act(recipient, {"id": amendment.id, "action": "A"})
    assert out["processed"] == 0
    assert out["errors"][0]["code"] == "ORIGINAL_NOT_SETTLED"


def test_r4_7_amendment_in_different_2b_period_waits(set_clock, supplier, recipient, filed_original):
    act(recipient, {"id": filed_original.id, "action": "A"})
    set_clock("2025-11-20 10:00")
    _amend(supplier, "112025")
    set_clock("2025-12-05 10:00")
    file(supplier, "112025")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2ba")
    assert (amendment.itc_period, amendment.waiting_on_original) == (202511, True)
    filed_original.refresh_from_db()
    assert (filed_original.active, filed_original.superseded, filed_original.action) == (True, False, "A")
    assert act(recipient, {"id": amendment.id, "action": "R"})["errors"][0]["code"] == "ORIGINAL_NOT_SETTLED"


# --- supplier edits reset -------------------------------------------------------------------


def test_r4_8_edit_resets_action_remarks_and_declaration_audited_by_system(
    set_clock, supplier, recipient, reader
):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("E-1", "05-10-2025")], cdnr=[note("ECN-1", "06-10-2025")]))
    invoice, cn = record(recipient, "E-1"), record(recipient, "ECN-1")
    out = act(
        recipient,
        {"id": invoice.id, "action": "R", "remarks": "wrong rate"},
        {"id": cn.id, "action": "A", "declIgst": 100},
    )
    assert out == {"processed": 2, "errors": []}
    old_hash = invoice.hash
    save(
        supplier,
        "102025",
        gstr1(
            b2b=[inv("E-1", "05-10-2025", txval="2000.00")],
            cdnr=[note("ECN-1", "06-10-2025", txval="500.00")],
        ),
    )
    for rid, was in ((invoice.id, "R"), (cn.id, "A")):
        d = detail(reader, KA, rid)  # same id: an edit keeps the record
        assert (d["action"], d["remarks"], d["itcRedReq"], d["declIgst"]) == ("N", None, None, None)
        last = d["history"][-1]
        assert (last["by"], last["from"], last["to"]) == ("system", was, "N")
        assert last["reason"] == "supplier edited the document"
    d = detail(reader, KA, invoice.id)
    assert d["txval"] == 2000.0
    assert d["hash"] != old_hash


def test_r4_8_identical_resave_changes_nothing(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    body = gstr1(b2b=[inv("SAME-1", "05-10-2025")])
    save(supplier, "102025", body)
    rec = record(recipient, "SAME-1")
    act(recipient, {"id": rec.id, "action": "R", "remarks": "keep"})
    before = detail(reader, KA, rec.id)
    set_clock("2025-10-21 10:00")
    assert save(supplier, "102025", body) == {"form": "GSTR1", "created": 0, "updated": 0, "unchanged": 1}
    assert detail(reader, KA, rec.id) == before


def test_r4_8_delete_removes_record_and_saving_again_makes_new_one(set_clock, supplier, recipient, reader):
    set_clock("2025-10-20 10:00")
    body = gstr1(b2b=[inv("DEL-1", "05-10-2025")])
    save(supplier, "102025", body)
    rec = record(recipient, "DEL-1")
    act(recipient, {"id": rec.id, "action": "A"})
    document_delete(supplier=supplier, document_id=rec.document_id, by=SUP_USER, channel="api")
    assert listed_ids(reader, KA) == []
    assert reader.get(f"/api/v1/ims/{KA}/inward/{rec.id}").status_code == 404
    assert summary_total(reader, KA) == 0
    assert act(recipient, {"id": rec.id, "action": "A"})["errors"][0]["code"] == "NOT_FOUND"
    save(supplier, "102025", body)
    again = record(recipient, "DEL-1")
    assert again.id != rec.id
    assert again.action == "N"
    assert listed_ids(reader, KA) == [again.id]


# --- choices where RULES.md is silent (docs/DECISIONS.md) --------------------------------------------------


def test_r4_4_provisional_period_skips_a_period_whose_3b_the_recipient_filed(set_clock, supplier, recipient):
    """A GSTR-1A document saved after the recipient filed GSTR-3B for its period would otherwise be refused
    RETURN_FILED until the supplier files; R-5.1 will move it to the next unfiled period, so does the
    provisional period."""
    set_clock("2025-11-05 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("A1-0", "05-10-2025")]))
    file(supplier, "092025")
    file(supplier, "102025")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202510, filed_at=datetime(2025, 11, 6, tzinfo=IST))
    save(supplier, "102025", gstr1(b2b=[inv("A1-1", "10-10-2025")]))  # GSTR-1A of 102025
    late = record(recipient, "A1-1")
    assert (late.srcform, late.itc_period) == ("R1A", 202511)
    assert act(recipient, {"id": late.id, "action": "A"}) == {"processed": 1, "errors": []}
    set_clock("2025-11-08 10:00")
    file(supplier, "102025", form="GSTR1A")
    late.refresh_from_db()
    assert (late.itc_period, late.action) == (202511, "A")


def test_r4_4_provisional_period_of_document_before_quarterly_start_is_start_quarter(set_clock, supplier):
    set_clock("2025-10-05 10:00")
    tn = taxpayer_create(
        gstin=TN, legal_name="Chennai Buyer", filing_frequency="Q", ims_start_period="102025"
    )
    save(supplier, "092025", gstr1(ctin=TN, b2b=[inv("QS-9", "20-09-2025", pos="33")]))
    assert record(tn, "QS-9").itc_period == 202512
    file(supplier, "092025")
    assert record(tn, "QS-9").itc_period == 202512


def test_r5_1_saving_and_filing_do_not_query_per_recipient(set_clock, supplier, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_clock("2025-10-05 10:00")
    for gstin in (KA, TN, DL):
        taxpayer_create(gstin=gstin, legal_name=f"Buyer {gstin}", ims_start_period="092025")
    gj = taxpayer_create(gstin=GJ, legal_name="Gujarat Mills", ims_start_period="092025")
    one = gstr1(ctin=KA, b2b=[inv("R-1", "20-09-2025"), inv("R-2", "20-09-2025"), inv("R-3", "20-09-2025")])
    three = {
        "b2b": [
            {"ctin": KA, "inv": [inv("R-1", "20-09-2025")]},
            {"ctin": TN, "inv": [inv("R-2", "20-09-2025", pos="33")]},
            {"ctin": DL, "inv": [inv("R-3", "20-09-2025", pos="07")]},
        ]
    }
    with CaptureQueriesContext(connection) as saving_one:
        save(supplier, "092025", one)
    with django_assert_num_queries(len(saving_one.captured_queries)):
        save(gj, "092025", three)
    with CaptureQueriesContext(connection) as filing_one:
        file(supplier, "092025")
    with django_assert_num_queries(len(filing_one.captured_queries)):
        file(gj, "092025")
    assert ImsRecord.objects.filter(filed_at__isnull=False).count() == 6
