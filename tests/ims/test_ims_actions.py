"""The recipient's IMS actions through the service and the batch endpoint: R-4.2 to R-4.6, R-4.9, R-4.10."""

from datetime import datetime
from decimal import Decimal as D

import pytest

from core.periods import IST
from ims.models import ImsAudit, ImsRecord
from invoices.services import return_file
from returns.models import Gstr3bFiling
from taxpayers.services import taxpayer_create
from tests.conftest import DL, KA, TN, act, client_for, gstr1, inv, member, note, record, save

KA_SUPPLIER = "29AAPFU0939F1ZR"  # a second Karnataka GSTIN: intra-state CGST/SGST documents to KA


def code_of(out: dict) -> str:
    assert out["processed"] == 0, out
    assert len(out["errors"]) == 1, out
    return out["errors"][0]["code"]


@pytest.fixture
def owner_client(recipient):
    return client_for(member(recipient, "owner", username="rec-owner"))


def detail(client, rid: int, gstin: str = KA) -> dict:
    r = client.get(f"/api/v1/ims/{gstin}/inward/{rid}")
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def oct_docs(set_clock, supplier, recipient):
    """Saved on 20-10-2025 in period 102025: an invoice, a debit note and a credit note (IGST 180 each)."""
    set_clock("2025-10-20 10:00")
    save(
        supplier,
        "102025",
        gstr1(
            b2b=[inv("INV-1", "05-10-2025")],
            cdnr=[note("DN-1", "06-10-2025", ntty="D"), note("CN-1", "07-10-2025")],
        ),
    )
    return {n: record(recipient, n) for n in ("INV-1", "DN-1", "CN-1")}


@pytest.fixture
def sep_docs(set_clock, supplier, recipient):
    """Saved on 25-09-2025 in period 092025 (provisional 2B 092025, before the October 2025 switch)."""
    set_clock("2025-09-25 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("SINV-1", "05-09-2025")], cdnr=[note("SCN-1", "07-09-2025")]))
    return {n: record(recipient, n) for n in ("SINV-1", "SCN-1")}


# --- default and changes ---------------------------------------------------------------------


def test_r4_2_every_record_starts_at_n_and_last_action_wins(oct_docs, recipient, owner_client):
    inv1 = oct_docs["INV-1"]
    assert inv1.action == "N"
    for action in ("A", "R", "P", "N", "A", "P", "R"):
        assert act(recipient, {"id": inv1.id, "action": action}) == {"processed": 1, "errors": []}
    inv1.refresh_from_db()
    assert inv1.action == "R"
    assert [h["to"] for h in detail(owner_client, inv1.id)["history"]] == [
        "N",
        "A",
        "R",
        "P",
        "N",
        "A",
        "P",
        "R",
    ]


def test_r4_2_return_filed_once_3b_of_records_2b_period_is_filed(oct_docs, recipient, supplier, set_clock):
    inv1 = oct_docs["INV-1"]
    act(recipient, {"id": inv1.id, "action": "A"})
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="s", channel="api")
    return_file(supplier=supplier, period=202510, form="GSTR1", by="s", channel="api")
    assert act(recipient, {"id": inv1.id, "action": "R"})["processed"] == 1
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202511, filed_at=datetime(2025, 11, 6, tzinfo=IST))
    assert act(recipient, {"id": inv1.id, "action": "A"})["processed"] == 1  # another period's 3B
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202510, filed_at=datetime(2025, 11, 6, tzinfo=IST))
    for action in ("A", "R", "P", "N"):
        assert code_of(act(recipient, {"id": inv1.id, "action": action})) == "RETURN_FILED"
    inv1.refresh_from_db()
    assert inv1.action == "A"


# --- ITC-reducing records ------------------------------------------------------------------


def test_r4_3_original_credit_note_is_itc_reducing_invoice_and_debit_note_are_not(oct_docs, owner_client):
    flags = {n: detail(owner_client, r.id)["itc_reducing"] for n, r in oct_docs.items()}
    assert flags == {"INV-1": False, "DN-1": False, "CN-1": True}


# --- pending on ITC-reducing records -------------------------------------------------------------


