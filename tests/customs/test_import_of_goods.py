"""Import of goods (R-10.1 to R-10.3): bills of entry from the customs feed, in the importer's IMS from
10-2025, in GSTR-2B's imports and GSTR-3B 4A(1). Figures are computed by hand in each test."""

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from customs.models import BillOfEntry
from ims.models import ImsAudit, ImsRecord
from jobs.models import Job
from returns.models import Gstr3bFiling
from returns.selectors import gstr2b_reply
from returns.services.gstr2b import gstr2b_recompute
from returns.services.gstr3b import gstr3b_file
from taxpayers.models import Role
from taxpayers.services import taxpayer_create
from tests.conftest import DL, KA, MH, UserFactory, client_for, member

D = Decimal


def boe(
    boenum="1234567", *, gstin=KA, refdt="10-10-2025", boedt=None, txval=100000, igst=18000, cess=0, **kw
):
    out = {
        "gstin": gstin,
        "portcode": "INNSA1",
        "boenum": boenum,
        "boedt": boedt or refdt,
        "refdt": refdt,
        "txval": txval,
        "igst": igst,
        "cess": cess,
    }
    out.update(kw)
    return out


@pytest.fixture
def feed(staff):
    return client_for(staff)


def post(c, *items, status=201):
    r = c.post("/api/v1/customs/boe", {"boe": list(items)}, format="json")
    assert r.status_code == status, r.content
    return r.json()


def rec(importer, boenum, **kw):
    return ImsRecord.objects.get(recipient=importer, number=boenum, removed=False, superseded=False, **kw)


