"""Filing GSTR-1, IFF and GSTR-1A through the API (R-2.3, R-3.1, R-3.10, R-3.12), GSTR-1A's life after
GSTR-1, quarterly suppliers' IFF, and the GSTR-1 summary endpoint."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from ims.models import ImsRecord
from invoices.models import Document, ReturnFiling
from returns.models import Gstr3bFiling
from taxpayers.services import taxpayer_create
from tests.conftest import GJ, KA, MH, client_for, gstr1, inv, member, note

BASE = f"/api/v1/gstr1/{MH}"
QBASE = f"/api/v1/gstr1/{GJ}"


def save(c, period: str, body: dict, base: str = BASE):
    return c.post(f"{base}/{period}/documents", body, format="json")


def file(c, period: str, form: str = "GSTR1", base: str = BASE):
    return c.post(f"{base}/{period}/file", {"form": form}, format="json")


def refused(r, code: str, status: int = 409) -> None:
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code


@pytest.fixture
def owner(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    return client_for(member(supplier, "owner"))


@pytest.fixture
def quarterly(db):
    """A QRMP supplier in Gujarat from July 2025 (R-1.3, R-1.4)."""
    return taxpayer_create(
        gstin=GJ, legal_name="Gujarat Goods", filing_frequency="Q", ims_start_period="072025"
    )


@pytest.fixture
def qowner(set_clock, quarterly, recipient):
    set_clock("2025-08-05 10:00")
    return client_for(member(quarterly, "owner"))


# --- monthly GSTR-1 --------------------------------------------------------------------------------------


def test_r3_10_filing_files_every_document_at_one_instant(owner, recipient):
    body = gstr1(
        b2b=[inv("INV-1", "05-09-2025"), inv("INV-2", "06-09-2025")], cdnr=[note("CN-1", "07-09-2025")]
    )
    assert save(owner, "092025", body).status_code == 201
    r = file(owner, "092025")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["form"], out["documents"]) == ("GSTR1", 3)
    filed_at = datetime.fromisoformat(out["filed_at"])
    # The sandbox clock runs on from 10:00 IST.
    assert (
        timedelta(0) <= filed_at - datetime.fromisoformat("2025-11-05T10:00:00+05:30") < timedelta(minutes=1)
    )
    assert set(Document.objects.values_list("filed_at", flat=True)) == {filed_at}
    assert set(ImsRecord.objects.values_list("filed_at", flat=True)) == {filed_at}
    f = ReturnFiling.objects.get()
    assert (f.form, f.period, f.filed_at, f.documents, f.quarterly) == ("GSTR1", 202509, filed_at, 3, False)
    rc = client_for(member(recipient, "viewer"))
    assert {x["srcfilstatus"] for x in rc.get(f"/api/v1/ims/{KA}/inward").json()["records"]} == {"Filed"}


def test_r3_10_an_empty_return_may_be_filed(owner):
    r = file(owner, "092025")
    assert r.status_code == 200, r.content
    assert r.json()["documents"] == 0
    assert ReturnFiling.objects.filter(form="GSTR1", period=202509, documents=0).exists()


def test_r2_3_a_return_is_filed_only_after_its_period_ended(owner, set_clock):
    refused(file(owner, "112025"), "PERIOD_NOT_ENDED")
    set_clock("2025-09-30 23:59")
    refused(file(owner, "092025"), "PERIOD_NOT_ENDED")
    set_clock("2025-10-01 00:00")
    assert file(owner, "092025").status_code == 200


def test_r3_10_filing_twice_is_already_filed(owner):
    assert file(owner, "092025").status_code == 200
    refused(file(owner, "092025"), "ALREADY_FILED")
    assert ReturnFiling.objects.count() == 1


def test_r3_10_gstr1_needs_the_previous_period_filed_but_the_start_period_has_no_predecessor(owner):
    refused(file(owner, "102025"), "PREVIOUS_NOT_FILED")
    # 092025 is the start period: 082025 (never filed) does not block it.
    assert file(owner, "092025").status_code == 200
    assert file(owner, "102025").status_code == 200


def test_r1_4_filing_before_the_start_period_is_refused(owner):
    refused(file(owner, "082025"), "BEFORE_START_PERIOD")


def test_r3_10_unknown_form_is_a_validation_error(owner):
    r = file(owner, "092025", form="GSTR9")
    assert r.status_code == 400
    assert r.json()["error"]["details"][0]["path"] == "form"


def test_r3_8_filed_documents_are_immutable(owner):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    assert file(owner, "092025").status_code == 200
    r = save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025", txval="10.00")]))
    assert r.status_code == 400
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [
        ("b2b[0].inv[0].inum", "ALREADY_FILED")
    ]
    assert Document.objects.get().txval == Decimal("1000.00")


# --- GSTR-1A ---------------------------------------------------------------------------------------------


def test_r3_1_after_gstr1_documents_go_to_gstr1a_until_it_is_filed(owner):
    assert save(owner, "092025", gstr1(b2b=[inv("INV-1", "05-09-2025")])).status_code == 201
    assert file(owner, "092025").status_code == 200
    r = save(owner, "092025", gstr1(b2b=[inv("INV-2", "06-09-2025")]))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1A", "created": 1, "updated": 0, "unchanged": 0}
    assert ImsRecord.objects.get(number="INV-2").srcform == "R1A"
    r = file(owner, "092025", "GSTR1A")
    assert r.status_code == 200, r.content
    assert r.json()["documents"] == 1
    assert Document.objects.get(number="INV-2").filed_at is not None
    refused(file(owner, "092025", "GSTR1A"), "ALREADY_FILED")
    # Both filed: the period is closed for documents.
    refused(save(owner, "092025", gstr1(b2b=[inv("INV-3", "07-09-2025")])), "RETURN_FILED")


def test_r3_10_gstr1a_before_gstr1_and_iff_for_a_monthly_taxpayer_are_the_wrong_form(owner):
    refused(file(owner, "092025", "GSTR1A"), "WRONG_FORM")
    refused(file(owner, "092025", "IFF"), "WRONG_FORM")
    assert not ReturnFiling.objects.exists()


def test_r3_1_gstr3b_closes_gstr1a(owner, supplier):
    assert file(owner, "092025").status_code == 200
    assert save(owner, "092025", gstr1(b2b=[inv("INV-2", "06-09-2025")])).status_code == 201
    Gstr3bFiling.objects.create(
        taxpayer=supplier, period=202509, filed_at=datetime.fromisoformat("2025-10-20T10:00:00+05:30")
    )
    refused(save(owner, "092025", gstr1(b2b=[inv("INV-3", "07-09-2025")])), "RETURN_FILED")
    refused(file(owner, "092025", "GSTR1A"), "RETURN_FILED")
    forms = {f["form"]: f["status"] for f in owner.get(f"{BASE}/092025").json()["forms"]}
    assert forms == {"GSTR1": "filed", "GSTR1A": "closed"}


# --- GET /gstr1/{gstin}/{period} -------------------------------------------------------------------------


def test_r3_gstr1_summary_lists_forms_with_status_and_totals(owner):
    body = gstr1(b2b=[inv("INV-1", "05-09-2025"), inv("INV-2", "06-09-2025", txval="500.50")])
    assert save(owner, "092025", body).status_code == 201
    r = owner.get(f"{BASE}/092025")
    assert r.status_code == 200
    out = r.json()
    assert out["period"] == "092025"
    assert [(f["form"], f["status"], f["filed_at"], f["documents"]) for f in out["forms"]] == [
        ("GSTR1", "open", None, 2),
        ("GSTR1A", "open", None, 0),
    ]
    assert {k: Decimal(str(v)) for k, v in out["totals"].items()} == {
        "txval": Decimal("1500.50"),
        "iamt": Decimal("270.09"),
        "camt": 0,
        "samt": 0,
        "csamt": 0,
    }
    filed_at = file(owner, "092025").json()["filed_at"]
    forms = owner.get(f"{BASE}/092025").json()["forms"]
    assert (forms[0]["status"], forms[0]["filed_at"]) == ("filed", filed_at)


def test_r3_gstr1_summary_totals_subtract_credit_notes(owner):
    body = gstr1(b2b=[inv("INV-1", "05-09-2025")], cdnr=[note("CN-1", "06-09-2025", txval="200.00")])
    assert save(owner, "092025", body).status_code == 201
    totals = owner.get(f"{BASE}/092025").json()["totals"]
    assert {k: Decimal(str(v)) for k, v in totals.items()} == {
        "txval": Decimal("800.00"),  # 1,000 invoice - 200 credit note
        "iamt": Decimal("144.00"),  # 180 - 36
        "camt": 0,
        "samt": 0,
        "csamt": 0,
    }


# --- quarterly suppliers: IFF (R-2.1, R-3.1, R-3.10, R-3.12) -------------------------------------------


def qinv(inum: str, idt: str, **kw) -> dict:
    return inv(inum, idt, pos="29", **kw)  # Gujarat to Karnataka: IGST


def test_r3_1_quarterly_month_1_goes_to_iff_and_filing_it_blocks_later_saves(qowner):
    r = save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE)
    assert r.status_code == 201, r.content
    assert r.json()["form"] == "IFF"
    assert Document.objects.get().period == 202507
    r = file(qowner, "072025", "IFF", QBASE)
    assert r.status_code == 200, r.content
    assert r.json()["documents"] == 1
    refused(save(qowner, "072025", gstr1(b2b=[qinv("Q-2", "06-07-2025")]), QBASE), "IFF_FILED")


def test_r3_10_iff_for_the_start_quarter_has_no_predecessor_but_later_iffs_need_the_quarter_gstr1(
    qowner, set_clock
):
    assert file(qowner, "072025", "IFF", QBASE).status_code == 200
    set_clock("2025-11-05 10:00")
    refused(file(qowner, "102025", "IFF", QBASE), "PREVIOUS_NOT_FILED")
    # A skipped IFF (August) blocks nothing: the quarterly GSTR-1 is filed for 092025.
    assert file(qowner, "092025", "GSTR1", QBASE).status_code == 200
    assert file(qowner, "102025", "IFF", QBASE).status_code == 200


def test_r2_1_iff_closes_after_the_13th_and_its_documents_move_to_the_quarterly_gstr1(qowner, set_clock):
    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE).json()["form"] == "IFF"
    set_clock("2025-08-13 23:59")
    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-2", "06-07-2025")]), QBASE).json()["form"] == "IFF"
    set_clock("2025-08-14 00:00")
    refused(file(qowner, "072025", "IFF", QBASE), "IFF_CLOSED")
    r = save(qowner, "072025", gstr1(b2b=[qinv("Q-3", "07-07-2025")]), QBASE)
    assert r.status_code == 201, r.content
    assert r.json()["form"] == "GSTR1"
    assert set(Document.objects.values_list("number", "form", "period")) == {
        ("Q-1", "GSTR1", 202509),
        ("Q-2", "GSTR1", 202509),
        ("Q-3", "GSTR1", 202509),
    }
    assert set(ImsRecord.objects.values_list("rtnprd", "srcform")) == {(202509, "R1")}
    assert not ReturnFiling.objects.exists()


def _recipient_view(c) -> set:
    return {(r["rtnprd"], r["srcform"]) for r in c.get(f"/api/v1/ims/{KA}/inward").json()["records"]}


def test_r2_1_month_in_the_life_iff_closes_at_midnight_on_the_14th_with_nobody_acting(
    qowner, recipient, set_clock
):
    """A quarterly supplier saves July in its IFF and does nothing more; nobody acts and no job runs.
    The recipient's record follows the documents into the quarterly GSTR-1 from 00:00 IST on the 14th."""
    reader = client_for(member(recipient, "viewer", "rec-reader"))
    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE).json()["form"] == "IFF"
    set_clock("2025-08-13 23:59")
    assert _recipient_view(reader) == {("072025", "IFF")}
    set_clock("2025-08-14 00:00")
    assert _recipient_view(reader) == {("092025", "R1")}
    assert set(ImsRecord.objects.values_list("rtnprd", "srcform")) == {(202509, "R1")}
    # The supplier's own reads agree: July has no IFF documents left, September's GSTR-1 holds them.
    july = qowner.get(f"{QBASE}/072025").json()
    assert [f["documents"] for f in july["forms"] if f["form"] == "IFF"] == [0]
    docs = qowner.get(f"{QBASE}/092025/documents").json()
    assert [d["inum"] for d in docs["b2b"][0]["inv"]] == ["Q-1"]