def test_r4_4_credit_note_of_092025_cannot_be_pending(sep_docs, recipient, owner_client):
    cn = sep_docs["SCN-1"]
    assert code_of(act(recipient, {"id": cn.id, "action": "P"})) == "PENDING_NOT_ALLOWED"
    d = detail(owner_client, cn.id)
    assert (d["ispendactblocked"], d["pending_deadline"], d["itc_period"]) == ("Y", None, "092025")
    # Invoices of the same period may be pending.
    inv1 = sep_docs["SINV-1"]
    assert act(recipient, {"id": inv1.id, "action": "P"})["processed"] == 1
    d = detail(owner_client, inv1.id)
    assert (d["ispendactblocked"], d["pending_deadline"]) == ("N", None)


def test_r4_4_credit_note_of_102025_pending_until_20_12_2025(oct_docs, recipient, owner_client, set_clock):
    cn = oct_docs["CN-1"]
    d = detail(owner_client, cn.id)
    assert (d["ispendactblocked"], d["pending_deadline"]) == ("N", "20-12-2025")
    assert act(recipient, {"id": cn.id, "action": "P"})["processed"] == 1
    set_clock("2025-12-20 23:59")
    assert act(recipient, {"id": cn.id, "action": "N"})["processed"] == 1
    assert act(recipient, {"id": cn.id, "action": "P"})["processed"] == 1
    assert act(recipient, {"id": cn.id, "action": "N"})["processed"] == 1
    set_clock("2025-12-21 00:00")
    assert code_of(act(recipient, {"id": cn.id, "action": "P"})) == "PENDING_EXPIRED"
    d = detail(owner_client, cn.id)
    assert (d["ispendactblocked"], d["pending_deadline"], d["action"]) == ("Y", "20-12-2025", "N")
    # Other actions stay allowed.
    assert act(recipient, {"id": cn.id, "action": "A"})["processed"] == 1


def test_r4_4_invoices_and_debit_notes_may_stay_pending_without_limit(
    oct_docs, recipient, owner_client, set_clock
):
    set_clock("2026-06-01 10:00")
    for n in ("INV-1", "DN-1"):
        rid = oct_docs[n].id
        assert act(recipient, {"id": rid, "action": "P"})["processed"] == 1
        d = detail(owner_client, rid)
        assert (d["pending_deadline"], d["ispendactblocked"], d["action"]) == (None, "N", "P")


@pytest.mark.parametrize(
    "gstin, pos, deadline, last_ok, first_refused",
    [
        (TN, "33", "22-04-2026", "2026-04-22 23:59", "2026-04-23 00:00"),  # state 33: the 22nd
        (DL, "07", "24-04-2026", "2026-04-24 23:59", "2026-04-25 00:00"),  # state 07: the 24th
    ],
)
def test_r4_4_quarterly_recipient_deadline_is_3b_due_date_of_next_quarter(
    set_clock, supplier, gstin, pos, deadline, last_ok, first_refused
):
    set_clock("2025-10-20 10:00")
    rcp = taxpayer_create(
        gstin=gstin, legal_name="Quarterly Buyer", filing_frequency="Q", ims_start_period="102025"
    )
    save(supplier, "102025", gstr1(ctin=gstin, cdnr=[note("QCN-1", "07-10-2025", pos=pos)]))
    cn = record(rcp, "QCN-1")
    client = client_for(member(rcp, "viewer"))
    d = detail(client, cn.id, gstin)
    assert (d["itc_period"], d["pending_deadline"]) == ("122025", deadline)
    set_clock(last_ok)
    assert act(rcp, {"id": cn.id, "action": "P"})["processed"] == 1
    assert act(rcp, {"id": cn.id, "action": "N"})["processed"] == 1
    set_clock(first_refused)
    assert code_of(act(rcp, {"id": cn.id, "action": "P"})) == "PENDING_EXPIRED"


# --- remarks -------------------------------------------------------------------------------


def test_r4_5_remarks_only_with_reject_or_pending(oct_docs, recipient):
    rid = oct_docs["INV-1"].id
    for action in ("A", "N"):
        assert code_of(act(recipient, {"id": rid, "action": action, "remarks": "x"})) == "REMARKS_NOT_ALLOWED"
        # Empty remarks mean none.
        assert act(recipient, {"id": rid, "action": action, "remarks": ""})["processed"] == 1
    assert act(recipient, {"id": rid, "action": "R", "remarks": "rate wrong"})["processed"] == 1
    assert act(recipient, {"id": rid, "action": "P", "remarks": "awaiting goods"})["processed"] == 1
    assert ImsRecord.objects.get(id=rid).remarks == "awaiting goods"


