"""GSTR-2B API (API.md "Recipient: GSTR-2B and GSTR-3B"): latest, versions, recompute job, refusals
(R-5.3, R-5.5, R-5.6) and tenancy (R-8)."""

import pytest

from core import clock
from ims.models import ImsRecord
from jobs.models import Job
from returns.models import Gstr3bFiling
from taxpayers.services import taxpayer_create
from tests.conftest import DL, KA, MH, TN, client_for, gstr1, inv, member

BASE = f"/api/v1/gstr2b/{KA}"


def post_generate(c, period: str, gstin: str = KA):
    return c.post(f"/api/v1/gstr2b/{gstin}/{period}/generate", {}, format="json")


def refused(r, code: str, status: int = 409) -> dict:
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code
    return r.json()["error"]


def file_3b(taxpayer, period: int) -> None:
    Gstr3bFiling.objects.create(taxpayer=taxpayer, period=period, filed_at=clock.now())


@pytest.fixture
def owner(recipient):
    return client_for(member(recipient, "owner", "rita"))


def filed_october(set_clock, supplier, recipient, body: dict, *, filed_at: str = "2025-11-05 10:00") -> None:
    """``body`` saved by Maharashtra on 20-10-2025 for October 2025, its GSTR-1s filed at ``filed_at`` (IST),
    the recipient's September GSTR-3B filed; business time 14-11-2025."""
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json").status_code == 201
    set_clock(filed_at)
    for p in ("092025", "102025"):
        assert sup.post(f"/api/v1/gstr1/{MH}/{p}/file", {"form": "GSTR1"}, format="json").status_code == 200
    set_clock("2025-11-14 10:00")
    file_3b(recipient, 202509)


