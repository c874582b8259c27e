"""Issue 16, item 3 and 5: what a reconciliation proposes under the period rules (R-4.4 pending, R-4.6
declarations), applying proposals through the action service (audit channel ``reconciliation``, R-4.9),
refusals, idempotent re-apply, maker-checker, the rules a user changes, and the supplier follow-up.

Scenario (worked by hand): Acme (27AAPFU0939F1ZV) reports for Bharat (29AAGCB7383J1Z4), inter-state at 18 %:
Sep 2025 — CN-S (credit note, ₹1,000.00 + ₹180.00); Nov 2025 — INV-1 (₹1,000.00 + ₹180.00), INV-2 (₹2,000.00
+ ₹360.00), INV-3 (₹1,000.00 + ₹180.00), CN-1 (credit note, ₹500.00 + ₹90.00). Business time 05-12-2025
10:00."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from core.errors import ValidationFailed
from ims.models import ImsAudit, ImsRecord
from jobs.models import Job
from recon.models import Match, Settings
from recon.services.apply import apply_start
from recon.services.match import register_match
from recon.services.review import edit
from tests.conftest import KA, MH, act, gstr1, inv, member, note, record, save
from tests.recon.test_match import books

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(supplier, recipient, set_clock):
    set_clock("2025-10-05 10:00")
    save(supplier, "092025", gstr1(cdnr=[note("CN-S", "10-09-2025")]))
    set_clock("2025-12-05 10:00")
    save(
        supplier,
        "112025",
        gstr1(
            b2b=[
                inv("INV-1", "03-11-2025"),
                inv("INV-2", "03-11-2025", txval="2000.00"),
                inv("INV-3", "03-11-2025"),
            ],
            cdnr=[note("CN-1", "04-11-2025", txval="500.00")],
        ),
    )


def nov_books(recipient):
    """INV-1 as reported; INV-2 booked at ₹2,100.00 + ₹378.00; CN-1 booked with ₹80.00 IGST of its ₹90.00;
    INV-3 and CN-1's September sibling are not in the books; BILL-9 is not in IMS."""
    return books(
        recipient,
        {"number": "INV-1"},
        {"number": "INV-2", "txval": "2100.00"},
        {
            "number": "CN-1",
            "doc_type": "CN",
            "txval": "500.00",
            "iamt": "80.00",
            "doc_date": date(2025, 11, 4),
        },
        {"number": "BILL-9"},
    )


def proposals(reg) -> dict[str, tuple]:
    """number -> (action, remarks, decl) as the API's rows show them."""
    from recon.api import row_out
    from recon.selectors import rows
    from recon.services.apply import propose
    from recon.services.match import settings_for
    from taxpayers.models import Taxpayer
    from taxpayers.selectors import Calendar

    t = Taxpayer.objects.get(id=reg.taxpayer_id)
    out = {}
    for m in rows(reg):
        p = propose(m, register=reg, st=settings_for(t.id), cal=Calendar(t), today=date(2025, 12, 5))
        number = (m.record or m.line).number
        out[number] = (m.category, p.action, p.remarks, p.decl)
        assert row_out(m, p)["proposal"]["action"] == (p.action or None)
    return out


def test_issue16_r4_4_r4_6_proposals_follow_the_rules_and_the_period_law(world, recipient):
    reg, counts = nov_books(recipient)
    assert counts == {"matched": 1, "mismatch": 2, "books_only": 1, "ims_only": 1}
    p = proposals(reg)
    assert p["INV-1"] == ("matched", "A", None, None)
    assert p["INV-2"][:2] == ("mismatch", "P")
    assert p["INV-2"][2] == (
        "Books differ: taxable value ₹2,100.00 in books, ₹2,000.00 here (₹100.00 less); "
        "IGST ₹378.00 in books, ₹360.00 here (₹18.00 less)."
    )
    # CN-1 (Nov 2025) is accepted with the reduction the books show: ₹80.00 of IGST, not ₹90.00.
    assert p["CN-1"] == (
        "mismatch",
        "A",
        None,
        {"itcRedReq": "Y", "declIgst": "80.00", "declCgst": "0.00", "declSgst": "0.00", "declCess": "0.00"},
    )
    assert p["INV-3"] == ("ims_only", "P", "Not in our purchase register for Nov 2025.", None)
    assert p["BILL-9"][:2] == ("books_only", "")


