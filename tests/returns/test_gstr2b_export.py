"""GSTR-2B export (issue 5 item 4, API.md ``GET /gstr2b/{gstin}/{period}/export``): the JSON is the reply of
GET 2B; the workbook has a Summary sheet of values and one sheet per section (R-5.4, R-8.2)."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from core import clock
from ims.models import ImsRecord
from returns.models import Gstr3bFiling
from tests.conftest import KA, MH, client_for, gstr1, inv, member, note

BASE = f"/api/v1/gstr2b/{KA}"
HEADS = ("txval", "igst", "cgst", "sgst", "cess")


@pytest.fixture
def owner(recipient):
    return client_for(member(recipient, "owner", "rita"))


@pytest.fixture
def october(set_clock, supplier, recipient, owner):
    """INV-1 (1000 / IGST 180), INV-2 (500 / 90, rejected "wrong rate") and CN-1 (1000 / 180) filed for
    October 2025; 2B 102025 version 1 generated on 14-11-2025."""
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    body = gstr1(
        b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")],
        cdnr=[note("CN-1", "07-10-2025")],
    )
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json").status_code == 201
    set_clock("2025-11-05 10:00")
    for p in ("092025", "102025"):
        assert sup.post(f"/api/v1/gstr1/{MH}/{p}/file", {"form": "GSTR1"}, format="json").status_code == 200
    set_clock("2025-11-14 10:00")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())
    rid = ImsRecord.objects.get(number="INV-2").id
    r = owner.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {"actions": [{"id": rid, "action": "R", "remarks": "wrong rate"}]},
        format="json",
    )
    assert r.json()["errors"] == []
    r = owner.post(f"{BASE}/102025/generate", {}, format="json")
    assert r.status_code == 202 and r.json()["result"] == {"version": 1}, r.content


def workbook(client, query: str = ""):
    r = client.get(f"{BASE}/102025/export?format=xlsx{query}")
    assert r.status_code == 200, r.content
    assert r["Content-Disposition"] == f'attachment; filename="GSTR2B_{KA}_102025_v1.xlsx"'
    return load_workbook(io.BytesIO(b"".join(r.streaming_content)))


def table(ws, header_row: int = 1) -> list[dict]:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_issue5_r5_4_xlsx_summary_values_equal_itcsumm_and_sections_present(october, owner):
    wb = workbook(owner)
    assert wb.sheetnames == [
        "Summary",
        "b2b",
        "b2ba",
        "cdnr",
        "cdnra",
        "ecom",
        "ecoma",
        "impg",
        "impgsez",
        "Rejected",
    ]
    summary = wb["Summary"]
    assert [c.value for c in summary[4]] == [
        "Group",
        "Sub-group",
        "Section",
        "Taxable",
        "IGST",
        "CGST",
        "SGST",
        "Cess",
    ]
    figures = {(r["Group"], r["Sub-group"], r["Section"]): r for r in table(summary, 4)}
    # Figures are values, never formulas; by hand: INV-1 available, CN-1 reduces, INV-2 rejected.
    assert all(
        summary.cell(row=i, column=j).data_type == "n"
        for i in range(5, summary.max_row + 1)
        for j in range(4, 9)
    )
    b2b = figures[("itcavl", "nonrevsup", "b2b")]
    assert (b2b["Taxable"], b2b["IGST"], b2b["CGST"]) == (1000, 180, 0)
    cdnr = figures[("itcavl", "othersup", "cdnr")]
    assert (cdnr["Taxable"], cdnr["IGST"]) == (1000, 180)
    rejected = figures[("itcRejected", "nonrevsup", "b2b")]
    assert (rejected["Taxable"], rejected["IGST"]) == (500, 90)
    # Every figure of the API's itcsumm is in the sheet, and nothing else.
    itcsumm = owner.get(f"{BASE}/102025").json()["data"]["itcsumm"]
    expected = {
        (g, s, k): tuple(total[h] for h in HEADS)
        for g, subs in itcsumm.items()
        for s, keys in subs.items()
        for k, total in keys.items()
    }
    got = {
        key: tuple(r[c] for c in ("Taxable", "IGST", "CGST", "SGST", "Cess")) for key, r in figures.items()
    }
    assert got == expected
    # Headers in words (issue 15), written out here by hand.
    lines = table(wb["b2b"])
    cols = (
        "GSTIN of supplier",
        "Invoice number",
        "Taxable value (₹)",
        "Integrated tax (₹)",
        "IMS action",
        "Date",
    )
    assert [tuple(x[c] for c in cols) for x in lines] == [(MH, "INV-1", 1000, 180, "N", "05-10-2025")]
    notes = table(wb["cdnr"])
    assert [(x["Note number"], x["Type"], x["Taxable value (₹)"]) for x in notes] == [("CN-1", "C", 1000)]
    assert table(wb["b2ba"]) == [] and [c.value for c in wb["b2ba"][1]][:6] == [
        "GSTIN of supplier",
        "Trade/legal name",
        "Supplier's return period",
        "Supplier's filing date",
        "Record id",
        "Invoice number",
    ]
    rej = table(wb["Rejected"])
    assert [(x["Section"], x["Invoice number"], x["Taxable value (₹)"], x["Remarks"]) for x in rej] == [
        ("b2b", "INV-2", 500, "wrong rate")
    ]


def test_issue5_json_export_equals_get_2b_and_names_the_version(october, owner):
    latest = owner.get(f"{BASE}/102025")
    r = owner.get(f"{BASE}/102025/export?format=json")
    assert r.status_code == 200
    assert r.json() == latest.json()
    assert owner.get(f"{BASE}/102025/export?format=json&version=1").json() == latest.json()
    err = owner.get(f"{BASE}/102025/export?format=json&version=7").json()["error"]
    assert err["code"] == "NOT_FOUND"
    assert owner.get(f"{BASE}/102025/export?format=pdf").json()["error"]["code"] == "VALIDATION"
    d = D(str(r.json()["data"]["itcsumm"]["itcavl"]["nonrevsup"]["b2b"]["igst"]))
    assert d == D("180")


def test_r5_3_export_before_generation_is_not_generated(set_clock, owner):
    set_clock("2025-11-14 10:00")
    for fmt in ("xlsx", "json"):
        r = owner.get(f"{BASE}/092025/export?format={fmt}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "NOT_GENERATED"
        assert r.json()["error"]["details"] == [{"reason": "NOT_YET_GENERATED"}]


def test_r8_2_2b_export_by_role(october, recipient, outsider):
    viewer = client_for(member(recipient, "viewer"))
    assert viewer.get(f"{BASE}/102025/export?format=xlsx").status_code == 200
    r = client_for(outsider).get(f"{BASE}/102025/export?format=xlsx")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_issue12_a_large_2b_workbook_is_a_job_with_the_same_workbook(october, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    small = workbook(owner)
    settings.GSTR2B_EXPORT_SYNC_MAX = 1  # the 2B has more lines than that
    r = owner.get(f"/api/v1/gstr2b/{KA}/102025/export?format=xlsx")
    assert r.status_code == 202
    job = r.json()
    assert (job["kind"], job["status"]) == ("gstr2b_export", "succeeded")
    assert job["result"]["file"].endswith(f"/files/GSTR2B_{KA}_102025_v{job['result']['version']}.xlsx")
    got = owner.get(job["result"]["file"])
    wb = load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    for name in small.sheetnames:
        assert [[c.value for c in row] for row in wb[name].iter_rows()] == [
            [c.value for c in row] for row in small[name].iter_rows()
        ]
    # JSON stays a direct reply whatever the size.
    assert owner.get(f"/api/v1/gstr2b/{KA}/102025/export?format=json").status_code == 200


def test_issue12_the_2b_pages_excel_link_follows_a_job_for_a_large_2b(october, recipient, settings, tmp_path):
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path
    web = Client()
    web.force_login(member(recipient, "viewer"))
    page = web.get(f"/g/{KA}/gstr2b/102025").content.decode()
    assert f'href="/g/{KA}/gstr2b/102025/export.xlsx?version=1"' in page
    r = web.get(f"/g/{KA}/gstr2b/102025/export.xlsx?version=1")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('_102025_v1.xlsx"')
    settings.GSTR2B_EXPORT_SYNC_MAX = 1
    html = web.get(f"/g/{KA}/gstr2b/102025/export.xlsx?version=1").content.decode()
    assert "Preparing your GSTR-2B workbook" in html and "Download the workbook" in html
