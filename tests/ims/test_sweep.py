"""R-4.4 / R-9.1: the daily sweep returns pending ITC-reducing records past their deadline to N."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import parse_period
from ims.models import ImsAudit, ImsRecord
from ims.services.actions import ims_actions_apply
from ims.services.sweeps import pending_expiry_sweep
from invoices.services import return_file
from tests.conftest import KA, client_for, gstr1, inv, member, note, save


def pend(recipient, *records: ImsRecord) -> None:
    out = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": r.id, "action": "P", "remarks": "awaiting goods"} for r in records],
        by="rec-clerk",
        channel="api",
    )
    assert out["processed"] == len(records), out


def records(recipient, prefix: str) -> list[ImsRecord]:
    return list(ImsRecord.objects.filter(recipient=recipient, number__startswith=prefix).order_by("id"))


def test_r4_4_pending_credit_note_of_102025_expires_from_21_12_2025(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(b2b=[inv("INV-1", "05-10-2025")], cdnr=[note("CN-1", "06-10-2025")]))
    inv1, cn = records(recipient, "INV-1")[0], records(recipient, "CN-1")[0]
    pend(recipient, inv1, cn)
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=parse_period("092025"), form="GSTR1", by="sup", channel="api")
    return_file(supplier=supplier, period=parse_period("102025"), form="GSTR1", by="sup", channel="api")
    cn.refresh_from_db()
    assert (cn.action, str(cn.pending_deadline)) == ("P", "2025-12-20")

    # The deadline day itself still allows P: nothing expires.
    set_clock("2025-12-20 23:59")
    assert pending_expiry_sweep() == 0
    cn.refresh_from_db()
    assert (cn.action, cn.remarks) == ("P", "awaiting goods")

    moment = set_clock("2025-12-21 00:15")
    assert pending_expiry_sweep() == 1
    cn.refresh_from_db()
    assert (cn.action, cn.remarks, cn.active) == ("N", None, True)
    assert cn.updated_at >= moment
    last = ImsAudit.objects.filter(record=cn).order_by("-id").first()
    assert (last.by, last.channel, last.from_action, last.to_action, last.reason) == (
        "system",
        "job",
        "P",
        "N",
        "pending expired",
    )
    # The recipient sees it in the record's trail, oldest first.
    d = client_for(member(recipient, "viewer")).get(f"/api/v1/ims/{KA}/inward/{cn.id}").json()
    assert (d["action"], d["history"][-1]["to"]) == ("N", "N")

    # Idempotent: a second run expires nothing and writes no audit row.
    audits = ImsAudit.objects.count()
    assert pending_expiry_sweep() == 0
    assert ImsAudit.objects.count() == audits

    # An invoice has no deadline: it stays pending without limit.
    set_clock("2026-06-01 00:15")
    assert pending_expiry_sweep() == 0
    inv1.refresh_from_db()
    assert (inv1.action, inv1.pending_deadline) == ("P", None)


def test_r4_4_sweep_leaves_records_no_longer_pending_alone(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(cdnr=[note("CN-1", "06-10-2025"), note("CN-2", "07-10-2025")]))
    cn1, cn2 = records(recipient, "CN-")
    pend(recipient, cn1, cn2)
    ims_actions_apply(recipient=recipient, actions=[{"id": cn2.id, "action": "A"}], by="rec", channel="api")
    set_clock("2025-12-21 00:15")
    assert pending_expiry_sweep() == 1
    cn1.refresh_from_db()
    cn2.refresh_from_db()
    assert (cn1.action, cn2.action) == ("N", "A")
    assert not ImsAudit.objects.filter(record=cn2, reason="pending expired").exists()


def test_r4_4_admin_sweep_endpoint_runs_a_job(set_clock, supplier, recipient, staff):
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(cdnr=[note("CN-1", "06-10-2025")]))
    pend(recipient, *records(recipient, "CN-1"))
    set_clock("2025-12-21 09:00")
    r = client_for(member(recipient, "owner")).post("/api/v1/admin/sweeps/pending-expiry")
    assert r.status_code == 403
    r = client_for(staff).post("/api/v1/admin/sweeps/pending-expiry")
    assert r.status_code == 202, r.content
    job = r.json()
    assert r["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["result"], job["error"]) == (
        "pending_expiry",
        "succeeded",
        {"expired": 1},
        None,
    )
    r = client_for(staff).post("/api/v1/admin/sweeps/pending-expiry")
    assert r.json()["result"] == {"expired": 0}


def _pending_notes(set_clock, supplier, recipient, prefix: str, n: int) -> None:
    set_clock("2025-10-20 10:00")
    save(supplier, "102025", gstr1(cdnr=[note(f"{prefix}{i}", "06-10-2025") for i in range(1, n + 1)]))
    pend(recipient, *records(recipient, prefix))


def test_r4_4_sweep_queries_do_not_grow_with_the_number_of_records(set_clock, supplier, recipient):
    _pending_notes(set_clock, supplier, recipient, "S-", 10)
    set_clock("2025-12-21 00:15")
    with CaptureQueriesContext(connection) as small:
        assert pending_expiry_sweep() == 10
    # The sandbox clock is moved back to save more documents for 102025.
    _pending_notes(set_clock, supplier, recipient, "L-", 200)
    set_clock("2025-12-21 00:15")
    with CaptureQueriesContext(connection) as large:
        assert pending_expiry_sweep() == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 12
    assert ImsRecord.objects.filter(recipient=recipient, action="P").count() == 0
    assert ImsAudit.objects.filter(recipient=recipient, reason="pending expired").count() == 210