def test_issue16_r4_4_a_credit_note_before_october_2025_missing_in_books_is_rejected_not_pending(
    world, recipient
):
    reg, counts = books(recipient, {"number": "ZZ-1"}, period=202509)
    p = proposals(reg)
    # Pending is refused on an ITC-reducing record of Sep 2025 (PENDING_NOT_ALLOWED): Reject, same remark.
    assert p["CN-S"] == ("ims_only", "R", "Not in our purchase register for Sep 2025.", None)


def test_issue16_r4_9_applying_goes_through_the_action_service_with_the_reconciliation_channel(
    world, recipient
):
    owner = member(recipient, "owner", "olga")
    reg, _ = nov_books(recipient)
    job = apply_start(register=reg, categories=[], user=owner, role="owner", by="olga")
    assert job.status == "succeeded", job.error
    assert job.result["processed"] == 4 and job.result["errors"] == []
    assert record(recipient, "INV-1").action == "A"
    inv2 = record(recipient, "INV-2")
    assert (inv2.action, inv2.remarks.startswith("Books differ: taxable value ₹2,100.00")) == ("P", True)
    cn1 = record(recipient, "CN-1")
    assert (cn1.action, cn1.itc_red_req, cn1.decl_igst) == ("A", "Y", Decimal("80.00"))
    assert record(recipient, "INV-3").action == "P"
    audits = ImsAudit.objects.filter(recipient=recipient, channel="reconciliation")
    assert audits.count() == 4 and set(audits.values_list("by", flat=True)) == {"olga"}
    # Applying again changes nothing and writes no audit row (idempotent).
    again = apply_start(register=reg, categories=[], user=owner, role="owner", by="olga")
    assert again.result["processed"] == 0 and again.result["errors"] == []
    assert ImsAudit.objects.filter(recipient=recipient, channel="reconciliation").count() == 4


def test_issue16_r4_10_a_record_the_supplier_changed_since_matching_is_refused_stale_and_named(
    world, supplier, recipient
):
    owner = member(recipient, "owner")
    reg, _ = nov_books(recipient)
    save(supplier, "112025", gstr1(b2b=[inv("INV-1", "03-11-2025", txval="1100.00")]))  # an edit: new digest
    job = apply_start(register=reg, categories=["matched"], user=owner, role="owner", by="o")
    (err,) = job.result["errors"]
    assert (err["id"], err["code"]) == (record(recipient, "INV-1").id, "STALE")
    assert record(recipient, "INV-1").action == "N"
    page = Client()
    page.force_login(owner)
    assert "Invoice INV-1 of Acme" in page.get(f"/g/{KA}/reconciliation/jobs/{job.id}").content.decode()


def test_issue16_edited_proposals_are_applied_and_survive_matching_again(world, recipient):
    owner = member(recipient, "owner")
    reg, _ = nov_books(recipient)
    m = Match.objects.get(register=reg, record__number="INV-3")
    edit(reg, match_id=m.id, action="R", remarks="Never ordered")
    edit(reg, match_id=Match.objects.get(register=reg, record__number="INV-1").id, action="-", remarks=None)
    register_match(reg)
    assert Match.objects.get(register=reg, record__number="INV-3").action == "R"
    apply_start(register=reg, categories=[], user=owner, role="owner", by="o")
    inv3 = record(recipient, "INV-3")
    assert (inv3.action, inv3.remarks) == ("R", "Never ordered")
    assert record(recipient, "INV-1").action == "N"  # "leave it as it is"


def test_issue16_the_rules_a_user_changes_decide_the_proposals(world, recipient):
    Settings.objects.create(taxpayer=recipient, on_ims_only="R", on_matched="")
    reg, _ = nov_books(recipient)
    p = proposals(reg)
    assert p["INV-3"][:2] == ("ims_only", "R") and p["INV-1"][:2] == ("matched", "")


