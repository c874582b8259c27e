"""GSTR-2B generation (R-5.1 to R-5.6) through the services, with hand-computed rupee figures.

Scenarios are built the way a taxpayer would: the supplier saves and files GSTR-1/IFF/1A through the
API, the recipient acts in IMS through the API; a filed GSTR-3B is simulated by a Gstr3bFiling row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from core.errors import RuleViolation
from ims.models import ImsRecord
from returns.models import Gstr2bVersion, Gstr3bFiling
from returns.selectors import gstr2b_reply
from returns.services.gstr2b import gstr2b_generate_if_due, gstr2b_recompute
from taxpayers.services import taxpayer_create
from tests.conftest import DL, GJ, KA, MH, TN, client_for, gstr1, inv, make_operator, member, note


def tot(txval="0", igst="0", cgst="0", sgst="0", cess="0") -> dict:
    return {
        "txval": Decimal(txval),
        "igst": Decimal(igst),
        "cgst": Decimal(cgst),
        "sgst": Decimal(sgst),
        "cess": Decimal(cess),
    }


ZERO = tot()


def save(c, gstin: str, period: str, body: dict):
    r = c.post(f"/api/v1/gstr1/{gstin}/{period}/documents", body, format="json")
    assert r.status_code == 201, r.content
    return r.json()


def file(c, gstin: str, period: str, form: str = "GSTR1"):
    r = c.post(f"/api/v1/gstr1/{gstin}/{period}/file", {"form": form}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def rid(recipient, number: str, section: str | None = None) -> int:
    qs = ImsRecord.objects.filter(recipient=recipient, number=number, removed=False, superseded=False)
    if section:
        qs = qs.filter(section=section)
    return qs.get().id


def act(c, gstin: str, actions: list[dict]) -> None:
    r = c.post(f"/api/v1/ims/{gstin}/inward/actions", {"actions": actions}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["errors"] == [], r.json()


def file_3b(taxpayer, period: int) -> None:
    Gstr3bFiling.objects.create(taxpayer=taxpayer, period=period, filed_at=clock.now())


def summ(data: dict, grp: str, sub: str) -> dict:
    """One itcsumm block with every value as Decimal."""
    return {k: {h: Decimal(str(v)) for h, v in t.items()} for k, t in data["itcsumm"][grp][sub].items()}


def lines(data: dict, section: str, rejected: bool = False) -> list[tuple]:
    """(ctin, number, txval, igst) of every line of a docdata section, in reply order."""
    out = []
    for grp in data["docRejdata" if rejected else "docdata"][section]:
        for line in grp.get("inv", grp.get("nt", [])):
            out.append((grp["ctin"], line.get("inum") or line.get("ntnum"), line["txval"], line["igst"]))
    return out


def line(data: dict, section: str, number: str, rejected: bool = False) -> dict:
    for grp in data["docRejdata" if rejected else "docdata"][section]:
        for x in grp.get("inv", grp.get("nt", [])):
            if (x.get("inum") or x.get("ntnum")) == number:
                return x
    raise AssertionError(f"{number} not in {section}")


@pytest.fixture
def sup(set_clock, supplier):
    set_clock("2025-10-20 10:00")
    return client_for(member(supplier, "owner"))


@pytest.fixture
def rec(recipient):
    return client_for(member(recipient, "owner"))


# --- which 2B period ----------------------------------------------------------------------------


def _monthly_filed_at(set_clock, sup, when: str) -> int:
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    set_clock(when)
    file(sup, MH, "102025")
    return ImsRecord.objects.get(number="INV-1").itc_period


def test_r5_1_monthly_gstr1_filed_on_the_11th_lands_in_its_month(set_clock, sup, recipient):
    assert _monthly_filed_at(set_clock, sup, "2025-11-11 23:59") == 202510


def test_r5_1_monthly_gstr1_filed_on_the_12th_lands_in_the_next_month(set_clock, sup, recipient):
    assert _monthly_filed_at(set_clock, sup, "2025-11-12 00:00") == 202511


@pytest.fixture
def qsup(db):
    """A QRMP supplier in Gujarat from October 2025."""
    return taxpayer_create(
        gstin=GJ, legal_name="Gujarat Goods", filing_frequency="Q", ims_start_period="102025"
    )


def test_r5_1_iff_filed_on_the_13th_lands_in_its_month(set_clock, qsup, recipient):
    set_clock("2025-10-20 10:00")
    c = client_for(member(qsup, "owner"))
    save(c, GJ, "102025", gstr1(b2b=[inv("IFF-1", "05-10-2025")]))
    set_clock("2025-11-13 23:59")
    assert file(c, GJ, "102025", "IFF")["documents"] == 1
    assert ImsRecord.objects.get(number="IFF-1").itc_period == 202510


def test_r5_1_quarterly_gstr1_uses_the_13th_14th_window(set_clock, qsup, recipient, supplier):
    set_clock("2025-12-20 10:00")
    c = client_for(member(qsup, "owner"))
    save(c, GJ, "122025", gstr1(b2b=[inv("Q-1", "05-12-2025")]))
    set_clock("2026-01-13 23:59")
    file(c, GJ, "122025")
    assert ImsRecord.objects.get(number="Q-1").itc_period == 202512
    # The 14th opens the next window: a later quarter filed on the 14th lands in the month after it.
    set_clock("2026-03-20 10:00")
    save(c, GJ, "032026", gstr1(b2b=[inv("Q-2", "05-03-2026")]))
    set_clock("2026-04-14 00:00")
    file(c, GJ, "032026")
    assert ImsRecord.objects.get(number="Q-2").itc_period == 202604


def test_r5_1_gstr1a_takes_the_monthly_window(set_clock, sup, recipient):
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    assert save(sup, MH, "102025", gstr1(b2b=[inv("A-1", "06-10-2025")]))["form"] == "GSTR1A"
    # Filed on the 13th: the IFF window would still say October, the monthly one says November.
    set_clock("2025-11-13 10:00")
    file(sup, MH, "102025", "GSTR1A")
    assert ImsRecord.objects.get(number="A-1").itc_period == 202511


def test_r5_1_gstr1a_filed_on_the_11th_lands_in_its_month(set_clock, sup, recipient):
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    save(sup, MH, "102025", gstr1(b2b=[inv("A-1", "06-10-2025")]))
    set_clock("2025-11-11 23:59")
    file(sup, MH, "102025", "GSTR1A")
    assert ImsRecord.objects.get(number="A-1").itc_period == 202510


def test_r5_1_window_before_the_recipients_start_becomes_the_start_period(set_clock, sup):
    late = taxpayer_create(gstin=TN, legal_name="Chennai Co", ims_start_period="112025")
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", pos="33")], ctin=TN))
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    assert ImsRecord.objects.get(recipient=late, number="INV-1").itc_period == 202511


def test_r5_1_window_whose_3b_is_filed_moves_to_the_next_unfiled_period(set_clock, sup, recipient):
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")]))
    set_clock("2025-11-05 10:00")
    file_3b(recipient, 202510)
    file_3b(recipient, 202511)
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    assert ImsRecord.objects.get(number="INV-1").itc_period == 202512


def test_r5_1_quarterly_recipient_gets_the_quarter(set_clock, sup):
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", pos="07")], ctin=DL))
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    assert ImsRecord.objects.get(recipient=q, number="INV-1").itc_period == 202512


# --- draft on the 14th, R-5.3 sequence ------------------------------------------------------------


def test_r5_2_generation_before_the_14th_is_draft_not_due(set_clock, recipient):
    set_clock("2025-10-13 23:59")
    with pytest.raises(RuleViolation) as e:
        gstr2b_recompute(taxpayer=recipient, period=202509, by="u")
    assert e.value.code == "DRAFT_NOT_DUE"
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system") == (
        "DRAFT_NOT_DUE"
    )
    assert not Gstr2bVersion.objects.exists()


def test_r5_2_empty_2b_generated_on_the_14th_with_every_group_at_zero(set_clock, recipient):
    set_clock("2025-10-14 00:00")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system") is None
    data = gstr2b_reply(Gstr2bVersion.objects.get())["data"]
    assert (data["gstin"], data["rtnprd"], data["version"], data["status"], data["stale"]) == (
        KA,
        "092025",
        1,
        "draft",
        False,
    )
    expected_keys = {
        "itcavl": {
            "nonrevsup": ["b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "total"],
            "revsup": ["b2b", "b2ba", "cdnr", "cdnra", "total"],
            "othersup": ["cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev", "total"],
            "imports": ["impg", "impgsez", "total"],
        },
        "itcunavl": {
            "nonrevsup": ["b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "total"],
            "revsup": ["b2b", "b2ba", "cdnr", "cdnra", "total"],
            "othersup": ["cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev", "total"],
        },
        "itcRejected": {
            "nonrevsup": ["b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "total"],
            "othersup": ["cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev", "total"],
        },
    }
    for grp, subs in expected_keys.items():
        assert sorted(data["itcsumm"][grp]) == sorted(subs)
        for sub, keys in subs.items():
            assert sorted(summ(data, grp, sub)) == sorted(keys)
            assert all(v == ZERO for v in summ(data, grp, sub).values())
    empty = {s: [] for s in ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "impg", "impgsez")}
    assert data["docdata"] == empty and data["docRejdata"] == empty


def test_r5_3_previous_3b_not_filed_unless_start_period(set_clock, recipient):
    set_clock("2025-11-14 00:00")
    # 092025 is the start period: no predecessor needed.
    assert gstr2b_recompute(taxpayer=recipient, period=202509, by="u").version == 1
    with pytest.raises(RuleViolation) as e:
        gstr2b_recompute(taxpayer=recipient, period=202510, by="u")
    assert e.value.code == "PREVIOUS_3B_NOT_FILED"
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="schedule", by="system") == (
        "PREVIOUS_3B_NOT_FILED"
    )
    file_3b(recipient, 202509)
    assert gstr2b_recompute(taxpayer=recipient, period=202510, by="u").version == 1


def test_r5_5_schedule_skip_reasons_first_that_applies(set_clock, recipient):
    set_clock("2025-11-14 00:00")
    gen = gstr2b_generate_if_due
    assert gen(taxpayer=recipient, period=202508, trigger="admin", by="staff") == "BEFORE_START_PERIOD"
    assert gen(taxpayer=recipient, period=202509, trigger="admin", by="staff") is None
    # Already generated wins over everything after it.
    assert gen(taxpayer=recipient, period=202509, trigger="admin", by="staff") == "ALREADY_GENERATED"
    # Not yet due wins over the missing previous 3B.
    assert gen(taxpayer=recipient, period=202511, trigger="schedule", by="system") == "DRAFT_NOT_DUE"
    assert gen(taxpayer=recipient, period=202510, trigger="schedule", by="system") == "PREVIOUS_3B_NOT_FILED"


# --- placement ---------------------------------------------------------------------------------


@pytest.fixture
def october(set_clock, sup, rec, supplier, recipient):
    """One October 2025 of every kind of record, acted on, with its 2B generated on 14-11-2025."""
    gj = taxpayer_create(gstin=GJ, legal_name="Gujarat Goods", trade_name="Guj", ims_start_period="092025")
    gjc = client_for(member(gj, "owner"))
    eco = inv("ECO-1", "10-10-2025", sply_ty="INTER")
    del eco["rchrg"]
    make_operator(supplier)
    save(
        sup,
        MH,
        "102025",
        {
            **gstr1(
                b2b=[
                    inv("INV-A1", "01-10-2025", csamt="10.00"),  # A: 1000 / 180 / cess 10
                    inv("INV-A2", "02-10-2025", txval="500.00"),  # N: 500 / 90
                    inv("INV-R1", "03-10-2025", txval="200.00"),  # R: 200 / 36
                    inv("INV-P1", "04-10-2025", txval="300.00"),  # P: left out
                    inv("INV-RC1", "05-10-2025", rchrg="Y"),  # reverse charge: 1000 / 180
                    inv("INV-PX", "06-10-2025", pos="27", intra=True),  # rsn P: 1000 / 90 + 90
                    inv("INV-C1", "15-03-2024", txval="100.00"),  # rsn C: 100 / 18
                ],
                cdnr=[
                    note("DN-1", "07-10-2025", ntty="D", txval="100.00"),  # A: 100 / 18
                    note("CN-1", "08-10-2025", txval="400.00"),  # A, declIgst 50: 400 / 50
                    note("CN-2", "08-10-2025", txval="150.00"),  # A, itcRedReq N: 150 / 0
                    note("CN-3", "09-10-2025", txval="50.00"),  # N: 50 / 9
                    note("CN-R", "09-10-2025", txval="80.00"),  # R: 80 / 14.40
                    note("DN-RC1", "09-10-2025", ntty="D", txval="200.00", rchrg="Y"),  # RCM DN: 200 / 36
                    note("CN-RC1", "09-10-2025", txval="100.00", rchrg="Y"),  # RCM CN: 100 / 18
                ],
            ),
            "ecom": {"b2b": [{"stin": GJ, "rtin": KA, "inv": [eco]}]},  # 1000 / 180
        },
    )
    # A second supplier, saved out of order, to prove lines sort by ctin then number.
    save(gjc, GJ, "102025", gstr1(b2b=[inv("G-2", "02-10-2025", txval="20.00"), inv("G-1", "01-10-2025")]))
    set_clock("2025-11-05 10:00")
    for c, g in ((sup, MH), (gjc, GJ)):
        file(c, g, "092025")
        file(c, g, "102025")
    set_clock("2025-11-06 10:00")
    act(
        rec,
        KA,
        [
            {"id": rid(recipient, "INV-A1"), "action": "A"},
            {"id": rid(recipient, "INV-R1"), "action": "R", "remarks": "wrong rate"},
            {"id": rid(recipient, "INV-P1"), "action": "P", "remarks": "checking"},
            {"id": rid(recipient, "DN-1"), "action": "A"},
            {"id": rid(recipient, "CN-1"), "action": "A", "itcRedReq": "Y", "declIgst": Decimal("50.00")},
            {"id": rid(recipient, "CN-2"), "action": "A", "itcRedReq": "N"},
            {"id": rid(recipient, "CN-R"), "action": "R", "remarks": "no such note"},
            {"id": rid(recipient, "G-1"), "action": "A"},
        ],
    )
    set_clock("2025-11-14 00:10")
    file_3b(recipient, 202509)
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="schedule", by="system") is None
    return gjc


def test_r5_4_part_a_reverse_charge_part_b_unavailable_and_rejected_totals(october, recipient):
    data = gstr2b_reply(Gstr2bVersion.objects.get(taxpayer=recipient, period=202510))["data"]
    # Part A: INV-A1 1000/180/cess 10 + INV-A2 500/90 + G-1 1000/180 + G-2 20/3.60; DN-1; ECO-1.
    assert summ(data, "itcavl", "nonrevsup") == {
        "b2b": tot("2520.00", "453.60", cess="10.00"),
        "b2ba": ZERO,
        "cdnr": tot("100.00", "18.00"),
        "cdnra": ZERO,
        "ecom": tot("1000.00", "180.00"),
        "ecoma": ZERO,
        "total": tot("3620.00", "651.60", cess="10.00"),
    }
    assert summ(data, "itcavl", "revsup") == {
        "b2b": tot("1000.00", "180.00"),
        "b2ba": ZERO,
        "cdnr": tot("200.00", "36.00"),
        "cdnra": ZERO,
        "total": tot("1200.00", "216.00"),
    }
    # Part B by declared amounts: CN-1 400/50 (declared), CN-2 150/0 (itcRedReq N), CN-3 50/9 (N: full);
    # the reverse-charge CN as cdnrrev 100/18.
    assert summ(data, "itcavl", "othersup") == {
        "cdnr": tot("600.00", "59.00"),
        "cdnra": ZERO,
        "b2ba": ZERO,
        "ecoma": ZERO,
        "cdnrrev": tot("100.00", "18.00"),
        "total": tot("700.00", "77.00"),
    }
    # Not available: INV-PX (rsn P, intra 90 + 90) and INV-C1 (rsn C, 18).
    assert summ(data, "itcunavl", "nonrevsup")["b2b"] == tot("1100.00", "18.00", "90.00", "90.00")
    assert summ(data, "itcunavl", "nonrevsup")["total"] == tot("1100.00", "18.00", "90.00", "90.00")
    assert all(v == ZERO for v in summ(data, "itcunavl", "revsup").values())
    assert all(v == ZERO for v in summ(data, "itcunavl", "othersup").values())
    assert summ(data, "itcRejected", "nonrevsup")["b2b"] == tot("200.00", "36.00")
    assert summ(data, "itcRejected", "nonrevsup")["total"] == tot("200.00", "36.00")
    assert summ(data, "itcRejected", "othersup")["cdnr"] == tot("80.00", "14.40")
    assert summ(data, "itcRejected", "othersup")["total"] == tot("80.00", "14.40")


def test_r5_4_lines_sort_by_ctin_then_number_and_pending_is_left_out(october, recipient):
    data = gstr2b_reply(Gstr2bVersion.objects.get(taxpayer=recipient, period=202510))["data"]
    d = Decimal
    assert lines(data, "b2b") == [
        (GJ, "G-1", d("1000.00"), d("180.00")),
        (GJ, "G-2", d("20.00"), d("3.60")),
        (MH, "INV-A1", d("1000.00"), d("180.00")),
        (MH, "INV-A2", d("500.00"), d("90.00")),
        (MH, "INV-C1", d("100.00"), d("18.00")),
        (MH, "INV-PX", d("1000.00"), d("0.00")),
        (MH, "INV-RC1", d("1000.00"), d("180.00")),
    ]
    assert [x[1] for x in lines(data, "cdnr")] == ["CN-1", "CN-2", "CN-3", "CN-RC1", "DN-1", "DN-RC1"]
    assert lines(data, "b2b", rejected=True) == [(MH, "INV-R1", d("200.00"), d("36.00"))]
    assert lines(data, "cdnr", rejected=True) == [(MH, "CN-R", d("80.00"), d("14.40"))]
    assert line(data, "b2b", "INV-R1", rejected=True)["remarks"] == "wrong rate"
    assert line(data, "cdnr", "CN-R", rejected=True)["remarks"] == "no such note"
    assert data["docdata"]["ecom"][0]["inv"][0]["inum"] == "ECO-1"
    # Line fields: own values, availability and reason.
    px, c1 = line(data, "b2b", "INV-PX"), line(data, "b2b", "INV-C1")
    assert (px["itcavl"], px["rsn"], px["cgst"], px["sgst"], px["pos"]) == (
        "N",
        "P",
        d("90.00"),
        d("90.00"),
        "27",
    )
    assert (c1["itcavl"], c1["rsn"]) == ("N", "C")
    a1 = line(data, "b2b", "INV-A1")
    assert (a1["itcavl"], a1["rsn"], a1["imsStatus"], a1["cess"], a1["dt"]) == (
        "Y",
        None,
        "A",
        d("10.00"),
        "01-10-2025",
    )
    assert line(data, "b2b", "INV-RC1")["rev"] == "Y"
    cn1 = line(data, "cdnr", "CN-1")
    assert (cn1["typ"], cn1["igst"], cn1["itcRedReq"], cn1["declIgst"]) == ("C", d("72.00"), "Y", d("50.00"))
    assert (line(data, "cdnr", "CN-2")["itcRedReq"], line(data, "cdnr", "CN-2")["declIgst"]) == (
        "N",
        d("0.00"),
    )
    assert line(data, "cdnr", "DN-1")["typ"] == "D"
    assert data["docdata"]["b2b"][0]["trdnm"] == "Guj"
    assert (data["docdata"]["b2b"][1]["supprd"], data["docdata"]["b2b"][1]["supfildt"]) == (
        "102025",
        "05-11-2025",
    )


def test_r5_4_amendments_count_by_effect_with_delta(set_clock, october, sup, rec, recipient):
    """November: amendments of October's records after October's 3B, and a same-period supersession."""
    set_clock("2025-11-20 10:00")
    file_3b(recipient, 202510)
    b2ba = [
        # INV-A1 accepted and counted: 1000/180 -> 1500/270, delta 500/90.
        inv("INV-A1", "01-10-2025", txval="1500.00", csamt="10.00", oinum="INV-A1", oidt="01-10-2025"),
        # INV-R1 rejected, counted nothing: 250/45 in full.
        inv("INV-R1", "03-10-2025", txval="250.00", oinum="INV-R1", oidt="03-10-2025"),
        # INV-A2 at N in a filed 3B (deemed accepted) decreased 500/90 -> 300/54: part B 200/36.
        inv("INV-A2", "02-10-2025", txval="300.00", oinum="INV-A2", oidt="02-10-2025"),
        # INV-P1 is pending: its amendment waits and is left out.
        inv("INV-P1", "04-10-2025", txval="310.00", oinum="INV-P1", oidt="04-10-2025"),
        # Reverse-charge INV-RC1 (counted, deemed) decreased 1000/180 -> 600/108: part B b2ba 400/72, not
        # cdnrrev (that key is for reverse-charge credit notes).
        inv("INV-RC1", "05-10-2025", txval="600.00", rchrg="Y", oinum="INV-RC1", oidt="05-10-2025"),
    ]
    cdnra = [
        # CN-1 counted, lowered 400/72 -> 300/54: raises ITC by 100/18 (part A).
        note("CN-1", "08-10-2025", txval="300.00", ont_num="CN-1", ont_dt="08-10-2025"),
        # CN-3 counted, raised 50/9 -> 80/14.40: part B 30/5.40.
        note("CN-3", "09-10-2025", txval="80.00", ont_num="CN-3", ont_dt="09-10-2025"),
        # Reverse-charge DN-RC1 raised 200/36 -> 250/45: reverse charge cdnra 50/9.
        note(
            "DN-RC1", "09-10-2025", ntty="D", txval="250.00", rchrg="Y", ont_num="DN-RC1", ont_dt="09-10-2025"
        ),
    ]
    save(sup, MH, "112025", gstr1(b2b=[inv("INV-S1", "03-11-2025", txval="700.00")], b2ba=b2ba, cdnra=cdnra))
    set_clock("2025-12-05 10:00")
    file(sup, MH, "112025")
    # GSTR-1A amends INV-S1 in the same 2B period: the original is superseded, the amendment counts in full.
    save(
        sup,
        MH,
        "112025",
        gstr1(b2ba=[inv("INV-S1", "03-11-2025", txval="800.00", oinum="INV-S1", oidt="03-11-2025")]),
    )
    set_clock("2025-12-08 10:00")
    file(sup, MH, "112025", "GSTR1A")
    a2 = ImsRecord.objects.get(recipient=recipient, number="INV-A2", section="b2ba")
    assert a2.itc_reducing is True
    act(rec, KA, [{"id": a2.id, "action": "A", "itcRedReq": "Y", "declIgst": Decimal("20.00")}])
    assert ImsRecord.objects.get(recipient=recipient, number="INV-P1", section="b2ba").waiting_on_original
    set_clock("2025-12-14 00:10")
    v = gstr2b_recompute(taxpayer=recipient, period=202511, by="u")
    data = gstr2b_reply(v)["data"]
    assert summ(data, "itcavl", "nonrevsup") == {
        "b2b": ZERO,
        "b2ba": tot("1550.00", "279.00"),  # 500/90 + 250/45 + 800/144
        "cdnr": ZERO,
        "cdnra": tot("100.00", "18.00"),
        "ecom": ZERO,
        "ecoma": ZERO,
        "total": tot("1650.00", "297.00"),
    }
    assert summ(data, "itcavl", "othersup") == {
        "cdnr": ZERO,
        "cdnra": tot("30.00", "5.40"),
        "b2ba": tot(
            "600.00", "92.00"
        ),  # INV-A2 200/20 (taxable of the effect, tax as declared) + INV-RC1 400/72
        "ecoma": ZERO,
        "cdnrrev": ZERO,
        "total": tot("630.00", "97.40"),
    }
    assert summ(data, "itcavl", "revsup") == {
        "b2b": ZERO,
        "b2ba": ZERO,
        "cdnr": ZERO,
        "cdnra": tot("50.00", "9.00"),
        "total": tot("50.00", "9.00"),
    }
    d = Decimal
    # Superseded original INV-S1 and waiting INV-P1 are left out; amendments carry their own values.
    assert lines(data, "b2ba") == [
        (MH, "INV-A1", d("1500.00"), d("270.00")),
        (MH, "INV-A2", d("300.00"), d("54.00")),
        (MH, "INV-R1", d("250.00"), d("45.00")),
        (MH, "INV-RC1", d("600.00"), d("108.00")),
        (MH, "INV-S1", d("800.00"), d("144.00")),
    ]
    assert data["docdata"]["b2b"] == []
    a1 = line(data, "b2ba", "INV-A1")
    assert (a1["oinum"], a1["oidt"]) == ("INV-A1", "01-10-2025")
    assert a1["delta"] == tot("500.00", "90.00")
    assert line(data, "b2ba", "INV-R1")["delta"] == tot("250.00", "45.00")
    assert line(data, "b2ba", "INV-S1")["delta"] == tot("800.00", "144.00")
    # The delta is the counted effect, whatever the declaration (which the line carries beside it).
    la2 = line(data, "b2ba", "INV-A2")
    assert la2["delta"] == tot("200.00", "36.00")
    assert (la2["itcRedReq"], la2["declIgst"]) == ("Y", d("20.00"))
    cn1 = line(data, "cdnra", "CN-1")
    assert (cn1["ont_num"], cn1["delta"]) == ("CN-1", tot("100.00", "18.00"))
    assert line(data, "cdnra", "CN-3")["delta"] == tot("30.00", "5.40")
    assert line(data, "b2ba", "INV-RC1")["delta"] == tot("400.00", "72.00")
    assert line(data, "cdnra", "DN-RC1")["delta"] == tot("50.00", "9.00")


# --- versions, stale, recompute -------------------------------------------------------------------


def test_r5_5_versions_triggers_stale_identical_and_final(set_clock, october, rec, recipient):
    v1 = Gstr2bVersion.objects.get(taxpayer=recipient, period=202510)
    assert (v1.version, v1.trigger, v1.by) == (1, "schedule", "system")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="admin", by="staff") == (
        "ALREADY_GENERATED"
    )
    assert Gstr2bVersion.objects.filter(taxpayer=recipient, period=202510).count() == 1
    set_clock("2025-11-15 10:00")
    v2 = gstr2b_recompute(taxpayer=recipient, period=202510, by="alice")
    assert (v2.version, v2.trigger, v2.by) == (2, "recompute", "alice")
    first, second = gstr2b_reply(v1)["data"], gstr2b_reply(v2)["data"]
    for x in (first, second):
        x.pop("version"), x.pop("gendt")
    assert first == second
    assert second["stale"] is False
    # An action after generation makes the latest version stale; a recompute clears it.
    set_clock("2025-11-15 11:00")
    act(rec, KA, [{"id": rid(recipient, "INV-A2"), "action": "R", "remarks": "returned"}])
    assert gstr2b_reply(v2)["data"]["stale"] is True
    set_clock("2025-11-15 12:00")
    v3 = gstr2b_recompute(taxpayer=recipient, period=202510, by="alice")
    d3 = gstr2b_reply(v3)["data"]
    assert (d3["version"], d3["stale"]) == (3, False)
    assert summ(d3, "itcRejected", "nonrevsup")["b2b"] == tot("700.00", "126.00")  # INV-R1 + INV-A2
    # Once GSTR-3B of the period is filed, the latest version is final and recompute is refused.
    file_3b(recipient, 202510)
    assert gstr2b_reply(v3)["data"]["status"] == "final"
    with pytest.raises(RuleViolation) as e:
        gstr2b_recompute(taxpayer=recipient, period=202510, by="alice")
    assert e.value.code == "RETURN_FILED"
    assert Gstr2bVersion.objects.filter(taxpayer=recipient, period=202510).count() == 3


def test_r5_5_recompute_creates_version_1_where_none_exists(set_clock, recipient):
    set_clock("2025-10-14 09:00")
    v = gstr2b_recompute(taxpayer=recipient, period=202509, by="bob")
    assert (v.version, v.trigger, v.by) == (1, "recompute", "bob")


# --- quarterly recipients ----------------------------------------------------------------------


def test_r5_6_quarterly_recipient_one_2b_per_quarter(set_clock, sup):
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    save(sup, MH, "102025", gstr1(b2b=[inv("INV-10", "05-10-2025", pos="07")], ctin=DL))
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    save(sup, MH, "112025", gstr1(b2b=[inv("INV-11", "05-11-2025", pos="07", txval="200.00")], ctin=DL))
    set_clock("2025-12-05 10:00")
    file(sup, MH, "112025")
    save(sup, MH, "122025", gstr1(b2b=[inv("INV-12", "05-12-2025", pos="07", txval="300.00")], ctin=DL))
    set_clock("2026-01-05 10:00")
    file(sup, MH, "122025")
    for month in (202510, 202511):
        with pytest.raises(RuleViolation) as e:
            gstr2b_recompute(taxpayer=q, period=month, by="u")
        assert e.value.code == "QUARTERLY_TAXPAYER"
        assert gstr2b_generate_if_due(taxpayer=q, period=month, trigger="schedule", by="system") == (
            "QUARTERLY_TAXPAYER"
        )
    set_clock("2026-01-13 23:59")
    assert (
        gstr2b_generate_if_due(taxpayer=q, period=202512, trigger="schedule", by="system") == "DRAFT_NOT_DUE"
    )
    set_clock("2026-01-14 00:05")
    assert gstr2b_generate_if_due(taxpayer=q, period=202512, trigger="schedule", by="system") is None
    data = gstr2b_reply(Gstr2bVersion.objects.get(taxpayer=q))["data"]
    assert data["rtnprd"] == "122025"
    assert summ(data, "itcavl", "nonrevsup")["b2b"] == tot("1500.00", "270.00")
    assert [x[1] for x in lines(data, "b2b")] == ["INV-10", "INV-11", "INV-12"]


# --- generation is set-based -------------------------------------------------------------------------


def _queries_to_generate(taxpayer) -> int:
    with CaptureQueriesContext(connection) as ctx:
        gstr2b_recompute(taxpayer=taxpayer, period=202510, by="u")
    return len(ctx.captured_queries)


def test_r5_4_generation_query_count_does_not_grow_with_records(set_clock, sup, recipient):
    big = taxpayer_create(gstin=TN, legal_name="Chennai Co", ims_start_period="092025")
    save(sup, MH, "102025", gstr1(b2b=[inv(f"S-{i}", "05-10-2025") for i in range(20)]))
    save(sup, MH, "102025", gstr1(b2b=[inv(f"B-{i}", "05-10-2025", pos="33") for i in range(300)], ctin=TN))
    set_clock("2025-11-05 10:00")
    file(sup, MH, "092025")
    file(sup, MH, "102025")
    set_clock("2025-11-14 10:00")
    file_3b(recipient, 202509)
    file_3b(big, 202509)
    small_n = _queries_to_generate(recipient)
    big_n = _queries_to_generate(big)
    assert small_n == big_n
    s_small = gstr2b_reply(Gstr2bVersion.objects.get(taxpayer=recipient))["data"]
    s_big = gstr2b_reply(Gstr2bVersion.objects.get(taxpayer=big))["data"]
    assert summ(s_small, "itcavl", "nonrevsup")["b2b"] == tot("20000.00", "3600.00")
    assert summ(s_big, "itcavl", "nonrevsup")["b2b"] == tot("300000.00", "54000.00")


def test_r5_4_numbers_sort_case_insensitively_by_code_point(set_clock, sup, recipient):
    save(sup, MH, "092025", gstr1(b2b=[inv(n, "05-09-2025") for n in ("inv-b", "Inv-C", "INV-A", "INV/A")]))
    set_clock("2025-10-05 10:00")
    file(sup, MH, "092025")
    set_clock("2025-10-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=recipient, period=202509, by="u"))["data"]
    # '-' (0x2D) before '/' (0x2F); case ignored: A, B, C.
    assert [x[1] for x in lines(data, "b2b")] == ["INV-A", "inv-b", "Inv-C", "INV/A"]


# --- issue 12: a version keeps its lines as generated ----------------------------------------------------


def _doc_parts(data: dict) -> dict:
    return {k: data[k] for k in ("itcsumm", "docdata", "docRejdata")}


def test_issue12_r5_5_a_version_keeps_its_lines_as_generated_after_actions_change(
    october, set_clock, rec, recipient
):
    """A version holds each line's action, remarks and declaration as they were when it was generated (its
    documents' fields come from the filed records, which do not change): acting afterwards and recomputing
    changes the new version only."""
    first = Gstr2bVersion.objects.get(taxpayer=recipient, period=202510)
    before = _doc_parts(gstr2b_reply(first)["data"])
    set_clock("2025-11-15 10:00")
    act(
        rec,
        KA,
        [
            {"id": rid(recipient, "CN-1"), "action": "R", "remarks": "not ours"},
            {"id": rid(recipient, "INV-R1"), "action": "A"},
            {"id": rid(recipient, "INV-A2"), "action": "R", "remarks": "duplicate"},
        ],
    )
    second = gstr2b_recompute(taxpayer=recipient, period=202510, by="t")

    assert _doc_parts(gstr2b_reply(first)["data"]) == before
    after = _doc_parts(gstr2b_reply(second)["data"])
    assert [n for _, n, *_ in lines(after, "cdnr", rejected=True)] == ["CN-1", "CN-R"]
    assert [n for _, n, *_ in lines(after, "b2b", rejected=True)] == ["INV-A2"]
    assert [n for _, n, *_ in lines(before, "b2b", rejected=True)] == ["INV-R1"]
    assert line(after, "b2b", "INV-A2", rejected=True)["remarks"] == "duplicate"
    # Part B lost CN-1 (declared 400 / 50): CN-2 150 / 0 and CN-3 50 / 9 remain, with cdnrrev.
    assert summ(after, "itcavl", "othersup")["cdnr"] == tot("200.00", "9.00")
    assert summ(before, "itcavl", "othersup")["cdnr"] == tot("600.00", "59.00")


@pytest.mark.django_db(transaction=True)
def test_issue12_2b_lines_move_into_slices_and_notes_and_back_with_nothing_lost(october, recipient):
    """Migration returns 0010: the lines of stored versions become slices and notes, read back through the
    view exactly as they were stored (actions, remarks, declarations); going back copies them into a table."""
    from django.db.migrations.executor import MigrationExecutor

    from returns.models import Gstr2bLine

    def read(model) -> list[dict]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        return list(model.objects.filter(taxpayer_id=recipient.id).order_by("record_id").values(*fields))

    stored = read(Gstr2bLine)
    assert len(stored) == 16 and {x["remarks"] for x in stored} >= {"wrong rate", "no such note"}
    assert any(x["decl_igst"] == Decimal("50.00") for x in stored)
    table, view = [("returns", "0009_webhooks")], [("returns", "0010_gstr2b_slices")]
    executor = MigrationExecutor(connection)
    executor.migrate(table)
    assert read(executor.loader.project_state(table).apps.get_model("returns", "Gstr2bLine")) == stored
    executor = MigrationExecutor(connection)
    executor.migrate(view)
    assert read(executor.loader.project_state(view).apps.get_model("returns", "Gstr2bLine")) == stored
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