def test_r4_5_remarks_length_500_ok_501_refused(oct_docs, recipient):
    rid = oct_docs["INV-1"].id
    assert act(recipient, {"id": rid, "action": "R", "remarks": "अ" * 500})["processed"] == 1
    assert ImsRecord.objects.get(id=rid).remarks == "अ" * 500
    assert code_of(act(recipient, {"id": rid, "action": "R", "remarks": "a" * 501})) == "INVALID_REMARKS"
    assert ImsRecord.objects.get(id=rid).remarks == "अ" * 500


@pytest.mark.parametrize("bad", ["line\nbreak", "tab\there", "bell\x07", "nul\x00", "del\x7f", "sep\u2028"])
def test_r4_5_control_characters_refused(oct_docs, recipient, bad):
    rid = oct_docs["INV-1"].id
    assert code_of(act(recipient, {"id": rid, "action": "R", "remarks": bad})) == "INVALID_REMARKS"
    assert ImsRecord.objects.get(id=rid).action == "N"


def test_r4_5_each_r_or_p_replaces_remarks_and_a_or_n_clears_them(oct_docs, recipient):
    rid = oct_docs["INV-1"].id
    act(recipient, {"id": rid, "action": "R", "remarks": "first"})
    act(recipient, {"id": rid, "action": "P"})
    assert ImsRecord.objects.get(id=rid).remarks is None
    for clearing in ("A", "N"):
        act(recipient, {"id": rid, "action": "R", "remarks": "again"})
        assert ImsRecord.objects.get(id=rid).remarks == "again"
        act(recipient, {"id": rid, "action": clearing})
        assert ImsRecord.objects.get(id=rid).remarks is None


# --- ITC reduction declaration --------------------------------------------------------------------


def _decl(rid) -> tuple:
    r = ImsRecord.objects.get(id=rid)
    return r.action, r.itc_red_req, r.decl_igst, r.decl_cgst, r.decl_sgst, r.decl_cess


def test_r4_6_plain_accept_declares_full_reduction(oct_docs, recipient, owner_client):
    cn = oct_docs["CN-1"]
    assert act(recipient, {"id": cn.id, "action": "A"})["processed"] == 1
    assert _decl(cn.id) == ("A", "Y", D("180.00"), D("0.00"), D("0.00"), D("0.00"))
    d = detail(owner_client, cn.id)
    assert (d["itcRedReq"], d["declIgst"], d["isItcRedReqBlocked"]) == ("Y", 180.0, "N")
    assert d["history"][-1]["decl"] == {
        "itcRedReq": "Y",
        "declIgst": "180.00",
        "declCgst": "0.00",
        "declSgst": "0.00",
        "declCess": "0.00",
    }


def test_r4_6_amounts_without_itcredreq_mean_y_and_bounds(oct_docs, recipient):
    cn = oct_docs["CN-1"]
    assert act(recipient, {"id": cn.id, "action": "A", "declIgst": D("100.50")})["processed"] == 1
    assert _decl(cn.id) == ("A", "Y", D("100.50"), D("0.00"), D("0.00"), D("0.00"))
    for ok in (D("0"), D("180.00")):
        assert (
            act(recipient, {"id": cn.id, "action": "A", "itcRedReq": "Y", "declIgst": ok})["processed"] == 1
        )
        assert _decl(cn.id)[2] == ok
    for too_much in ({"declIgst": D("180.01")}, {"declCess": D("0.01")}, {"declCgst": D("1")}):
        out = act(recipient, {"id": cn.id, "action": "A", **too_much})
        assert code_of(out) == "DECLARATION_EXCEEDS_TAX"
    assert code_of(act(recipient, {"id": cn.id, "action": "A", "declIgst": -1})) == "DECLARATION_EXCEEDS_TAX"
    assert _decl(cn.id)[2] == D("180.00")


def test_r4_6_cgst_must_equal_sgst(set_clock, recipient):
    set_clock("2025-10-20 10:00")
    local = taxpayer_create(gstin=KA_SUPPLIER, legal_name="Local Supplier", ims_start_period="092025")
    save(local, "102025", gstr1(cdnr=[note("LCN-1", "07-10-2025", pos="29", intra=True)]))
    cn = record(recipient, "LCN-1")  # CGST 90, SGST 90
    assert code_of(act(recipient, {"id": cn.id, "action": "A", "declCgst": 40, "declSgst": 50})) == (
        "DECLARATION_CGST_SGST"
    )
    # An omitted head means the full amount: CGST 40 against SGST 90.
    assert code_of(act(recipient, {"id": cn.id, "action": "A", "declCgst": 40})) == "DECLARATION_CGST_SGST"
    assert act(recipient, {"id": cn.id, "action": "A", "declCgst": 40, "declSgst": 40})["processed"] == 1
    assert _decl(cn.id) == ("A", "Y", D("0.00"), D("40.00"), D("40.00"), D("0.00"))


