"""Bulk action by filter (issue 5 item 2): the service, the job endpoint and the page's "Select all N
matching". R-4.10 (record by record, refusals listed), R-4.9 (audit channel bulk), R-9.2 (idempotent,
whole chunks), R-9.3 (progress)."""

import io
import math
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import clock
from ims.models import ImsAudit, ImsRecord
from ims.services.bulk import ims_bulk_apply
from jobs.models import Job
from tests.conftest import GJ, KA, MH, client_for, gstr1, inv, member, note, record, save

BULK = f"/api/v1/ims/{KA}/inward/bulk"
PAGE_BULK = f"/g/{KA}/ims/inward/bulk"
PAGE_COUNT = f"/g/{KA}/ims/inward/count"
PENDING_92025 = "An ITC-reducing record of a 2B period before 10-2025 cannot be kept pending."


def mass(recipient, n: int, *, stin: str, prefix: str) -> None:
    """``n`` active b2b invoices of 102025 at No action, written directly (fast), IGST 180.00 each."""
    now = clock.now()
    rows = [
        ImsRecord(
            recipient=recipient,
            section="b2b",
            stin=stin,
            trdnm="Bulk supplier",
            rtnprd=202510,
            srcform="R1",
            doc_type="INV",
            number=f"{prefix}{i:06d}",
            number_key=f"{prefix}{i:06d}",
            doc_date=date(2025, 10, 1 + i % 28),
            inv_typ="R",
            pos="29",
            val=D("1180.00"),
            txval=D("1000.00"),
            iamt=D("180.00"),
            camt=D("0.00"),
            samt=D("0.00"),
            cess=D("0.00"),
            itc_period=202510,
            hash="h" * 32,
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    ]
    ImsRecord.objects.bulk_create(rows, batch_size=5_000)


def bulk(recipient, flt: dict, action: str, remarks=None, **kw) -> dict:
    return ims_bulk_apply(recipient=recipient, filter=flt, action=action, remarks=remarks, by="clerk", **kw)


@pytest.fixture
def docs(set_clock, supplier, recipient):
    """Saved on 25-09-2025 in 092025: SINV-1, SCN-1; on 20-10-2025 in 102025: INV-1, DN-1, CN-1 (IGST 180
    each). Business time stays 20-10-2025."""
    set_clock("2025-09-25 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("SINV-1", "05-09-2025")], cdnr=[note("SCN-1", "07-09-2025")]))
    set_clock("2025-10-20 10:00")
    save(
        supplier,
        "102025",
        gstr1(
            b2b=[inv("INV-1", "05-10-2025")],
            cdnr=[note("DN-1", "06-10-2025", ntty="D"), note("CN-1", "07-10-2025")],
        ),
    )
    return {n: record(recipient, n) for n in ("SINV-1", "SCN-1", "INV-1", "DN-1", "CN-1")}


def state(recipient) -> dict:
    return {
        r.number: (r.action, r.remarks)
        for r in ImsRecord.objects.filter(recipient=recipient).order_by("number")
    }


# --- Rules, record by record (R-4.10) ---------------------------------------------------------------------


def test_r4_10_bulk_refuses_per_record_pending_on_a_092025_credit_note(docs, recipient):
    out = bulk(recipient, {"rtnprd": "092025"}, "P")
    scn = docs["SCN-1"]
    assert out["processed"] == 1
    assert [(e["id"], e["code"]) for e in out["errors"]] == [(scn.id, "PENDING_NOT_ALLOWED")]
    assert out["errors"][0]["message"] == PENDING_92025
    assert state(recipient)["SINV-1"] == ("P", None)
    assert state(recipient)["SCN-1"] == ("N", None)


def test_r4_5_bulk_reject_stores_the_remarks_and_audits_channel_bulk(docs, recipient):
    out = bulk(recipient, {"section": "b2b"}, "R", remarks="Wrong rate ✓")
    assert out == {"processed": 2, "errors": []}
    assert state(recipient)["SINV-1"] == ("R", "Wrong rate ✓")
    assert state(recipient)["INV-1"] == ("R", "Wrong rate ✓")
    audits = ImsAudit.objects.filter(record__number__in=["SINV-1", "INV-1"], channel="bulk")
    assert sorted((a.by, a.from_action, a.to_action, a.remarks) for a in audits) == [
        ("clerk", "N", "R", "Wrong rate ✓"),
        ("clerk", "N", "R", "Wrong rate ✓"),
    ]
    # One moment for the chunk: the audit rows and the records' updated_at (2B staleness) agree.
    assert {a.at for a in audits} == {record(recipient, "INV-1").updated_at}


def test_r4_10_bulk_changes_only_the_records_matching_the_filter(docs, recipient):
    out = bulk(recipient, {"section": "b2bcn", "rtnprd": "102025"}, "A")
    assert out == {"processed": 1, "errors": []}
    assert state(recipient) == {
        "CN-1": ("A", None),
        "DN-1": ("N", None),
        "INV-1": ("N", None),
        "SCN-1": ("N", None),
        "SINV-1": ("N", None),
    }


def test_r4_6_bulk_accept_declares_y_with_the_full_amounts_on_itc_reducing_records(docs, recipient):
    assert bulk(recipient, {"rtnprd": "102025"}, "A") == {"processed": 3, "errors": []}
    cn = record(recipient, "CN-1")
    assert (cn.itc_red_req, cn.decl_igst, cn.decl_cgst, cn.decl_sgst, cn.decl_cess) == (
        "Y",
        D("180.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    a = ImsAudit.objects.get(record=cn, channel="bulk")
    assert a.decl == {
        "itcRedReq": "Y",
        "declIgst": "180.00",
        "declCgst": "0.00",
        "declSgst": "0.00",
        "declCess": "0.00",
    }
    inv1 = record(recipient, "INV-1")
    assert (inv1.action, inv1.itc_red_req, inv1.decl_igst) == ("A", None, None)


def test_r4_10_bulk_reset_clears_remarks_and_declaration(docs, recipient):
    bulk(recipient, {"rtnprd": "102025"}, "A")
    bulk(recipient, {"section": "b2b"}, "R", remarks="x")
    assert bulk(recipient, {}, "N") == {"processed": 5, "errors": []}
    cn = record(recipient, "CN-1")
    assert (cn.action, cn.remarks, cn.itc_red_req, cn.decl_igst) == ("N", None, None, None)
    assert state(recipient)["SINV-1"] == ("N", None)


def test_r9_2_bulk_rerun_is_a_no_op_without_audit_rows(docs, recipient):
    first = bulk(recipient, {"section": "b2b"}, "R", remarks="dup")
    audits = ImsAudit.objects.count()
    stamp = record(recipient, "INV-1").updated_at
    second = bulk(recipient, {"section": "b2b"}, "R", remarks="dup")
    assert first == second == {"processed": 2, "errors": []}
    assert ImsAudit.objects.count() == audits
    assert record(recipient, "INV-1").updated_at == stamp


def test_r9_2_a_job_dying_mid_way_keeps_whole_chunks_and_the_rerun_finishes(
    set_clock, recipient, monkeypatch
):
    set_clock("2025-11-05 10:00")
    mass(recipient, 25, stin=MH, prefix="M")
    from ims.services import bulk as service

    real = service._apply_chunk
    calls = []

    def dying(*args, **kw):
        out = real(*args, **kw)  # the chunk's writes are made, then the worker dies before its commit
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return out

    monkeypatch.setattr(service, "_apply_chunk", dying)
    with pytest.raises(RuntimeError):
        bulk(recipient, {}, "A", chunk_size=10)
    monkeypatch.setattr(service, "_apply_chunk", real)
    accepted = ImsRecord.objects.filter(recipient=recipient, action="A")
    # The first chunk of 10 is applied with its audit rows; the second chunk's UPDATE was rolled back.
    assert accepted.count() == 10
    assert ImsAudit.objects.filter(channel="bulk").count() == 10
    assert set(accepted.values_list("number", flat=True)) == {f"M{i:06d}" for i in range(10)}
    out = bulk(recipient, {}, "A", chunk_size=10)
    assert out == {"processed": 25, "errors": []}
    assert ImsRecord.objects.filter(recipient=recipient, action="A").count() == 25
    assert ImsAudit.objects.filter(channel="bulk").count() == 25


def test_r9_3_bulk_reports_progress_after_each_chunk(set_clock, recipient, monkeypatch):
    set_clock("2025-11-05 10:00")
    mass(recipient, 25, stin=MH, prefix="M")
    from ims.services import bulk as service

    seen = []
    monkeypatch.setattr(service, "job_progress", lambda job, done, total: seen.append((done, total)))
    bulk(recipient, {}, "A", chunk_size=10, job=object())
    assert seen == [(0, 25), (10, 25), (20, 25), (25, 25)]


# --- Queries grow with chunks, not records (issue 5 item 2) ------------------------------------------------


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.slow
def test_r9_bulk_on_20000_records_costs_queries_per_chunk_not_per_record(set_clock, recipient):
    set_clock("2025-11-05 10:00")
    mass(recipient, 4_000, stin=GJ, prefix="G")
    mass(recipient, 16_000, stin=MH, prefix="M")
    c = 1_500  # no set is a multiple of it: every run ends on a short chunk

    q1 = queries(lambda: bulk(recipient, {"stin": GJ}, "A", chunk_size=c))  # 4,000 records, 3 chunks
    q2 = queries(lambda: bulk(recipient, {}, "R", remarks="bulk", chunk_size=c))  # 20,000, 14 chunks
    q3 = queries(lambda: bulk(recipient, {"stin": MH}, "N", chunk_size=c))  # 16,000, 11 chunks
    chunks = [math.ceil(n / c) for n in (4_000, 20_000, 16_000)]
    assert chunks == [3, 14, 11]
    # Per chunk: savepoint, the recipient's row lock (the lock order, taxpayers.locks), the sandbox clock
    # (tests run with it on), one statement that locks the chunk, updates it and writes its audit rows
    # (issue 12), release savepoint; no record here needs the per-record rules, so nothing more is read.
    # Once: COUNT of the set and the recipient's filed GSTR-3Bs (its calendar; the frequencies are not
    # needed by the action rules).
    per_chunk, fixed = 5, 2
    assert [q1, q2, q3] == [fixed + per_chunk * k for k in chunks]
    assert ImsRecord.objects.filter(recipient=recipient, action="R").count() == 4_000
    assert ImsRecord.objects.filter(recipient=recipient, action="N").count() == 16_000
    assert ImsAudit.objects.filter(channel="bulk").count() == 40_000


# --- API: POST /ims/{gstin}/inward/bulk -------------------------------------------------------------------


@pytest.fixture
def owner(recipient):
    return member(recipient, "owner", username="rec-owner")


def test_r4_10_bulk_api_answers_202_with_the_job_and_its_result(docs, recipient, owner):
    c = client_for(owner)
    r = c.post(BULK, {"filter": {"rtnprd": "092025"}, "action": "P"}, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    assert r["Location"] == f"/api/v1/jobs/{body['id']}"
    assert (body["kind"], body["status"]) == ("ims_bulk", "succeeded")
    assert body["progress"] == {"done": 2, "total": 2}
    assert body["result"] == {
        "processed": 1,
        "errors": [{"id": docs["SCN-1"].id, "code": "PENDING_NOT_ALLOWED", "message": PENDING_92025}],
    }
    job = c.get(f"/api/v1/jobs/{body['id']}").json()
    assert job["result"] == body["result"]
    assert ImsAudit.objects.get(record=docs["SINV-1"], channel="bulk").by == "rec-owner"


def test_r8_2_bulk_api_viewer_is_forbidden_and_outsider_not_found(docs, recipient, outsider):
    viewer = member(recipient, "viewer")
    payload = {"filter": {}, "action": "A"}
    assert client_for(viewer).post(BULK, payload, format="json").status_code == 403
    assert client_for(outsider).post(BULK, payload, format="json").status_code == 404
    assert Job.objects.count() == 0
    assert set(ImsRecord.objects.values_list("action", flat=True)) == {"N"}


@pytest.mark.parametrize(
    ("payload", "path", "code"),
    [
        ({"filter": {}, "action": "X"}, "action", "INVALID_ACTION"),
        ({"filter": {}}, "action", "INVALID_ACTION"),
        ({"action": "A"}, "filter", "REQUIRED"),
        ({"filter": {"section": "b2c"}, "action": "A"}, "filter.section", "INVALID"),
        ({"filter": {"action": "Z"}, "action": "A"}, "filter.action", "INVALID"),
        ({"filter": {"rtnprd": "132025"}, "action": "A"}, "filter.rtnprd", "INVALID"),
        ({"filter": {"itc_period": 102025}, "action": "A"}, "filter.itc_period", "INVALID"),
        ({"filter": {"stin": "27AAPFU0939F1Z"}, "action": "A"}, "filter.stin", "GSTIN_LENGTH"),
        ({"filter": {"sectoin": "b2b"}, "action": "A"}, "filter.sectoin", "UNKNOWN"),
        ({"filter": {}, "action": "A", "remarks": "no"}, "remarks", "REMARKS_NOT_ALLOWED"),
        ({"filter": {}, "action": "R", "remarks": "x" * 501}, "remarks", "INVALID_REMARKS"),
    ],
)
def test_r4_10_bulk_api_refuses_bad_input_with_400_and_a_path(docs, owner, payload, path, code):
    r = client_for(owner).post(BULK, payload, format="json")
    assert r.status_code == 400, r.content
    err = r.json()["error"]
    assert err["code"] == "VALIDATION"
    assert [(d["path"], d["code"]) for d in err["details"]] == [(path, code)]
    assert Job.objects.count() == 0


def test_bulk_route_does_not_shadow_record_detail(docs, owner):
    r = client_for(owner).get(f"/api/v1/ims/{KA}/inward/{docs['INV-1'].id}")
    assert r.status_code == 200


# --- Page: "Select all N matching" -----------------------------------------------------------------------


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r9_3_page_counts_matching_records_only_when_asked(docs, owner, django_assert_max_num_queries):
    c = web(owner)
    page = c.get(f"/g/{KA}/ims/inward")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="ims-all-matching"' in html and "Select all" in html
    assert "matching</label>" not in html  # no count on page load
    # +1: the IFF closing check every request makes first.
    with django_assert_max_num_queries(11) as ctx:
        r = c.get(PAGE_COUNT + "?section=b2b&cursor=abc", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]] != []
    assert len([q for q in ctx.captured_queries if "ims_imsrecord" in q["sql"]]) == 1
    assert "Select all 2 matching" in r.content.decode()
    r = c.get(PAGE_COUNT + "?section=zzz", HTTP_HX_REQUEST="true")
    assert "Correct the filters" in r.content.decode()


def test_r9_3_page_bulk_starts_the_job_and_shows_progress_and_refusals(docs, recipient, owner):
    c = web(owner)
    r = c.post(
        PAGE_BULK,
        {"qs": "rtnprd=092025&cursor=xyz", "action": "P", "remarks": "later"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "2 of 2" in html
    assert "Records processed: 1; refused: 1." in html
    # Issue 15: the refused document by its number and supplier, not "Record 16".
    assert f"Record {docs['SCN-1'].id}:" not in html
    assert f"SCN-1 of {docs['SCN-1'].trdnm}:" in html and "PENDING_NOT_ALLOWED" in html
    job = Job.objects.get()
    assert f"/jobs/{job.id}" in html
    assert state(recipient)["SINV-1"] == ("P", "later")
    poll = c.get(f"/jobs/{job.id}/progress")
    assert "refused: 1." in poll.content.decode()


def test_r4_5_page_bulk_drops_remarks_for_accept(docs, recipient, owner):
    web(owner).post(
        PAGE_BULK, {"qs": "section=b2b", "action": "A", "remarks": "typed"}, HTTP_HX_REQUEST="true"
    )
    assert state(recipient)["INV-1"] == ("A", None)


def test_r8_2_page_bulk_viewer_403_outsider_404(docs, recipient, outsider):
    viewer = member(recipient, "viewer")
    assert web(viewer).post(PAGE_BULK, {"qs": "", "action": "A"}).status_code == 403
    assert web(outsider).post(PAGE_BULK, {"qs": "", "action": "A"}).status_code == 404
    assert web(outsider).get(PAGE_COUNT).status_code == 404
    assert "ims-all-matching" not in web(viewer).get(f"/g/{KA}/ims/inward").content.decode()
    assert set(ImsRecord.objects.values_list("action", flat=True)) == {"N"}


def test_page_bulk_refuses_bad_input_in_words(docs, recipient, owner):
    r = web(owner).post(PAGE_BULK, {"qs": "section=zzz", "action": "A"}, HTTP_HX_REQUEST="true")
    assert "Unknown IMS section." in r.content.decode()
    assert Job.objects.count() == 0


# --- Issue 12: the set-based chunk decides as the per-record rules do ---------------------------------------


def _outcome(recipient, since) -> tuple:
    """Records and audit rows, timestamps as "changed by the run" (the sandbox clock runs on)."""
    fields = ("id", "action", "remarks", "itc_red_req", "decl_igst", "decl_cgst", "decl_sgst", "updated_at")
    records = [
        (*row[:-1], row[-1] >= since)
        for row in ImsRecord.objects.filter(recipient=recipient).order_by("id").values_list(*fields)
    ]
    fields = ("record_id", "from_action", "to_action", "remarks", "decl", "by", "channel", "at")
    audits = [
        (*row[:-1], row[-1] >= since)
        for row in ImsAudit.objects.filter(recipient=recipient)
        .order_by("record_id", "id")
        .values_list(*fields)
    ]
    return records, audits


@pytest.mark.slow
@pytest.mark.parametrize("action, remarks", [("A", None), ("R", "not ours"), ("P", "checking"), ("N", None)])
def test_issue12_the_set_based_chunk_gives_the_per_record_rules_outcome_on_the_demo(
    settings, db, monkeypatch, action, remarks
):
    """The demo's recipients hold every kind the predicate must send to the rules: credit notes of 092025
    and later periods, bills of entry, amendments waiting on their original, records of filed periods and
    records already at the action. Each bulk action is run both ways from the same state, and records, audit
    rows and the reply must be the same."""
    from django.core.management import call_command
    from django.db import transaction

    from ims.services import bulk as service
    from taxpayers.models import Taxpayer

    settings.IMS_SANDBOX_CLOCK = True
    call_command("seed_demo", stdout=io.StringIO())
    since = clock.now()
    results = {}
    real, by_rules = service._apply_chunk, []

    def counted(chunk, *args, **kw):
        by_rules.append(len(chunk))
        return real(chunk, *args, **kw)

    monkeypatch.setattr(service, "_apply_chunk", counted)
    for set_based in (True, False):
        monkeypatch.setattr(service, "_set_based", lambda v=set_based: v)
        by_rules.clear()
        got = []
        with transaction.atomic():
            for t in Taxpayer.objects.order_by("gstin"):
                reply = bulk(t, {}, action, remarks, chunk_size=7)
                got.append((t.gstin, reply, _outcome(t, since)))
            transaction.set_rollback(True)
        results[set_based] = (got, sum(by_rules))
    (set_based, to_rules), (per_record, everything) = results[True], results[False]
    assert set_based == per_record
    # Both ways were taken: most records in SQL, the rest by the rules.
    assert 0 < to_rules < everything / 2
    replies = [r for _, r, _ in set_based]
    assert sum(r["processed"] for r in replies) >= 10