def act(c, gstin, *actions):
    r = c.post(f"/api/v1/ims/{gstin}/inward/actions", {"actions": list(actions)}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def file_3b_row(taxpayer, period):
    """A GSTR-3B filed outside the test's story (an earlier period)."""
    from core import clock

    Gstr3bFiling.objects.create(taxpayer=taxpayer, period=period, filed_at=clock.now())


def imports(data) -> dict:
    return {k: {h: D(str(v)) for h, v in t.items()} for k, t in data["itcsumm"]["itcavl"]["imports"].items()}


# --- the feed ---------------------------------------------------------------------------------------


def test_r10_1_feed_is_idempotent_and_only_for_staff_or_the_feed_permission(set_clock, recipient, feed):
    set_clock("2025-11-05 10:00")
    assert post(feed, boe(), boe("7654321", sez_ctin=MH)) == {"created": 2, "amended": 0, "unchanged": 0}
    audits = ImsAudit.objects.count()
    assert post(feed, boe(), boe("7654321", sez_ctin=MH)) == {"created": 0, "amended": 0, "unchanged": 2}
    assert ImsRecord.objects.filter(recipient=recipient).count() == 2
    assert ImsAudit.objects.count() == audits
    assert rec(recipient, "7654321").section == "impgsez"
    assert rec(recipient, "1234567").section == "impg"

    owner = member(recipient, Role.OWNER)
    r = client_for(owner).post("/api/v1/customs/boe", {"boe": [boe("1111111")]}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    machine = UserFactory(username="icegate")
    machine.user_permissions.add(Permission.objects.get(codename="customs_feed"))
    assert post(client_for(machine), boe("1111111"))["created"] == 1


def test_r10_1_one_bad_boe_saves_nothing_and_is_named(set_clock, recipient, feed):
    set_clock("2025-11-05 10:00")
    body = post(
        feed,
        boe("1000001"),
        boe("1000002", portcode="NSA1"),
        boe("1000003", boedt="25-10-2025", refdt="01-12-2025"),
        boe("1000004", igst=200000),
        status=400,
    )
    paths = {(d["path"], d["code"]) for d in body["error"]["details"]}
    assert paths == {
        ("boe[1].portcode", "INVALID_PORT"),
        ("boe[2].refdt", "FUTURE_DATE"),
        ("boe[3].igst", "INVALID_AMOUNT"),
    }
    assert not BillOfEntry.objects.exists() and not ImsRecord.objects.exists()


def test_r10_1_unregistered_importer_and_repeat_with_other_values_refused(set_clock, recipient, feed):
    set_clock("2025-11-05 10:00")
    post(feed, boe())
    body = post(feed, boe(igst=9000), boe("2222222", gstin=DL), status=400)
    assert [(d["path"], d["code"]) for d in body["error"]["details"]] == [
        ("boe[0].isamd", "ALREADY_REPORTED"),
        ("boe[1].gstin", "NOT_REGISTERED"),
    ]


def test_r10_1_feed_file_with_one_bad_boe_fails_the_job_and_saves_nothing(set_clock, recipient, feed):
    set_clock("2025-11-05 10:00")
    data = json.dumps({"boe": [boe("1000001"), boe("1000002", boedt="31-02-2025"), boe("1000003")]}).encode()
    f = io.BytesIO(data)
    f.name = "feed.json"
    r = feed.post("/api/v1/customs/boe/uploads", {"file": f}, format="multipart")
    assert r.status_code == 202, r.content
    job = Job.objects.get(id=r.json()["id"])
    assert job.status == "failed"
    assert [(d["path"], d["code"]) for d in job.error["details"]] == [("boe[1].boedt", "INVALID_DATE")]
    assert not BillOfEntry.objects.exists() and not ImsRecord.objects.exists()

    f = io.BytesIO(json.dumps({"boe": [boe("1000001"), boe("1000003")]}).encode())
    f.name = "feed.json"
    job = Job.objects.get(
        id=feed.post("/api/v1/customs/boe/uploads", {"file": f}, format="multipart").json()["id"]
    )
    assert job.status == "succeeded", job.error
    assert job.result == {"created": 2, "amended": 0, "unchanged": 0}
    assert job.done == job.total > 0


# --- in IMS from 10-2025 ----------------------------------------------------------------------------


def test_r10_2_september_boe_goes_straight_to_2b_without_ims(set_clock, recipient, feed):
    set_clock("2025-10-05 10:00")
    post(feed, boe("3000001", refdt="15-09-2025", txval=50000, igst=9000, cess=500))
    owner = member(recipient, Role.OWNER)
    listed = client_for(owner).get(f"/api/v1/ims/{KA}/inward").json()["records"]
    assert listed == []
    r = rec(recipient, "3000001")
    assert (r.itc_period, r.active, r.action) == (202509, False, "N")

    set_clock("2025-10-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=recipient, period=202509, by="x"))["data"]
    assert imports(data)["impg"] == {
        "txval": D("50000"),
        "igst": D("9000"),
        "cgst": D("0"),
        "sgst": D("0"),
        "cess": D("500"),
    }
    [line] = data["docdata"]["impg"]
    assert (line["boenum"], line["portcode"], line["refdt"], line["isamd"]) == (
        "3000001",
        "INNSA1",
        "15-09-2025",
        "N",
    )


def test_r10_2_october_boe_in_ims_reject_refused_pending_carried_no_action_deemed_into_4a1(
    set_clock, recipient, feed
):
    owner = member(recipient, Role.OWNER)
    c = client_for(owner)
    set_clock("2025-11-05 10:00")
    post(feed, boe("4000001", igst=18000, cess=1000), boe("4000002", txval=20000, igst=3600, cess=200))
    a, b = rec(recipient, "4000001"), rec(recipient, "4000002")
    assert (a.section, a.itc_period, a.active) == ("impg", 202510, True)
    summary = c.get(f"/api/v1/ims/{KA}/summary").json()
    assert summary["impg"] == {"noaction": 2, "accept": 0, "reject": 0, "pending": 0}

    out = act(c, KA, {"id": a.id, "action": "R"}, {"id": b.id, "action": "P", "remarks": "checking"})
    assert [(e["id"], e["code"]) for e in out["errors"]] == [
        (a.id, "REJECT_NOT_ALLOWED"),
        (b.id, "REMARKS_NOT_ALLOWED"),
    ]
    out = act(c, KA, {"id": b.id, "action": "A", "itcRedReq": "Y"})
    assert out["errors"][0]["code"] == "DECLARATION_NOT_ALLOWED"
    assert act(c, KA, {"id": a.id, "action": "P"})["errors"] == []

    file_3b_row(recipient, 202509)
    set_clock("2025-11-14 10:00")
    gstr2b_recompute(taxpayer=recipient, period=202510, by="x")
    filed = gstr3b_file(taxpayer=recipient, period=202510, by=owner.username)
    # b at N is deemed accepted: its IGST and cess in 4A(1); a, pending, is carried forward.
    assert filed["tables"]["itc"]["4A1"] == {
        "txval": D("20000.00"),
        "igst": D("3600.00"),
        "cgst": D("0.00"),
        "sgst": D("0.00"),
        "cess": D("200.00"),
    }
    assert filed["tables"]["itc"]["net"]["igst"] == D("3600.00")
    a.refresh_from_db(), b.refresh_from_db()
    assert (b.active, b.left_ims, b.deemed_accepted) == (False, True, True)
    assert (a.active, a.action, a.itc_period) == (True, "P", 202511)


def test_r10_2_value_amendment_counts_by_difference(set_clock, recipient, feed):
    owner = member(recipient, Role.OWNER)
    c = client_for(owner)
    set_clock("2025-11-05 10:00")
    post(feed, boe("5000001", txval=100000, igst=18000))
    act(c, KA, {"id": rec(recipient, "5000001").id, "action": "A"})
    file_3b_row(recipient, 202509)
    set_clock("2025-11-14 10:00")
    gstr2b_recompute(taxpayer=recipient, period=202510, by="x")
    gstr3b_file(taxpayer=recipient, period=202510, by=owner.username)

    set_clock("2025-11-20 10:00")
    assert post(feed, boe("5000001", txval=120000, igst=21600, isamd="Y"))["amended"] == 1
    amd = rec(recipient, "5000001", section="impga")
    assert (amd.itc_period, amd.active, amd.waiting_on_original) == (202511, True, False)
    act(c, KA, {"id": amd.id, "action": "A"})
    set_clock("2025-12-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=recipient, period=202511, by="x"))["data"]
    assert imports(data)["impg"]["igst"] == D("3600") and imports(data)["impg"]["txval"] == D("20000")
    [line] = data["docdata"]["impg"]
    assert line["isamd"] == "Y" and line["igst"] == D("21600.00") and line["delta"]["igst"] == D("3600.00")


def test_r10_2_amendment_in_the_same_period_supersedes_and_a_lower_value_nets(set_clock, recipient, feed):
    set_clock("2025-11-05 10:00")
    post(feed, boe("5100001", txval=100000, igst=18000))
    post(feed, boe("5100001", txval=90000, igst=16200, isamd="Y"))
    orig = ImsRecord.objects.get(recipient=recipient, number="5100001", section="impg")
    assert (orig.active, orig.superseded) == (False, True)
    file_3b_row(recipient, 202509)
    set_clock("2025-11-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=recipient, period=202510, by="x"))["data"]
    assert imports(data)["total"]["igst"] == D("16200")


def test_r10_2_gstin_amendment_moves_the_boe(set_clock, recipient, supplier, feed):
    set_clock("2025-11-05 10:00")
    post(feed, boe("6000001"))
    old = rec(recipient, "6000001")
    assert post(feed, boe("6000001", gstin=MH, old_gstin=KA, isamd="Y", igst=17000))["amended"] == 1
    old.refresh_from_db()
    assert (old.removed, old.active) == (True, False)
    assert ImsAudit.objects.filter(record=old, reason__contains="another GSTIN").exists()
    new = rec(supplier, "6000001")
    assert (new.section, new.iamt, new.active) == ("impg", D("17000.00"), True)
    assert BillOfEntry.objects.get(boenum="6000001").importer == supplier
    # The same move reported again changes nothing; a report naming neither importer is refused.
    assert post(feed, boe("6000001", gstin=MH, old_gstin=KA, isamd="Y", igst=17000))["unchanged"] == 1
    body = post(feed, boe("6000001", gstin=KA, igst=17000), status=400)
    assert body["error"]["details"][0]["code"] == "OTHER_IMPORTER"


def test_r10_2_quarterly_importer_gets_the_boe_in_the_quarters_2b(set_clock, feed):
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    set_clock("2025-11-05 10:00")
    post(feed, boe("7000001", gstin=DL, refdt="20-10-2025"))
    assert rec(q, "7000001").itc_period == 202512
    set_clock("2026-01-14 10:00")
    data = gstr2b_reply(gstr2b_recompute(taxpayer=q, period=202512, by="x"))["data"]
    assert imports(data)["impg"]["igst"] == D("18000") and data["docdata"]["impg"][0]["boenum"] == "7000001"


def test_r10_2_ims_list_filters_and_tabs(set_clock, recipient, feed):
    owner = member(recipient, Role.OWNER)
    c = client_for(owner)
    set_clock("2025-11-05 10:00")
    post(feed, boe("8000001"), boe("8000002", portcode="INDEL4", refdt="12-10-2025"))
    got = c.get(f"/api/v1/ims/{KA}/inward?goods_typ=IMP_GDS&portcode=indel4").json()["records"]
    assert [(r["boenum"], r["portcode"], r["boedt"], r["isamd"]) for r in got] == [
        ("8000002", "INDEL4", "12-10-2025", "N")
    ]
    assert c.get(f"/api/v1/ims/{KA}/inward?dt=10-10-2025").json()["records"][0]["boenum"] == "8000001"
    assert c.get(f"/api/v1/ims/{KA}/inward?goods_typ=ALL_OTH").json()["records"] == []
    assert c.get(f"/api/v1/ims/{KA}/inward?section=impg").json()["records"] != []
    r = c.get(f"/api/v1/ims/{KA}/inward?goods_typ=XYZ")
    assert r.status_code == 400 and r.json()["error"]["details"][0]["path"] == "goods_typ"


# --- pages and the Excel round trip ------------------------------------------------------------------------


def _page_text(response) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_r10_2_ims_page_has_an_import_of_goods_tab_without_reject(set_clock, recipient, feed):
    from django.test import Client

    set_clock("2025-11-05 10:00")
    post(feed, boe("8100001", portcode="INMAA1"))
    web = Client()
    web.force_login(member(recipient, Role.OWNER))
    r = web.get(f"/g/{KA}/ims/inward?goods_typ=IMP_GDS")
    assert r.status_code == 200
    html, page = r.content.decode(), _page_text(r)
    assert "8100001" in page and "INMAA1" in page and "Import of goods" in page
    assert 'value="R"' not in html  # no Reject button, no R in the action filter
    assert 'value="A"' in html and 'name="remarks"' not in html
    other = web.get(f"/g/{KA}/ims/inward")
    assert "8100001" not in _page_text(other) and 'value="R"' in other.content.decode()

    # A bulk Reject forced through the form is refused per record, in words.
    rid = rec(recipient, "8100001").id
    r = web.post(
        f"/g/{KA}/ims/inward/actions",
        {"ids": [rid], "action": "R", "qs": "goods_typ=IMP_GDS"},
        HTTP_HX_REQUEST="true",
    )
    assert "cannot be rejected" in _page_text(r) and rec(recipient, "8100001").action == "N"


def test_r10_3_2b_and_3b_pages_show_imports(set_clock, recipient, feed):
    from django.test import Client

    set_clock("2025-11-05 10:00")
    post(feed, boe("8200001", txval=200000, igst=36000), boe("8200002", sez_ctin=MH, txval=10000, igst=1800))
    file_3b_row(recipient, 202509)
    set_clock("2025-11-14 10:00")
    gstr2b_recompute(taxpayer=recipient, period=202510, by="x")
    web = Client()
    web.force_login(member(recipient, Role.OWNER))
    page = _page_text(web.get(f"/g/{KA}/gstr2b/102025"))
    assert "Import of goods from overseas" in page and "8200001" in page and "8200002" in page
    # 4A(1): IGST 36,000 + 1,800 = 37,800 (no action: deemed accepted when 3B is filed).
    page3b = _page_text(web.get(f"/g/{KA}/gstr3b/102025"))
    assert "4A(1) Import of goods" in page3b and "37,800.00" in page3b

    from openpyxl import load_workbook

    xlsx = client_for(member(recipient, Role.VIEWER)).get(f"/api/v1/gstr2b/{KA}/102025/export?format=xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    rows = list(wb["impg"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Record id", "Port code", "Bill of entry number") and rows[1][2] == "8200001"
    assert list(wb["impgsez"].iter_rows(values_only=True))[1][0] == MH


def test_r10_2_excel_round_trip_has_its_own_sheet_and_refuses_r(set_clock, recipient, feed):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    set_clock("2025-11-05 10:00")
    post(feed, boe("8300001"), boe("8300002"))
    c = client_for(member(recipient, Role.OWNER))
    r = c.get(f"/api/v1/ims/{KA}/inward/export?format=xlsx")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    ws = wb["impg"]
    head = [cell.value for cell in ws[1]]
    assert {"Bill of entry number", "Port code", "Reference date (ICEGATE)"} <= set(head)  # words (issue 15)
    assert '"A,P,N"' in [dv.formula1 for dv in ws.data_validations.dataValidation]
    by_number = {row[head.index("Bill of entry number")].value: row for row in ws.iter_rows(min_row=2)}
    by_number["8300001"][head.index("Action")].value = "A"
    by_number["8300002"][head.index("Action")].value = "R"
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post(
        f"/api/v1/ims/{KA}/inward/import",
        {"file": SimpleUploadedFile("IMS.xlsx", buf.getvalue())},
        format="multipart",
    )
    assert r.status_code == 202, r.content
    result = r.json()["result"]
    assert result["processed"] == 1 and [e["code"] for e in result["errors"]] == ["REJECT_NOT_ALLOWED"]
    assert (rec(recipient, "8300001").action, rec(recipient, "8300002").action) == ("A", "N")


# --- a large feed as a job ---------------------------------------------------------------------------------

# Peak resident memory of a process running a 100,000-document GSTR-1 upload job when issue 11 set this
# bound (bench/upload_100k.py, before issue 12 streamed the upload: it now peaks near 200 MiB): the bound a
# customs feed of as many bills of entry must stay within.
GSTR1_UPLOAD_100K_PEAK_MIB = 539


@pytest.mark.django_db(transaction=True)
def test_r10_1_a_100000_boe_feed_file_is_a_job_within_the_gstr1_upload_memory_bound(
    set_clock, staff, monkeypatch
):
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from django.db import connection

    from bench.gen_boe import write_boe_feed
    from bench.gen_gstr1 import recipient_gstins
    from ims_portal.celery import app
    from jobs import runner
    from taxpayers.models import Taxpayer

    set_clock("2025-11-05 10:00")
    importers = recipient_gstins(200, seed=11)
    Taxpayer.objects.bulk_create(
        [
            Taxpayer(gstin=g, legal_name=f"Importer {g}", state_code=g[:2], ims_start_period=202509)
            for g in importers
        ]
    )
    # The request stores the file and queues the job; only the subprocess below runs it.
    monkeypatch.setattr(runner, "send", lambda job: None)
    app.conf.task_always_eager = False
    with tempfile.NamedTemporaryFile("w+", suffix=".json", encoding="utf-8") as fh:
        write_boe_feed(fh, importers=importers, count=100_000, seed=11)
        fh.flush()
        with open(fh.name, "rb") as f:
            r = client_for(staff).post("/api/v1/customs/boe/uploads", {"file": f}, format="multipart")
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "IMS_SANDBOX_CLOCK": "1",
        "DEBUG": "0",
    }
    bench = Path(__file__).resolve().parents[2] / "bench" / "upload_100k.py"
    out = subprocess.run(
        [sys.executable, str(bench), "--run-job", str(job_id)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    _, _seconds, rss_kib = [x for x in out.stdout.splitlines() if x.startswith("JOB ")][-1].split()
    job = Job.objects.get(id=job_id)
    assert job.status == "succeeded", job.error
    assert job.result == {"created": 100_000, "amended": 0, "unchanged": 0}
    assert job.done == job.total > 0
    assert ImsRecord.objects.filter(doc_type="BOE", active=True).count() == 100_000
    assert int(rss_kib) / 1024 < GSTR1_UPLOAD_100K_PEAK_MIB, f"peak RSS {int(rss_kib) / 1024:.0f} MiB"