def test_r4_6_itcredreq_n_means_nothing_claimed_and_refuses_amounts(oct_docs, recipient):
    cn = oct_docs["CN-1"]
    assert act(recipient, {"id": cn.id, "action": "A", "itcRedReq": "N"})["processed"] == 1
    assert _decl(cn.id) == ("A", "N", D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    for amount in ({"declIgst": 10}, {"declIgst": 0}, {"declCess": 0}):
        out = act(recipient, {"id": cn.id, "action": "A", "itcRedReq": "N", **amount})
        assert code_of(out) == "DECLARATION_NOT_ALLOWED"


def test_r4_6_declaration_refused_elsewhere(oct_docs, sep_docs, recipient, owner_client):
    targets = [
        {"id": oct_docs["INV-1"].id, "action": "A", "itcRedReq": "Y"},  # an invoice
        {"id": oct_docs["DN-1"].id, "action": "A", "declIgst": 10},  # a debit note
        {"id": sep_docs["SCN-1"].id, "action": "A", "declIgst": 10},  # a CN of 092025
        {"id": sep_docs["SCN-1"].id, "action": "A", "itcRedReq": "N"},
        {"id": oct_docs["CN-1"].id, "action": "R", "itcRedReq": "Y"},  # with R
        {"id": oct_docs["CN-1"].id, "action": "P", "declIgst": 10},  # with P
        {"id": oct_docs["CN-1"].id, "action": "A", "itcRedReq": "X"},
    ]
    for item in targets:
        assert code_of(act(recipient, item)) == "DECLARATION_NOT_ALLOWED", item
    blocked = {
        n: detail(owner_client, r.id)["isItcRedReqBlocked"] for n, r in {**oct_docs, **sep_docs}.items()
    }
    assert blocked == {"INV-1": "Y", "DN-1": "Y", "CN-1": "N", "SINV-1": "Y", "SCN-1": "Y"}
    # A plain A on a pre-switch CN stores no declaration.
    assert act(recipient, {"id": sep_docs["SCN-1"].id, "action": "A"})["processed"] == 1
    assert _decl(sep_docs["SCN-1"].id) == ("A", None, None, None, None, None)


def test_r4_6_reject_or_no_action_clears_declaration(oct_docs, recipient):
    cn = oct_docs["CN-1"]
    act(recipient, {"id": cn.id, "action": "A", "declIgst": 50})
    act(recipient, {"id": cn.id, "action": "R"})
    assert _decl(cn.id) == ("R", None, None, None, None, None)
    act(recipient, {"id": cn.id, "action": "A", "declIgst": 50})
    act(recipient, {"id": cn.id, "action": "N"})
    assert _decl(cn.id) == ("N", None, None, None, None, None)


# --- audit trail -------------------------------------------------------------------------


def test_r4_9_history_oldest_first_with_every_field(oct_docs, recipient, owner_client, set_clock):
    cn = oct_docs["CN-1"]
    set_clock("2025-10-21 09:00")
    r = owner_client.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {"actions": [{"id": cn.id, "action": "P", "remarks": "checking"}]},
        format="json",
    )
    assert r.json() == {"processed": 1, "errors": []}
    set_clock("2025-10-22 09:00")
    act(recipient, {"id": cn.id, "action": "A", "declIgst": 90}, by="svc-user")
    history = detail(owner_client, cn.id)["history"]
    assert [(h["from"], h["to"]) for h in history] == [(None, "N"), ("N", "P"), ("P", "A")]
    created, pending, accepted = history
    assert set(created) == {"at", "by", "channel", "from", "to", "remarks", "decl", "reason"}
    # the recipient's trail does not name the supplier's users.
    assert (created["by"], created["reason"]) == ("system", "supplier saved the document")
    assert (pending["by"], pending["channel"], pending["remarks"], pending["decl"]) == (
        "rec-owner",
        "api",
        "checking",
        None,
    )
    # The business clock (sandbox) stamps the trail; it runs on from the moment it was set.
    at = datetime.fromisoformat(pending["at"])
    assert datetime(2025, 10, 21, 9, 0, tzinfo=IST) <= at < datetime(2025, 10, 21, 9, 5, tzinfo=IST)
    assert (accepted["by"], accepted["remarks"]) == ("svc-user", None)
    assert accepted["decl"] == {
        "itcRedReq": "Y",
        "declIgst": "90.00",
        "declCgst": "0.00",
        "declSgst": "0.00",
        "declCess": "0.00",
    }


