"""GSTR-3B (R-6.1 to R-6.5) and what filing it does to IMS (R-4.7, R-4.11, R-5.3, R-5.5).

The October 2025 scenario (all amounts by hand, 18% IGST inter-state unless said otherwise), Acme (MH,
monthly) supplying Bharat (KA, monthly), both starting 092025:
    INV-1 1000.00 / 180.00 accepted          INV-2  500.00 / 90.00 rejected
    INV-R 2000.00 / 360.00 reverse charge    INV-P  300.00 / CGST 27.00 + SGST 27.00, pos 27 (kept out, rsn P)
    CN-1   100.00 / 18.00 no action          CN-2   200.00 / 36.00 pending        CN-3  50.00 / 9.00 rejected
"""

import json
from decimal import Decimal

import pytest

from ims.models import ImsAudit, ImsRecord
from invoices.models import Document
from returns.models import AddBack, Gstr2bVersion, Gstr3bFiling
from returns.services.gstr2b import gstr2b_generate_if_due, gstr2b_recompute, gstr2b_recompute_refusal
from returns.services.gstr3b import gstr3b_file, gstr3b_view
from taxpayers.services import taxpayer_create
from tests.conftest import GJ, KA, MH, TN, client_for, gstr1, inv, make_operator, member, note

D = Decimal


def total(txval="0", igst="0", cgst="0", sgst="0", cess="0") -> dict:
    return {"txval": D(txval), "igst": D(igst), "cgst": D(cgst), "sgst": D(sgst), "cess": D(cess)}


ZERO = total()


def body(r) -> dict:
    return json.loads(r.content, parse_float=Decimal)


def save(client, gstin, period, payload):
    r = client.post(f"/api/v1/gstr1/{gstin}/{period}/documents", payload, format="json")
    assert r.status_code == 201, r.content
    return r


def file_gstr1(client, gstin, period, form="GSTR1"):
    r = client.post(f"/api/v1/gstr1/{gstin}/{period}/file", {"form": form}, format="json")
    assert r.status_code == 200, r.content


def record_ids(recipient) -> dict:
    """number -> id of the recipient's records in force (read back from the database)."""
    rows = ImsRecord.objects.filter(recipient=recipient, removed=False).order_by("id")
    return {r.number + ("/A" if r.orig_number else ""): r.id for r in rows}


def act(client, gstin, *pairs):
    actions = [{"id": rid, "action": a, **({"remarks": "not ours"} if a == "R" else {})} for rid, a in pairs]
    r = client.post(f"/api/v1/ims/{gstin}/inward/actions", {"actions": actions}, format="json")
    assert r.status_code == 200 and r.json()["errors"] == [], r.content


def rec(recipient, number) -> ImsRecord:
    return ImsRecord.objects.get(recipient=recipient, number=number, orig_number="", removed=False)


@pytest.fixture
def sup(supplier):
    return client_for(member(supplier, "owner", "acme_owner"))


@pytest.fixture
def buyer(recipient):
    return client_for(member(recipient, "owner", "bharat_owner"))


def october(set_clock, sup, buyer, recipient):
    """Acme saves October, Bharat acts, Acme files GSTR-1 for 09 and 10 on 05-11-2025 (2B period 10)."""
    set_clock("2025-10-20 10:00")
    save(
        sup,
        MH,
        "102025",
        gstr1(
            b2b=[
                inv("INV-1", "05-10-2025"),
                inv("INV-2", "06-10-2025", txval="500.00"),
                inv("INV-R", "07-10-2025", txval="2000.00", rchrg="Y"),
                inv("INV-P", "08-10-2025", txval="300.00", pos="27", intra=True),
            ],
            cdnr=[
                note("CN-1", "09-10-2025", txval="100.00"),
                note("CN-2", "10-10-2025", txval="200.00"),
                note("CN-3", "11-10-2025", txval="50.00"),
            ],
        ),
    )
    ids = record_ids(recipient)
    act(buyer, KA, (ids["INV-1"], "A"), (ids["INV-2"], "R"), (ids["CN-2"], "P"), (ids["CN-3"], "R"))
    set_clock("2025-11-05 10:00")
    file_gstr1(sup, MH, "092025")
    file_gstr1(sup, MH, "102025")