def test_r2_1_a_refused_filing_does_not_undo_the_closing(qowner, set_clock):
    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE).status_code == 201
    set_clock("2025-08-20 10:00")
    refused(file(qowner, "072025", "IFF", QBASE), "IFF_CLOSED")
    assert set(Document.objects.values_list("form", "period")) == {("GSTR1", 202509)}
    assert set(ImsRecord.objects.values_list("rtnprd", "srcform")) == {(202509, "R1")}


def test_r2_1_the_scheduled_closing_moves_documents_without_any_request(qowner, set_clock):
    from ims_portal.celery import app
    from invoices.tasks import iff_close_scheduled

    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE).status_code == 201
    set_clock("2025-08-13 23:59")
    assert iff_close_scheduled() == 0
    assert set(Document.objects.values_list("form", "period")) == {("IFF", 202507)}
    set_clock("2025-08-14 00:00")
    assert iff_close_scheduled() == 1
    assert set(ImsRecord.objects.values_list("rtnprd", "srcform")) == {(202509, "R1")}
    assert iff_close_scheduled() == 0  # idempotent
    entry = app.conf.beat_schedule["iff-close-14th"]
    assert entry["task"] == "invoices.tasks.iff_close_scheduled"
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_month) == (
        {0},
        {0},
        {14},
    )