def test_r4_9_no_op_action_is_processed_but_not_audited(oct_docs, recipient):
    rid = oct_docs["INV-1"].id
    act(recipient, {"id": rid, "action": "R", "remarks": "x"})
    n = ImsAudit.objects.filter(record_id=rid).count()
    assert act(recipient, {"id": rid, "action": "R", "remarks": "x"}) == {"processed": 1, "errors": []}
    assert ImsAudit.objects.filter(record_id=rid).count() == n
    # Same action, new remarks: a change.
    act(recipient, {"id": rid, "action": "R", "remarks": "y"})
    assert ImsAudit.objects.filter(record_id=rid).count() == n + 1


# --- batch actions ---------------------------------------------------------------------------


def test_r4_10_batch_applies_record_by_record_and_lists_refusals(oct_docs, sep_docs, recipient):
    inv1, dn, cn, scn = oct_docs["INV-1"], oct_docs["DN-1"], oct_docs["CN-1"], sep_docs["SCN-1"]
    out = act(
        recipient,
        {"id": inv1.id, "action": "R", "remarks": "ok"},
        {"id": dn.id, "action": "R", "remarks": "x" * 501},
        {"id": scn.id, "action": "P", "remarks": "fine text"},
        {"id": cn.id, "action": "A", "declIgst": 999},
        {"id": 987654321, "action": "A"},
    )
    assert out["processed"] == 1
    assert [(e["id"], e["code"]) for e in out["errors"]] == [
        (dn.id, "INVALID_REMARKS"),
        (scn.id, "PENDING_NOT_ALLOWED"),
        (cn.id, "DECLARATION_EXCEEDS_TAX"),
        (987654321, "NOT_FOUND"),
    ]
    assert all(e["message"] for e in out["errors"])
    # Refused records did not change at all (no partial remarks or declaration).
    assert [ImsRecord.objects.get(id=r.id).action for r in (inv1, dn, scn, cn)] == ["R", "N", "N", "N"]
    assert ImsRecord.objects.get(id=scn.id).remarks is None
    assert ImsRecord.objects.get(id=cn.id).itc_red_req is None