def september_3bs(set_clock, supplier, recipient):
    """On 14-11-2025 both file GSTR-3B for 09 (start period, empty 2B): each filing generates 2B 10."""
    set_clock("2025-11-14 00:10")
    for t in (supplier, recipient):
        assert gstr2b_generate_if_due(taxpayer=t, period=202509, trigger="schedule", by="system") is None
        gstr3b_file(taxpayer=t, period=202509, by="owner")


# --- tables -------------------------------------------------------------------------------


def test_r6_1_itc_tables_from_latest_2b(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    r = buyer.get(f"/api/v1/gstr3b/{KA}/102025")
    assert r.status_code == 200, r.content
    out = body(r)
    assert (out["period"], out["status"], out["filed_at"], out["blocked_by"]) == ("102025", "draft", None, [])
    itc = out["tables"]["itc"]
    assert itc["4A5"] == total("1000.00", "180.00")  # INV-1 accepted
    assert itc["4A3"] == total("2000.00", "360.00")  # INV-R reverse charge
    assert itc["4B2"] == total("100.00", "18.00")  # CN-1 deemed (pending CN-2 and rejected CN-3 left out)
    assert itc["4D2"] == total("300.00", "0", "27.00", "27.00")  # INV-P kept out, rsn P
    # 2000 + 1000 - 100, 360 + 180 - 18: 4D2 is not part of it.
    assert itc["net"] == total("2900.00", "522.00")
    assert out["tables"]["liability"]["3_1_d"] == total("2000.00", "360.00")


def test_r6_1_zero_tables_before_a_2b_exists(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    out = gstr3b_view(taxpayer=recipient, period=202510)
    assert out["tables"]["itc"] == {k: ZERO for k in ("4A1", "4A3", "4A5", "4B2", "4D2", "net")}
    assert out["tables"]["liability"]["3_1_d"] == ZERO
    assert "2B_NOT_GENERATED" in out["blocked_by"]


def test_r6_1_net_itc_may_be_negative(set_clock, supplier, recipient, sup, buyer):
    set_clock("2025-10-20 10:00")
    save(sup, MH, "102025", gstr1(cdnr=[note("CN-9", "09-10-2025", txval="400.00")]))
    set_clock("2025-11-05 10:00")
    file_gstr1(sup, MH, "092025")
    file_gstr1(sup, MH, "102025")
    september_3bs(set_clock, supplier, recipient)
    itc = gstr3b_view(taxpayer=recipient, period=202510)["tables"]["itc"]
    assert itc["4B2"] == total("400.00", "72.00")
    assert itc["net"] == total("-400.00", "-72.00")


def test_r6_2_supplier_liability_3_1_a_and_eco_3_1_1_i_with_amendments_by_difference(
    set_clock, supplier, sup
):
    """Acme's own outward supplies. October: INV-1 1000/180, CN-1 100/18, reverse-charge INV-R 2000/360
    (excluded), ECO invoice E-1 400/72 filed as operator. November amends INV-1 to 1200/216, CN-1 to
    150/27 and E-1 to 500/90, and saves (unfiled) INV-9 which counts nothing."""
    set_clock("2025-10-20 10:00")
    eco = inv("E-1", "07-10-2025", txval="400.00", pos="33", sply_ty="INTER")
    del eco["rchrg"]
    payload = gstr1(
        b2b=[inv("INV-1", "05-10-2025"), inv("INV-R", "06-10-2025", txval="2000.00", rchrg="Y")],
        cdnr=[note("CN-1", "08-10-2025", txval="100.00")],
    )
    payload["ecom"] = {"b2b": [{"stin": GJ, "rtin": TN, "inv": [eco]}]}
    make_operator(supplier)
    save(sup, MH, "102025", payload)
    set_clock("2025-11-05 10:00")
    file_gstr1(sup, MH, "092025")
    file_gstr1(sup, MH, "102025")
    eco_a = inv(
        "E-1", "07-10-2025", txval="500.00", pos="33", sply_ty="INTER", oinum="E-1", oidt="07-10-2025"
    )
    del eco_a["rchrg"]
    payload = gstr1(
        b2ba=[inv("INV-1", "05-10-2025", txval="1200.00", oinum="INV-1", oidt="05-10-2025")],
        cdnra=[note("CN-1", "08-10-2025", txval="150.00", ont_num="CN-1", ont_dt="08-10-2025")],
    )
    payload["ecoma"] = {"b2ba": [{"stin": GJ, "rtin": TN, "inv": [eco_a]}]}
    save(sup, MH, "112025", payload)
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    save(sup, MH, "122025", gstr1(b2b=[inv("INV-9", "01-12-2025")]))
    save(sup, MH, "112025", gstr1(b2b=[inv("INV-8", "20-11-2025")]))  # GSTR-1A, saved not filed

    oct_ = gstr3b_view(taxpayer=supplier, period=202510)["tables"]["liability"]
    assert oct_["3_1_a"] == total("900.00", "162.00")  # 1000 - 100; 180 - 18
    assert oct_["3_1_1_i"] == total("400.00", "72.00")
    assert oct_["3_1_d"] == ZERO and oct_["addback"] == ZERO
    nov = gstr3b_view(taxpayer=supplier, period=202511)
    assert nov["tables"]["liability"]["3_1_a"] == total("150.00", "27.00")  # +200 - 50; +36 - 9
    assert nov["tables"]["liability"]["3_1_1_i"] == total("100.00", "18.00")
    assert "GSTR1A_UNFILED" in nov["blocked_by"]


def test_r6_2_amendment_into_reverse_charge_takes_back_the_earlier_liability(set_clock, supplier, sup):
    set_clock("2025-10-20 10:00")
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))
    set_clock("2025-11-05 10:00")
    file_gstr1(sup, MH, "092025")
    file_gstr1(sup, MH, "102025")
    amended = inv("INV-1", "05-10-2025", rchrg="Y", oinum="INV-1", oidt="05-10-2025")
    save(sup, MH, "112025", gstr1(b2ba=[amended]))
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    liability = gstr3b_view(taxpayer=supplier, period=202511)["tables"]["liability"]
    assert liability["3_1_a"] == total("-1000.00", "-180.00")


