"""R-9 jobs: the admin 2B generation (R-5.2, R-5.5), /jobs/{id} and its visibility (R-8.2), failure
without partial 2B and single execution (R-9.2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import clock
from invoices.services import documents_save, return_file
from jobs import runner
from jobs import services as jobs
from jobs.models import Job
from returns.models import Gstr2bLine, Gstr2bVersion, Gstr3bFiling
from returns.services import gstr2b as gstr2b_service
from returns.services.gstr2b import gstr2b_recompute
from taxpayers.services import taxpayer_create
from tests.conftest import DL, GJ, KA, MH, TN, client_for, gstr1, inv, member

GENERATE = "/api/v1/admin/gstr2b/generate"


def get_job(client, job_id: int):
    return client.get(f"/api/v1/jobs/{job_id}")


@pytest.fixture
def registry(set_clock, supplier, recipient):
    """MH and KA (monthly, from 092025); GJ quarterly from 012026; TN quarterly and DL monthly, both from
    102025."""
    set_clock("2025-10-20 10:00")
    taxpayer_create(gstin=GJ, legal_name="Late Starter", filing_frequency="Q", ims_start_period="012026")
    taxpayer_create(gstin=TN, legal_name="Quarterly Buyer", filing_frequency="Q", ims_start_period="102025")
    dl = taxpayer_create(gstin=DL, legal_name="Delhi Buyer", ims_start_period="102025")
    return {"MH": supplier, "KA": recipient, "DL": dl}


def test_r5_5_draft_not_due_before_the_14th_and_reasons_in_order(registry, staff, set_clock):
    set_clock("2025-11-13 23:59")
    r = client_for(staff).post(GENERATE, {"period": "102025"}, format="json")
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["status"] == "succeeded"
    # GJ is both before its start and quarterly: the first reason wins. MH's 3B of 092025 is not filed
    # but DRAFT_NOT_DUE comes first.
    assert job["result"] == {
        "generated": [],
        "skipped": [
            {"gstin": DL, "reason": "DRAFT_NOT_DUE"},
            {"gstin": GJ, "reason": "BEFORE_START_PERIOD"},
            {"gstin": MH, "reason": "DRAFT_NOT_DUE"},
            {"gstin": KA, "reason": "DRAFT_NOT_DUE"},
            {"gstin": TN, "reason": "QUARTERLY_TAXPAYER"},
        ],
    }
    assert Gstr2bVersion.objects.count() == 0


def test_r5_2_admin_generate_job_lifecycle_and_rerun_changes_nothing(registry, staff, set_clock):
    set_clock("2025-11-14 00:05")
    Gstr3bFiling.objects.create(taxpayer=registry["KA"], period=202509, filed_at=clock.now())
    gstr2b_recompute(taxpayer=registry["DL"], period=202510, by="dl-owner")
    client = client_for(staff)

    r = client.post(GENERATE, {"period": "102025"}, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    assert r["Location"] == f"/api/v1/jobs/{body['id']}"
    r = get_job(client, body["id"])
    assert r.status_code == 200
    job = r.json()
    assert set(job) == {"id", "kind", "status", "progress", "result", "error", "created_at", "finished_at"}
    assert (job["kind"], job["status"], job["error"]) == ("gstr2b_generate", "succeeded", None)
    assert job["progress"] == {"done": 5, "total": 5}
    assert job["created_at"].startswith("2025-11-14T00:05") and job["created_at"].endswith("+05:30")
    assert job["finished_at"].startswith("2025-11-14T00:05") and job["finished_at"].endswith("+05:30")
    assert job["result"] == {
        "generated": [KA],
        "skipped": [
            {"gstin": DL, "reason": "ALREADY_GENERATED"},
            {"gstin": GJ, "reason": "BEFORE_START_PERIOD"},
            {"gstin": MH, "reason": "PREVIOUS_3B_NOT_FILED"},
            {"gstin": TN, "reason": "QUARTERLY_TAXPAYER"},
        ],
    }
    v = Gstr2bVersion.objects.get(taxpayer=registry["KA"], period=202510)
    assert (v.version, v.trigger, v.by) == (1, "admin", "staff")

    # Rerunning changes nothing: no new version anywhere, and KA is now ALREADY_GENERATED.
    versions = list(Gstr2bVersion.objects.order_by("id").values_list("id", "version"))
    r = client.post(GENERATE, {"period": "102025"}, format="json")
    assert r.json()["result"] == {
        "generated": [],
        "skipped": [
            {"gstin": DL, "reason": "ALREADY_GENERATED"},
            {"gstin": GJ, "reason": "BEFORE_START_PERIOD"},
            {"gstin": MH, "reason": "PREVIOUS_3B_NOT_FILED"},
            {"gstin": KA, "reason": "ALREADY_GENERATED"},
            {"gstin": TN, "reason": "QUARTERLY_TAXPAYER"},
        ],
    }
    assert list(Gstr2bVersion.objects.order_by("id").values_list("id", "version")) == versions


def test_r5_2_admin_generate_for_listed_gstins(registry, staff, set_clock):
    set_clock("2025-11-14 00:05")
    unknown = "33AAGCB7383J1ZF"  # well-formed, not registered
    r = client_for(staff).post(
        GENERATE, {"period": "102025", "gstins": [" 07aagff2194n1z1", unknown, DL]}, format="json"
    )
    assert r.status_code == 202, r.content
    assert r.json()["result"] == {"generated": [DL], "skipped": [{"gstin": unknown, "reason": "NOT_FOUND"}]}
    assert r.json()["progress"] == {"done": 1, "total": 1}


def test_r8_1_admin_generate_is_staff_only_and_validates_its_body(registry, staff):
    owner = client_for(member(registry["KA"], "owner"))
    assert owner.post(GENERATE, {"period": "102025"}, format="json").status_code == 403
    assert owner.post("/api/v1/admin/sweeps/pending-expiry").status_code == 403
    client = client_for(staff)
    r = client.post(GENERATE, {"period": "132025"}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "VALIDATION"
    assert [d["path"] for d in r.json()["error"]["details"]] == ["period"]
    r = client.post(GENERATE, {"period": "102025", "gstins": [KA, "29AAGCB7383J1Z5"]}, format="json")
    assert r.status_code == 400
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("gstins[1]", "GSTIN_CHECK")]
    r = client.post(GENERATE, {"period": "102025", "gstins": KA}, format="json")
    assert [d["path"] for d in r.json()["error"]["details"]] == ["gstins"]
    assert Job.objects.count() == 0


def test_r8_2_job_visible_to_creator_members_and_staff_only(registry, staff, outsider, set_clock):
    set_clock("2025-11-14 00:05")
    ka = registry["KA"]
    Gstr3bFiling.objects.create(taxpayer=ka, period=202509, filed_at=clock.now())
    preparer = member(ka, "preparer")
    r = client_for(preparer).post(f"/api/v1/gstr2b/{KA}/102025/generate")
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert (r.json()["status"], r.json()["result"]) == ("succeeded", {"version": 1})
    viewer = member(ka, "viewer")
    other = member(registry["MH"], "owner")
    for user, status in ((preparer, 200), (viewer, 200), (staff, 200), (outsider, 404), (other, 404)):
        assert get_job(client_for(user), job_id).status_code == status, user
    r = get_job(client_for(outsider), job_id)
    assert r.json()["error"]["code"] == "NOT_FOUND"
    assert client_for(staff).get("/api/v1/jobs/999999").status_code == 404
    assert client_for(staff).get("/api/v1/jobs/abc").status_code == 404

    # An admin job for listed GSTINs is visible to their members; one for every GSTIN only to staff.
    listed = client_for(staff).post(GENERATE, {"period": "102025", "gstins": [KA]}, format="json").json()
    every = client_for(staff).post(GENERATE, {"period": "102025"}, format="json").json()
    assert get_job(client_for(viewer), listed["id"]).status_code == 200
    assert get_job(client_for(other), listed["id"]).status_code == 404
    assert get_job(client_for(viewer), every["id"]).status_code == 404


def _recipient_with_a_filed_invoice(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    documents_save(
        supplier=supplier,
        period=202510,
        payload=gstr1(b2b=[inv("INV-1", "05-10-2025")]),
        by="s",
        channel="api",
    )
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="s", channel="api")
    return_file(supplier=supplier, period=202510, form="GSTR1", by="s", channel="api")
    set_clock("2025-11-14 00:05")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())


def test_r9_2_failed_job_leaves_no_partial_2b(set_clock, supplier, recipient, staff, monkeypatch):
    _recipient_with_a_filed_invoice(set_clock, supplier, recipient)
    seen = []

    def boom(totals):
        # The lines were inserted (their totals came back with them); the crash comes after them.
        seen.append(Gstr2bLine.objects.filter(taxpayer=recipient).count())
        raise RuntimeError("disk full")

    monkeypatch.setattr(gstr2b_service, "_summary", boom)
    client = client_for(staff)
    r = client.post(GENERATE, {"period": "102025", "gstins": [KA]}, format="json")
    assert r.status_code == 202
    job = get_job(client, r.json()["id"]).json()
    assert seen == [1]
    # The part that crashed failed whole (INTERNAL); the job names it and the GSTIN to retry (issue 13).
    assert (job["status"], job["result"]) == ("failed", {"generated": [], "skipped": [], "failed": [KA]})
    assert job["error"]["code"] == "PARTS_FAILED"
    assert [(d["code"], d["gstins"]) for d in job["error"]["details"]] == [("INTERNAL", [KA])]
    assert job["finished_at"] is not None
    assert not Gstr2bVersion.objects.filter(taxpayer=recipient).exists()
    assert not Gstr2bLine.objects.filter(taxpayer=recipient).exists()

    # Once the fault is gone the same request generates the whole 2B.
    monkeypatch.undo()
    job = client.post(GENERATE, {"period": "102025", "gstins": [KA]}, format="json").json()
    assert (job["status"], job["result"]) == ("succeeded", {"generated": [KA], "skipped": []})
    v = Gstr2bVersion.objects.get(taxpayer=recipient, period=202510)
    assert (v.version, v.lines.count()) == (1, 1)


def test_r9_2_refused_job_fails_with_the_rules_code(set_clock, recipient):
    set_clock("2025-11-14 00:05")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202510, filed_at=clock.now())
    job = jobs.job_start(kind="gstr2b_recompute", taxpayer=recipient, params={"period": 202510, "by": "x"})
    assert job.status == "failed"
    assert job.error["code"] == "RETURN_FILED"
    assert set(job.error) == {"code", "message", "details"}


def test_r9_2_a_job_claimed_twice_runs_once(set_clock, monkeypatch):
    set_clock("2025-11-14 00:05")
    calls = []

    def count(job):
        calls.append(job.id)
        return {"n": len(calls)}

    monkeypatch.setitem(runner.HANDLERS, "count", count)
    job = Job.objects.create(kind="count", params={}, created_at=clock.now())
    runner.run_job(job.id)
    runner.run_job(job.id)
    job.refresh_from_db()
    assert (calls, job.status, job.result) == ([job.id], "succeeded", {"n": 1})

    # A copy arriving while another runs it does nothing either.
    running = Job.objects.create(
        kind="count",
        params={},
        created_at=clock.now(),
        status="running",
        started_at=clock.now(),
        heartbeat_at=timezone.now(),
    )
    runner.run_job(running.id)
    running.refresh_from_db()
    assert (calls, running.status, running.finished_at) == ([job.id], "running", None)


def test_r9_2_a_redelivered_job_of_a_dead_worker_is_taken_over_once_its_heartbeat_is_stale(
    set_clock, monkeypatch
):
    set_clock("2025-11-14 00:05")
    calls = []
    monkeypatch.setitem(runner.HANDLERS, "count", lambda job: calls.append(job.id) or {"n": len(calls)})
    beat = timezone.now() - runner.STALE + timedelta(seconds=5)
    orphan = Job.objects.create(
        kind="count",
        params={},
        created_at=clock.now(),
        status="running",
        started_at=clock.now(),
        heartbeat_at=beat,
    )
    runner.run_job(orphan.id)  # heard from within STALE: still its first worker's
    assert calls == []
    # Wall-clock time, not the business clock: moving the sandbox clock changes nothing.
    set_clock("2025-11-20 00:05")
    runner.run_job(orphan.id)
    assert calls == []
    Job.objects.filter(id=orphan.id).update(heartbeat_at=timezone.now() - runner.STALE - timedelta(seconds=1))
    runner.run_job(orphan.id)  # silent for longer than STALE: the redelivered task takes the job over
    orphan.refresh_from_db()
    assert (calls, orphan.status, orphan.result, orphan.attempts) == ([orphan.id], "succeeded", {"n": 1}, 1)