def test_r4_10_prev_status_and_hash_guard_against_stale(oct_docs, recipient, supplier):
    inv1 = oct_docs["INV-1"]
    act(recipient, {"id": inv1.id, "action": "A"})
    assert code_of(act(recipient, {"id": inv1.id, "action": "R", "prev_status": "N"})) == "STALE"
    assert code_of(act(recipient, {"id": inv1.id, "action": "R", "hash": "0" * 32})) == "STALE"
    good = {"id": inv1.id, "action": "R", "prev_status": "A", "hash": inv1.hash}
    assert act(recipient, good)["processed"] == 1
    # A supplier edit changes the hash: the old one is now stale.
    save(supplier, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025", txval="1500.00")]))
    assert code_of(act(recipient, {"id": inv1.id, "action": "A", "hash": inv1.hash})) == "STALE"
    fresh = ImsRecord.objects.get(id=inv1.id)
    assert fresh.hash != inv1.hash
    assert (
        act(recipient, {"id": inv1.id, "action": "A", "prev_status": "N", "hash": fresh.hash})["processed"]
        == 1
    )


def test_r4_10_a_record_named_twice_is_refused_at_every_occurrence(oct_docs, recipient):
    inv1, dn, cn = oct_docs["INV-1"], oct_docs["DN-1"], oct_docs["CN-1"]
    out = act(
        recipient,
        {"id": inv1.id, "action": "A"},
        {"id": cn.id, "action": "A"},
        {"id": inv1.id, "action": "R"},
        {"id": dn.id, "action": "P", "remarks": "x"},
        {"id": dn.id, "action": "P", "remarks": "x"},  # even the same action twice
    )
    assert out["processed"] == 1
    assert [(e["id"], e["code"]) for e in out["errors"]] == [
        (inv1.id, "INVALID_ACTION"),
        (inv1.id, "INVALID_ACTION"),
        (dn.id, "INVALID_ACTION"),
        (dn.id, "INVALID_ACTION"),
    ]
    assert ImsRecord.objects.get(id=inv1.id).action == "N"
    assert ImsRecord.objects.get(id=dn.id).action == "N"
    assert ImsRecord.objects.get(id=cn.id).action == "A"
    assert not ImsAudit.objects.filter(record_id__in=[inv1.id, dn.id], by="rec-clerk").exists()


def test_r4_10_unknown_action_letter_is_invalid_action(oct_docs, recipient):
    dn = oct_docs["DN-1"]
    out = act(recipient, {"id": dn.id, "action": "X"}, {"id": oct_docs["CN-1"].id})
    assert [(e["id"], e["code"]) for e in out["errors"]] == [
        (dn.id, "INVALID_ACTION"),
        (oct_docs["CN-1"].id, "INVALID_ACTION"),
    ]
    assert ImsRecord.objects.get(id=dn.id).action == "N"


def test_r4_10_record_of_another_gstin_is_not_found(oct_docs, supplier, set_clock):
    tn = taxpayer_create(gstin=TN, legal_name="Chennai Buyer", ims_start_period="092025")
    out = act(tn, {"id": oct_docs["INV-1"].id, "action": "A"})
    assert code_of(out) == "NOT_FOUND"
    assert ImsRecord.objects.get(id=oct_docs["INV-1"].id).action == "N"


def test_r4_10_over_5000_actions_is_413(oct_docs, owner_client):
    rid = oct_docs["INV-1"].id
    body = {"actions": [{"id": rid, "action": "A"}] * 5001}
    r = owner_client.post(f"/api/v1/ims/{KA}/inward/actions", body, format="json")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "TOO_LARGE"
    assert ImsRecord.objects.get(id=rid).action == "N"
    # Exactly 5,000 is accepted (a record named 5,000 times is refused at every occurrence, R-4.10).
    r = owner_client.post(
        f"/api/v1/ims/{KA}/inward/actions", {"actions": [{"id": rid, "action": "A"}] * 5000}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["processed"] == 0
    assert len(r.json()["errors"]) == 5000


def _many_records(recipient, supplier, set_clock, n: int) -> list[int]:
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv(f"BULK-{i}", "05-10-2025") for i in range(n)]))
    return list(ImsRecord.objects.filter(recipient=recipient).order_by("id").values_list("id", flat=True))


@pytest.mark.slow
def test_r4_10_batch_query_count_does_not_grow_with_size(
    recipient, supplier, set_clock, owner_client, django_assert_num_queries
):
    ids = _many_records(recipient, supplier, set_clock, 505)
    url = f"/api/v1/ims/{KA}/inward/actions"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner_client.get(f"/api/v1/ims/{KA}/summary")  # R-2.1's once-per-closing check is done before counting
    with CaptureQueriesContext(connection) as small:
        r = owner_client.post(url, {"actions": [{"id": i, "action": "A"} for i in ids[:5]]}, format="json")
    assert r.json() == {"processed": 5, "errors": []}
    with django_assert_num_queries(len(small.captured_queries)):
        r = owner_client.post(
            url, {"actions": [{"id": i, "action": "R", "remarks": "bulk"} for i in ids[5:505]]}, format="json"
        )
    assert r.json() == {"processed": 500, "errors": []}
    assert ImsRecord.objects.filter(recipient=recipient, action="R").count() == 500
    assert ImsAudit.objects.filter(recipient=recipient, to_action="R").count() == 500


def test_r4_11_record_that_left_ims_answers_return_filed(oct_docs, recipient, supplier, set_clock):
    """Choice: a record that left IMS at GSTR-3B filing is shown by id; acting on it names the reason."""
    inv1 = oct_docs["INV-1"]
    act(recipient, {"id": inv1.id, "action": "A"})
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="s", channel="api")
    return_file(supplier=supplier, period=202510, form="GSTR1", by="s", channel="api")
    # Simulate R-4.11 (GSTR-3B filing belongs to the returns app).
    Gstr3bFiling.objects.create(
        taxpayer=recipient, period=202510, filed_at=datetime(2025, 11, 20, tzinfo=IST)
    )
    ImsRecord.objects.filter(id=inv1.id).update(active=False, left_ims=True)
    assert code_of(act(recipient, {"id": inv1.id, "action": "R"})) == "RETURN_FILED"