@pytest.fixture
def october(set_clock, supplier, recipient):
    """INV-1 (1000 / 180) and INV-2 (500 / 90) from Maharashtra, filed for October 2025."""
    body = gstr1(b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")])
    filed_october(set_clock, supplier, recipient, body)


# --- GET before generation ----------------------------------------------------------------------------


def test_r5_3_get_before_generation_names_the_first_reason(set_clock, owner, recipient):
    set_clock("2025-11-14 10:00")
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    qc = client_for(member(q, "owner"))

    def reason(c, gstin: str, period: str) -> list:
        err = refused(c.get(f"/api/v1/gstr2b/{gstin}/{period}"), "NOT_GENERATED", 404)
        return err["details"]

    assert reason(owner, KA, "082025") == [{"reason": "BEFORE_START_PERIOD"}]
    # A quarterly taxpayer's month before its start period is first of all before the start.
    assert reason(qc, DL, "082025") == [{"reason": "BEFORE_START_PERIOD"}]
    assert reason(qc, DL, "102025") == [{"reason": "QUARTERLY_TAXPAYER"}]
    assert reason(qc, DL, "112025") == [{"reason": "QUARTERLY_TAXPAYER"}]
    assert reason(owner, KA, "102025") == [{"reason": "PREVIOUS_3B_NOT_FILED"}]
    assert reason(owner, KA, "092025") == [{"reason": "NOT_YET_GENERATED"}]
    assert reason(qc, DL, "122025") == [{"reason": "NOT_YET_GENERATED"}]
    file_3b(recipient, 202509)
    assert reason(owner, KA, "102025") == [{"reason": "NOT_YET_GENERATED"}]


# --- generate, latest, versions ------------------------------------------------------------------------


def test_r5_5_generate_job_then_latest_and_versions(october, owner):
    r = post_generate(owner, "102025")
    assert r.status_code == 202, r.content
    job = r.json()
    assert r["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["result"], job["error"]) == (
        "gstr2b_recompute",
        "succeeded",
        {"version": 1},
        None,
    )
    assert Job.objects.get(id=job["id"]).params["period"] == 202510
    latest = owner.get(f"{BASE}/102025")
    assert latest.status_code == 200
    data = latest.json()["data"]
    assert (data["gstin"], data["rtnprd"], data["version"], data["status"], data["stale"]) == (
        KA,
        "102025",
        1,
        "draft",
        False,
    )
    # Money is a JSON number (API.md conventions): totals and lines alike.
    b2b = data["itcsumm"]["itcavl"]["nonrevsup"]["b2b"]
    assert b2b == {"txval": 1500.0, "igst": 270.0, "cgst": 0.0, "sgst": 0.0, "cess": 0.0}
    assert data["itcsumm"]["itcavl"]["nonrevsup"]["total"]["igst"] == 270.0
    first = data["docdata"]["b2b"][0]
    assert (first["ctin"], [x["inum"] for x in first["inv"]]) == (MH, ["INV-1", "INV-2"])
    assert (first["inv"][0]["txval"], first["inv"][0]["igst"], first["inv"][0]["imsStatus"]) == (
        1000.0,
        180.0,
        "N",
    )
    # A second recompute with no change: identical except version and gendt.
    assert post_generate(owner, "102025").status_code == 202
    again = owner.get(f"{BASE}/102025").json()["data"]
    assert again["version"] == 2
    for x in (data, again):
        x.pop("version"), x.pop("gendt")
    assert again == data
    versions = owner.get(f"{BASE}/102025/versions").json()
    assert versions["next_cursor"] is None
    assert [(v["version"], v["trigger"], v["by"]) for v in versions["records"]] == [
        (1, "recompute", "rita"),
        (2, "recompute", "rita"),
    ]
    assert all(v["generated_at"] for v in versions["records"])
    one = owner.get(f"{BASE}/102025/versions/1")
    assert one.status_code == 200 and one.json()["data"]["version"] == 1
    refused(owner.get(f"{BASE}/102025/versions/3"), "NOT_FOUND", 404)
    refused(owner.get(f"{BASE}/102025/versions/x"), "NOT_FOUND", 404)
    # Lower-case GSTIN in the path works; the reply is upper case.
    low = owner.get(f"/api/v1/gstr2b/{KA.lower()}/102025")
    assert low.status_code == 200 and low.json()["data"]["gstin"] == KA


def test_r5_5_action_makes_latest_stale_recompute_clears_final_after_3b(set_clock, october, owner, recipient):
    assert post_generate(owner, "102025").status_code == 202
    set_clock("2025-11-15 10:00")
    rid = ImsRecord.objects.get(number="INV-2").id
    r = owner.post(
        f"/api/v1/ims/{KA}/inward/actions", {"actions": [{"id": rid, "action": "R"}]}, format="json"
    )
    assert r.json()["processed"] == 1
    assert owner.get(f"{BASE}/102025").json()["data"]["stale"] is True
    # An older version is never stale: only the latest can be.
    set_clock("2025-11-15 11:00")
    assert post_generate(owner, "102025").status_code == 202
    data = owner.get(f"{BASE}/102025").json()["data"]
    assert (data["version"], data["stale"]) == (2, False)
    assert data["itcsumm"]["itcRejected"]["nonrevsup"]["b2b"]["igst"] == 90.0
    assert data["itcsumm"]["itcavl"]["nonrevsup"]["b2b"]["igst"] == 180.0
    file_3b(recipient, 202510)
    assert owner.get(f"{BASE}/102025").json()["data"]["status"] == "final"
    assert owner.get(f"{BASE}/102025/versions/1").json()["data"]["status"] == "draft"
    refused(post_generate(owner, "102025"), "RETURN_FILED")


# --- refusals, first that applies ------------------------------------------------------------------------


def test_r5_5_generate_refusals_in_order(set_clock, owner, recipient):
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    qc = client_for(member(q, "owner"))
    set_clock("2025-11-13 23:59")
    refused(post_generate(owner, "082025"), "BEFORE_START_PERIOD")
    refused(post_generate(qc, "102025", DL), "QUARTERLY_TAXPAYER")
    # Before the 14th and without the previous 3B: DRAFT_NOT_DUE comes first.
    refused(post_generate(owner, "102025"), "DRAFT_NOT_DUE")
    set_clock("2025-11-14 00:00")
    refused(post_generate(owner, "102025"), "PREVIOUS_3B_NOT_FILED")
    # A filed 3B wins over a draft not yet due.
    file_3b(recipient, 202511)
    refused(post_generate(owner, "112025"), "RETURN_FILED")
    assert not Job.objects.exists()


# --- tenancy --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("owner", 202), ("preparer", 202), ("viewer", 403)])
def test_r8_generate_by_role(october, recipient, role, status):
    c = client_for(member(recipient, role))
    r = post_generate(c, "102025")
    assert r.status_code == status, r.content
    if status == 403:
        assert r.json()["error"]["code"] == "FORBIDDEN"
    assert c.get(f"{BASE}/102025/versions").status_code == 200


def test_r8_outsider_sees_the_same_404_as_an_unknown_gstin(october, owner, outsider):
    assert post_generate(owner, "102025").status_code == 202
    c = client_for(outsider)
    unknown = c.get(f"/api/v1/gstr2b/{TN}/102025")
    assert unknown.status_code == 404
    for method, path in [
        ("get", "102025"),
        ("get", "102025/versions"),
        ("get", "102025/versions/1"),
        ("post", "102025/generate"),
    ]:
        r = getattr(c, method)(f"{BASE}/{path}", format="json")
        assert (r.status_code, r.json()) == (404, unknown.json()), path
        u = getattr(c, method)(f"/api/v1/gstr2b/{TN}/{path}", format="json")
        assert (u.status_code, u.json()) == (404, unknown.json()), path


def test_issue15_a_second_recompute_while_one_waits_returns_that_job(october, owner, monkeypatch):
    """A double-clicked Recompute (or a client's retry) never makes two versions: while a recompute of the
    period is queued or running, asking again answers that job."""
    from ims_portal.celery import app
    from jobs import runner
    from jobs.models import Job

    monkeypatch.setattr(runner, "send", lambda job: None)  # queued, no worker yet
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    first = post_generate(owner, "102025")
    second = post_generate(owner, "102025")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert Job.objects.filter(kind="gstr2b_recompute").count() == 1
    # Once it has ended, a new request starts a new recompute.
    Job.objects.filter(id=first.json()["id"]).update(status="succeeded")
    assert post_generate(owner, "102025").json()["id"] != first.json()["id"]


def test_issue12_a_large_2b_is_sent_as_it_is_read_with_the_same_json(october, owner, recipient, monkeypatch):
    import json

    from ims.models import ImsRecord
    from returns import selectors
    from returns.models import Gstr2bVersion

    rid = ImsRecord.objects.get(recipient=recipient, number="INV-2").id
    assert (
        owner.post(
            f"/api/v1/ims/{KA}/inward/actions", {"actions": [{"id": rid, "action": "R"}]}, format="json"
        ).json()["errors"]
        == []
    )
    post_generate(owner, "102025")
    whole = owner.get(f"{BASE}/102025")
    assert not whole.streaming
    monkeypatch.setattr(selectors, "STREAM_LINES", 1)  # 2 lines: above it
    for url in (f"{BASE}/102025", f"{BASE}/102025/versions/1", f"{BASE}/102025/export?format=json"):
        r = owner.get(url)
        assert r.status_code == 200 and r.streaming and r["Content-Type"] == "application/json"
        assert json.loads(b"".join(r.streaming_content)) == whole.json()
    data = whole.json()["data"]
    assert [i["inum"] for p in data["docdata"]["b2b"] for i in p["inv"]] == ["INV-1"]
    assert [i["inum"] for p in data["docRejdata"]["b2b"] for i in p["inv"]] == ["INV-2"]
    assert Gstr2bVersion.objects.filter(taxpayer=recipient, period=202510).count() == 1


def test_r2_4_supfildt_is_the_ist_date_of_a_filing_made_just_after_midnight(
    set_clock, supplier, recipient, owner
):
    """A GSTR-1 filed at 00:30 IST on 06-11-2025 (19:00 UTC on the 5th) shows 06-11-2025 in the 2B, in
    /api/v1 as the GSTN layer already did: dates are Asia/Kolkata business dates (R-2.4)."""
    body = gstr1(b2b=[inv("MID-1", "05-10-2025")])
    filed_october(set_clock, supplier, recipient, body, filed_at="2025-11-06 00:30")
    assert post_generate(owner, "102025").status_code == 202
    data = owner.get(f"{BASE}/102025").json()["data"]
    supplier_entry = data["docdata"]["b2b"][0]
    assert supplier_entry["ctin"] == MH
    assert supplier_entry["supfildt"] == "06-11-2025"