# --- blockers and filing ----------------------------------------------------------------------------


def test_r6_3_blocked_by_order(set_clock, recipient, buyer):
    """Bharat as a supplier (to Acme, MH): GSTR-1 for 09 and 10 filed, then a GSTR-1A document saved."""
    set_clock("2025-11-05 10:00")
    file_gstr1(buyer, KA, "092025")
    file_gstr1(buyer, KA, "102025")
    save(buyer, KA, "102025", gstr1(b2b=[inv("B-1", "05-10-2025", pos="27")], ctin=MH))
    assert Document.objects.get(number="B-1").form == "GSTR1A"
    r = buyer.get(f"/api/v1/gstr3b/{KA}/102025")
    assert body(r)["blocked_by"] == ["PREVIOUS_3B_NOT_FILED", "2B_NOT_GENERATED", "GSTR1A_UNFILED"]
    r = buyer.get(f"/api/v1/gstr3b/{KA}/112025")
    assert body(r)["blocked_by"] == ["PERIOD_NOT_ENDED", "PREVIOUS_3B_NOT_FILED", "2B_NOT_GENERATED"]
    r = buyer.post(f"/api/v1/gstr3b/{KA}/102025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "PREVIOUS_3B_NOT_FILED")

    set_clock("2025-11-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/092025/file").status_code == 200
    r = buyer.post(f"/api/v1/gstr3b/{KA}/102025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "GSTR1A_UNFILED")
    file_gstr1(buyer, KA, "102025", "GSTR1A")
    assert body(buyer.get(f"/api/v1/gstr3b/{KA}/102025"))["blocked_by"] == []
    r = buyer.post(f"/api/v1/gstr3b/{KA}/092025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ALREADY_FILED")
    assert body(buyer.get(f"/api/v1/gstr3b/{KA}/092025"))["blocked_by"] == ["ALREADY_FILED"]


def test_r6_3_stale_2b_blocks_filing(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    act(buyer, KA, (rec(recipient, "CN-1").id, "A"))
    assert gstr3b_view(taxpayer=recipient, period=202510)["blocked_by"] == ["2B_STALE"]
    r = buyer.post(f"/api/v1/gstr3b/{KA}/102025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "2B_STALE")
    gstr2b_recompute(taxpayer=recipient, period=202510, by="bharat_owner")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200


def test_r6_3_period_not_ended(set_clock, recipient, buyer):
    set_clock("2025-09-20 10:00")
    r = buyer.post(f"/api/v1/gstr3b/{KA}/092025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "PERIOD_NOT_ENDED")


def test_r6_3_filing_freezes_the_3b_and_the_2b(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    r = buyer.post(f"/api/v1/gstr3b/{KA}/102025/file")
    assert r.status_code == 200, r.content
    filed = body(r)
    assert filed["status"] == "filed" and filed["filed_at"].startswith("2025-11-15T")
    assert filed["tables"]["itc"]["net"] == total("2900.00", "522.00")
    row = Gstr3bFiling.objects.get(taxpayer=recipient, period=202510)
    assert row.gstr2b_version == 1
    assert row.tables["itc"]["net"]["igst"] == "522.00"
    # 2B is final: recompute refused.
    assert gstr2b_recompute_refusal(taxpayer=recipient, period=202510) == "RETURN_FILED"
    # Something later added to the period does not move the filed tables.
    AddBack.objects.create(
        supplier=recipient,
        record_id=999999,
        ctin=MH,
        section="b2bcn",
        number="X-1",
        doc_type="CN",
        txval=D("10.00"),
        igst=D("1.80"),
        cgst=D("0"),
        sgst=D("0"),
        cess=D("0"),
        rejected_in_period=202510,
        added_in_period=202510,
        created_at=row.filed_at,
    )
    again = body(buyer.get(f"/api/v1/gstr3b/{KA}/102025"))
    assert again["tables"] == filed["tables"]
    assert again["tables"]["liability"]["addback"] == ZERO


def test_r5_3_filing_3b_generates_the_waiting_next_2b(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    set_clock("2025-11-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="schedule", by="system") == (
        "PREVIOUS_3B_NOT_FILED"
    )
    assert buyer.post(f"/api/v1/gstr3b/{KA}/092025/file").status_code == 200
    v = Gstr2bVersion.objects.get(taxpayer=recipient, period=202510)
    assert (v.version, v.trigger, v.by) == (1, "3b_filed", "bharat_owner")
    # 2B 11 is not due before 14-12-2025: filing 3B 10 generates nothing.
    set_clock("2025-11-15 10:00")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200
    assert not Gstr2bVersion.objects.filter(taxpayer=recipient, period=202511).exists()


# --- leaving IMS, R-4.7 release ---------------------------------------------------------------


def test_r4_11_records_leave_ims_pending_carried_forward(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200

    def state(number):
        r = rec(recipient, number)
        return (r.action, r.active, r.left_ims, r.deemed_accepted, r.itc_period)

    assert state("INV-1") == ("A", False, True, False, 202510)
    assert state("INV-2") == ("R", False, True, False, 202510)
    assert state("CN-1") == ("N", False, True, True, 202510)  # deemed accepted, action stays N
    assert state("CN-3") == ("R", False, True, False, 202510)
    assert state("CN-2") == ("P", True, False, False, 202511)  # pending: carried forward
    # Kept-out records were never active: marked left, not deemed accepted.
    assert state("INV-R")[1:4] == (False, True, False)
    assert state("INV-P")[1:4] == (False, True, False)
    reasons = dict(
        ImsAudit.objects.filter(
            record__number__in=["CN-1", "CN-2"], reason__startswith="GSTR-3B"
        ).values_list("record__number", "reason")
    )
    assert reasons == {
        "CN-1": "GSTR-3B filed: left IMS, deemed accepted",
        "CN-2": "GSTR-3B filed: carried forward to the next 2B period",
    }
    # Active IMS now shows only the pending note; a left record answers RETURN_FILED.
    listed = buyer.get(f"/api/v1/ims/{KA}/inward").json()["records"]
    assert [x["nt_num"] for x in listed] == ["CN-2"]
    r = buyer.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {"actions": [{"id": rec(recipient, "CN-1").id, "action": "A"}]},
        format="json",
    )
    assert r.json()["errors"][0]["code"] == "RETURN_FILED"


def test_r4_7_waiting_amendment_carried_then_released(set_clock, supplier, recipient, sup, buyer):
    """CN-2 is pending when Acme amends it to 300.00 / 54.00 in November (filed 05-12-2025, 2B period 11):
    the amendment waits. Bharat accepts CN-2 and files 3B 11: CN-2 leaves IMS, the amendment moves to 12
    and stops waiting, counted by difference: 100.00 / 18.00, a larger CN, so ITC-reducing."""
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200
    save(
        sup,
        MH,
        "112025",
        gstr1(cdnra=[note("CN-2", "10-10-2025", txval="300.00", ont_num="CN-2", ont_dt="10-10-2025")]),
    )
    set_clock("2025-12-05 10:00")
    file_gstr1(sup, MH, "112025")
    amendment = ImsRecord.objects.get(recipient=recipient, section="b2bcna")
    assert (amendment.waiting_on_original, amendment.itc_period) == (True, 202511)
    act(buyer, KA, (rec(recipient, "CN-2").id, "A"))
    set_clock("2025-12-14 00:10")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202511, trigger="schedule", by="system") is None
    gstr3b_file(taxpayer=recipient, period=202511, by="bharat_owner")
    amendment.refresh_from_db()
    assert (amendment.waiting_on_original, amendment.itc_period, amendment.active) == (False, 202512, True)
    assert (amendment.eff_txval, amendment.eff_igst) == (D("100.00"), D("18.00"))
    assert amendment.itc_reducing is True
    reasons = list(ImsAudit.objects.filter(record=amendment).values_list("reason", flat=True))
    assert reasons[-2:] == [
        "GSTR-3B filed: carried forward to the next 2B period",
        "original settled: the amendment can be acted on",
    ]
    cn2 = rec(recipient, "CN-2")
    assert (cn2.left_ims, cn2.deemed_accepted, cn2.itc_period) == (True, False, 202511)


# --- quarterly -------------------------------------------------------------------------------------


@pytest.fixture
def quarterly(db):
    return taxpayer_create(
        gstin=TN, legal_name="Chennai Quarterly", filing_frequency="Q", ims_start_period="102025"
    )


def test_r6_5_quarterly_taxpayer_files_one_3b_per_quarter(set_clock, supplier, quarterly, sup):
    """Chennai (TN, quarterly from 102025): IFF for October (T-1 1000/180 to Bharat), quarterly GSTR-1
    with T-2 (500/90, December) and T-3 (200/36, November after the IFF closed); Acme supplies it INV-Q
    (800/144, October, filed 05-11-2025: 2B period = the quarter 122025)."""
    q = client_for(member(quarterly, "owner", "chennai_owner"))
    set_clock("2025-10-20 10:00")
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-Q", "05-10-2025", txval="800.00", pos="33")], ctin=TN))
    save(q, TN, "102025", gstr1(b2b=[inv("T-1", "05-10-2025")]))
    set_clock("2025-11-05 10:00")
    file_gstr1(sup, MH, "092025")
    file_gstr1(sup, MH, "102025")
    file_gstr1(q, TN, "102025", "IFF")
    set_clock("2025-12-20 10:00")
    save(q, TN, "112025", gstr1(b2b=[inv("T-3", "20-11-2025", txval="200.00")]))
    save(q, TN, "122025", gstr1(b2b=[inv("T-2", "05-12-2025", txval="500.00")]))
    for month in ("102025", "112025"):
        r = q.get(f"/api/v1/gstr3b/{TN}/{month}")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "QUARTERLY_TAXPAYER")
        r = q.post(f"/api/v1/gstr3b/{TN}/{month}/file")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "QUARTERLY_TAXPAYER")
    r = q.get(f"/api/v1/gstr3b/{TN}/092025")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "BEFORE_START_PERIOD")
    set_clock("2026-01-10 10:00")
    file_gstr1(q, TN, "122025")
    set_clock("2026-01-14 00:10")
    assert gstr2b_generate_if_due(taxpayer=quarterly, period=202512, trigger="schedule", by="system") is None
    out = body(q.get(f"/api/v1/gstr3b/{TN}/122025"))
    assert out["blocked_by"] == []
    assert out["tables"]["itc"]["4A5"] == total("800.00", "144.00")
    # 1000 + 200 + 500 (IFF of October and the quarterly GSTR-1).
    assert out["tables"]["liability"]["3_1_a"] == total("1700.00", "306.00")
    r = q.post(f"/api/v1/gstr3b/{TN}/122025/file")
    assert r.status_code == 200 and body(r)["status"] == "filed"
    assert rec(quarterly, "INV-Q").left_ims is True


def test_r6_5_before_start_period_on_filing(set_clock, recipient, buyer):
    set_clock("2025-11-05 10:00")
    r = buyer.post(f"/api/v1/gstr3b/{KA}/082025/file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "BEFORE_START_PERIOD")


# --- API: tenancy, paths, query count ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, get_status, file_status",
    [
        ("owner", 200, 200),
        ("preparer", 200, 403),
        ("viewer", 200, 403),
        (None, 404, 404),
    ],
)
def test_r8_1_gstr3b_access(set_clock, recipient, outsider, role, get_status, file_status):
    set_clock("2025-10-14 00:10")
    gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system")
    c = client_for(member(recipient, role) if role else outsider)
    assert c.get(f"/api/v1/gstr3b/{KA}/092025").status_code == get_status
    assert c.post(f"/api/v1/gstr3b/{KA}/092025/file").status_code == file_status
    assert Gstr3bFiling.objects.filter(taxpayer=recipient).exists() == (file_status == 200)


def test_r8_2_malformed_period_or_gstin_is_not_found(set_clock, recipient, buyer):
    set_clock("2025-11-05 10:00")
    assert buyer.get(f"/api/v1/gstr3b/{KA}/132025").status_code == 404
    assert buyer.post(f"/api/v1/gstr3b/{KA}/2025-10/file").status_code == 404
    assert buyer.get("/api/v1/gstr3b/29AAGCB7383J1Z5/102025").status_code == 404
    assert buyer.get(f"/api/v1/gstr3b/{KA.lower()}/102025").status_code == 200


def test_r6_1_gstr3b_view_query_count_is_bounded(
    set_clock, supplier, recipient, sup, buyer, django_assert_max_num_queries
):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    # Liability is eight GROUP BYs (invoices.figures) plus add-backs; ITC one 2B read: none per document.
    with django_assert_max_num_queries(18):
        gstr3b_view(taxpayer=recipient, period=202510)
    with django_assert_max_num_queries(4):
        gstr3b_view(taxpayer=recipient, period=202509)  # filed: frozen tables