def test_r3_1_quarterly_gstr1_is_filed_for_the_quarters_last_month(qowner, set_clock):
    assert save(qowner, "072025", gstr1(b2b=[qinv("Q-1", "05-07-2025")]), QBASE).status_code == 201
    set_clock("2025-09-20 10:00")
    r = save(qowner, "082025", gstr1(b2b=[qinv("Q-2", "05-08-2025")]), QBASE)
    assert (r.status_code, r.json()["form"]) == (201, "GSTR1")
    assert save(qowner, "092025", gstr1(b2b=[qinv("Q-3", "05-09-2025")]), QBASE).json()["form"] == "GSTR1"
    refused(file(qowner, "092025", "GSTR1", QBASE), "PERIOD_NOT_ENDED")
    set_clock("2025-10-05 10:00")
    refused(file(qowner, "082025", "GSTR1", QBASE), "WRONG_FORM")
    refused(file(qowner, "092025", "IFF", QBASE), "WRONG_FORM")
    refused(file(qowner, "082025", "GSTR1A", QBASE), "WRONG_FORM")
    r = file(qowner, "092025", "GSTR1", QBASE)
    assert r.status_code == 200, r.content
    assert r.json()["documents"] == 3
    assert ReturnFiling.objects.get().quarterly is True
    assert not Document.objects.filter(filed_at__isnull=True).exists()
    # After the quarterly GSTR-1, month 1 of the quarter is saved in the quarter's GSTR-1A.
    r = save(qowner, "072025", gstr1(b2b=[qinv("Q-4", "06-07-2025")]), QBASE)
    assert (r.status_code, r.json()["form"]) == (201, "GSTR1A")
    assert Document.objects.get(number="Q-4").period == 202509