def test_issue16_maker_checker_turns_a_preparers_applied_rejects_into_proposals(world, recipient):
    type(recipient).objects.filter(id=recipient.id).update(maker_checker="reject")
    recipient.refresh_from_db()
    Settings.objects.create(taxpayer=recipient, on_ims_only="R")
    prep = member(recipient, "preparer", "pete")
    reg, _ = nov_books(recipient)
    job = apply_start(register=reg, categories=["ims_only"], user=prep, role="preparer", by="pete")
    assert job.result["proposed"] == 1 and record(recipient, "INV-3").action == "N"


def test_issue16_an_action_already_taken_is_not_proposed_again(world, recipient):
    act(recipient, {"id": record(recipient, "INV-1").id, "action": "A"})
    reg, _ = nov_books(recipient)
    assert proposals(reg)["INV-1"][:2] == ("matched", "")


def test_issue16_api_rows_show_both_sides_each_compared_field_and_the_proposal(world, recipient):
    from tests.conftest import client_for

    owner = member(recipient, "owner")
    nov_books(recipient)
    c = client_for(owner)
    page = c.get(f"/api/v1/recon/{KA}/112025/rows?category=mismatch").json()
    inv2 = next(r for r in page["records"] if r["ims"]["num"] == "INV-2")
    assert inv2["books"]["txval"] == 2100.0 and inv2["ims"]["txval"] == 1000.0 * 2
    assert inv2["differs"] == ["txval", "iamt"]
    by_field = {f["field"]: f for f in inv2["fields"]}
    assert by_field["txval"] == {"field": "txval", "agrees": False, "by": -100.0}
    assert by_field["date"] == {"field": "date", "agrees": True, "by_days": 0}
    assert inv2["proposal"]["action"] == "P"
    r = c.patch(f"/api/v1/recon/{KA}/112025/rows/{inv2['id']}", {"action": "X"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["details"][0]["path"] == "action"
    r = c.patch(f"/api/v1/recon/{KA}/112025/rows/{inv2['id']}", {"action": "A"}, format="json")
    assert r.status_code == 200 and r.json()["proposal"]["action"] == "A" and r.json()["edited"] is True
    r = c.post(f"/api/v1/recon/{KA}/112025/apply", {"categories": ["mismatch"]}, format="json")
    assert r.status_code == 202 and r.json()["result"]["processed"] == 2
    assert record(recipient, "INV-2").action == "A"


def test_issue16_follow_up_letters_per_supplier_download_and_email(world, recipient, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = member(recipient, "owner")
    nov_books(recipient)
    c = Client()
    c.force_login(owner)
    page = c.get(f"/g/{KA}/reconciliation/follow-up?period=112025").content.decode()
    assert f'id="followup-{MH}"' in page
    letter = c.get(f"/g/{KA}/reconciliation/follow-up?period=112025&stin={MH}&download=1")
    assert letter["Content-Disposition"] == f'attachment; filename="follow-up-{MH}-112025.txt"'
    body = letter.content.decode()
    assert "Invoice INV-2 of 03-11-2025 (taxable value ₹2,000.00): differs from our books." in body
    assert "Books differ: taxable value ₹2,100.00 in books, ₹2,000.00 here (₹100.00 less)" in body
    assert (
        "Invoice BILL-9 of 03-11-2025 (taxable value ₹1,000.00): "
        "is in our books but you have not reported it." in body
    )
    assert (
        "Invoice INV-3 of 03-11-2025 (taxable value ₹1,000.00): you reported it but it is not in our books."
        in body
    )
    assert "INV-1 " not in body  # matched: nothing to take up
    r = c.post(
        f"/g/{KA}/reconciliation/follow-up", {"period": "112025", "stin": MH, "to": "accounts@acme.example"}
    )
    assert r.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["accounts@acme.example"] and message.body == body
    c.post(f"/g/{KA}/reconciliation/follow-up", {"period": "112025", "stin": MH, "to": "not an address"})
    assert len(mail.outbox) == 1


def test_issue16_the_excel_export_holds_every_row_with_its_proposal(world, recipient):
    from io import BytesIO

    from openpyxl import load_workbook

    owner = member(recipient, "owner")
    nov_books(recipient)
    c = Client()
    c.force_login(owner)
    r = c.get(f"/g/{KA}/reconciliation/export.xlsx?period=112025")
    assert r["Content-Disposition"].endswith('filename="reconciliation-29AAGCB7383J1Z4-112025-v1.xlsx"')
    wb = load_workbook(BytesIO(b"".join(r.streaming_content)))
    ws = wb["Reconciliation"]
    header = [c.value for c in ws[1]]
    got = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        rec = dict(zip(header, row, strict=True))
        got[rec["IMS: Number"] or rec["Books: Number"]] = (
            rec["Category"],
            rec["Proposed action"],
            rec["Differing fields"],
        )
    assert got == {
        "INV-1": ("Matched", "Accepted", None),
        "INV-2": ("Mismatch", "Pending", "taxable value, IGST"),
        "CN-1": ("Mismatch", "Accepted", "IGST"),
        "INV-3": ("Missing in books", "Pending", None),
        "BILL-9": ("Missing in IMS", None, None),
    }


def test_issue16_large_exports_are_jobs(world, recipient, settings):
    settings.RECON_EXPORT_SYNC_MAX = 2
    owner = member(recipient, "owner")
    nov_books(recipient)
    c = Client()
    c.force_login(owner)
    r = c.get(f"/g/{KA}/reconciliation/export.xlsx?period=112025")
    job = Job.objects.get(kind="recon_export")
    assert r.status_code == 302 and job.status == "succeeded" and job.result["rows"] == 5
    assert c.get(job.result["file"]).status_code == 200


def test_issue16_pairing_by_hand_confirming_and_unpairing_from_the_page(world, recipient):
    owner = member(recipient, "owner")
    reg, _ = nov_books(recipient)
    c = Client()
    c.force_login(owner)
    bill9 = Match.objects.get(register=reg, line__number="BILL-9")
    inv3 = ImsRecord.objects.get(recipient=recipient, number="INV-3")
    page = c.get(f"/g/{KA}/reconciliation?period=112025&category=books_only").content.decode()
    assert f'<option value="{inv3.id}">INV-3' in page  # offered for the line missing in IMS
    r = c.post(
        f"/g/{KA}/reconciliation/rows/{bill9.id}", {"op": "pair", "record": inv3.id, "period": "112025"}
    )
    assert r.status_code == 302
    pair = Match.objects.get(register=reg, line__number="BILL-9")
    assert (pair.record_id, pair.how, pair.category) == (inv3.id, "manual", "matched")
    c.post(f"/g/{KA}/reconciliation/rows/{pair.id}", {"op": "unpair", "period": "112025"})
    assert Match.objects.get(register=reg, line__number="BILL-9").category == "books_only"
    assert Match.objects.get(register=reg, record=inv3).category == "ims_only"


def test_issue16_r4_4_a_persons_pending_is_sent_as_chosen_and_refused_by_the_law(world, recipient):
    owner = member(recipient, "owner")
    reg, _ = books(recipient, {"number": "ZZ-1"}, period=202509)
    m = Match.objects.get(register=reg, record__number="CN-S")
    edit(reg, match_id=m.id, action="P", remarks="Checking")
    assert proposals(reg)["CN-S"][:3] == ("ims_only", "P", "Checking")  # not turned into Reject
    job = apply_start(register=reg, categories=["ims_only"], user=owner, role="owner", by="o")
    (err,) = job.result["errors"]
    assert err["code"] == "PENDING_NOT_ALLOWED" and record(recipient, "CN-S").action == "N"


def test_issue16_r4_5_an_edited_proposals_remarks_follow_the_action_services_rule(world, recipient):
    reg, _ = nov_books(recipient)
    m = Match.objects.get(register=reg, record__number="INV-3")
    for remarks, code in (
        ("line\nbreak", "INVALID_REMARKS"),
        ("x" * 501, "INVALID_REMARKS"),
        (7, "INVALID_REMARKS"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            edit(reg, match_id=m.id, action="R", remarks=remarks)
        assert [(d["path"], d["code"]) for d in exc.value.details] == [("remarks", code)]
    edit(reg, match_id=m.id, action="A", remarks="dropped with Accept")
    assert Match.objects.get(id=m.id).remarks is None