def test_r3_12_iff_limit_counts_invoices_minus_credit_notes(qowner):
    body = gstr1(
        b2b=[qinv("Q-1", "05-07-2025", txval="3000000.00"), qinv("Q-2", "06-07-2025", txval="2000000.01")]
    )
    assert save(qowner, "072025", body, QBASE).status_code == 201
    refused(file(qowner, "072025", "IFF", QBASE), "IFF_LIMIT_EXCEEDED")
    assert not ReturnFiling.objects.exists()
    assert (
        save(qowner, "072025", gstr1(cdnr=[note("C-1", "07-07-2025", txval="0.01")]), QBASE).status_code
        == 201
    )
    # 30,00,000.00 + 20,00,000.01 − 0.01 = 50,00,000.00: at the limit, not above it.
    r = file(qowner, "072025", "IFF", QBASE)
    assert r.status_code == 200, r.content
    assert r.json()["documents"] == 3


# --- tenancy (R-8) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("preparer", 403), ("viewer", 403), (None, 404)]
)
def test_r8_1_filing_is_for_owners_only(set_clock, supplier, outsider, role, status):
    set_clock("2025-11-05 10:00")
    c = client_for(member(supplier, role) if role else outsider)
    r = file(c, "092025")
    assert r.status_code == status, r.content
    assert ReturnFiling.objects.exists() == (status == 200)


def test_r8_1_staff_may_file(set_clock, supplier, staff):
    set_clock("2025-11-05 10:00")
    assert file(client_for(staff), "092025").status_code == 200


def test_r4_4_records_moved_by_a_closing_iff_get_the_quarters_period_and_deadline(qowner, set_clock):
    set_clock("2025-10-20 10:00")
    r = save(qowner, "102025", gstr1(cdnr=[note("QCN-1", "05-10-2025", pos="29")]), QBASE)
    assert r.json()["form"] == "IFF"
    rec = ImsRecord.objects.get()
    # Provisional 2B period = the IFF month; deadline = GSTR-3B due date of November 2025.
    assert (rec.itc_period, rec.pending_deadline) == (202510, date(2025, 12, 20))
    set_clock("2025-11-14 00:00")  # the October IFF has closed
    save(qowner, "112025", gstr1(b2b=[qinv("Q-9", "05-11-2025")]), QBASE)
    rec.refresh_from_db()
    # Now in the quarterly GSTR-1 (122025): the deadline is GSTR-3B due date of January 2026.
    assert (rec.rtnprd, rec.srcform, rec.itc_period) == (202512, "R1", 202512)
    assert rec.pending_deadline == date(2026, 2, 20)
