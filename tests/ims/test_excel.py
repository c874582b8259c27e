"""The IMS Excel round trip and JSON export (issue 5 items 3-4; R-4.9, R-4.10, R-8.2, R-9.2, R-9.3):
export, edit, import as a job through the same rules as the API, error workbook, tenancy."""

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from core import api as core_api
from ims.api import excel as api_excel
from ims.models import ImsAudit, ImsRecord
from ims.services import excel
from ims.services.actions import ims_actions_apply
from jobs.models import Job
from taxpayers.models import Membership
from taxpayers.services import taxpayer_create
from tests.conftest import KA, MH, TN, client_for, gstr1, inv, member, note, save

EXPORT = f"/api/v1/ims/{KA}/inward/export"
IMPORT = f"/api/v1/ims/{KA}/inward/import"
# The workbook's column headers in words (issue 15), as a practitioner reads them: written out here by hand.
PARTY_FIELDS = [
    "IMS section",
    "Supplier GSTIN",
    "Trade name",
    "Actual supplier (ECO)",
    "Return period",
    "Source form",
    "Filing status",
]
INVOICE_FIELDS = [
    *PARTY_FIELDS,
    "Invoice number",
    "Invoice date",
    "Original invoice number",
    "Original invoice date",
]
NOTE_FIELDS = [
    *PARTY_FIELDS,
    "Note number",
    "Note date",
    "Original note number",
    "Original note date",
    "Note type",
]
COMMON_FIELDS = [
    "Invoice type",
    "Place of supply",
    "Reverse charge",
    "Document value (₹)",
    "Taxable value (₹)",
    "Integrated tax (₹)",
    "Central tax (₹)",
    "State/UT tax (₹)",
    "Cess (₹)",
    "Pending blocked",
    "Pending allowed until",
    "ITC reduction declared",
    "Declaration blocked",
    "Declared integrated tax (₹)",
    "Declared central tax (₹)",
    "Declared state/UT tax (₹)",
    "Declared cess (₹)",
    "GSTR-2B period",
    "Left IMS",
    "Deemed accepted",
    "Kept out of IMS",
    "Reason kept out",
    "Superseded",
    "Waiting on original",
    "Reduces ITC",
    "Last changed",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def rec(recipient, number: str) -> ImsRecord:
    return ImsRecord.objects.get(recipient=recipient, number=number, removed=False)


@pytest.fixture
def docs(set_clock, supplier, recipient):
    """September: SINV-1 and credit note SCN-1 (2B 092025: a CN that cannot be pending, R-4.4).
    October: INV-1 (1000 / IGST 180, rejected "short supply"), INV-2 (500 / 90), DN-1 and CN-1."""
    set_clock("2025-09-25 10:00")
    save(supplier, "092025", gstr1(b2b=[inv("SINV-1", "05-09-2025")], cdnr=[note("SCN-1", "07-09-2025")]))
    set_clock("2025-10-20 10:00")
    save(
        supplier,
        "102025",
        gstr1(
            b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")],
            cdnr=[note("DN-1", "06-10-2025", ntty="D"), note("CN-1", "07-10-2025")],
        ),
    )
    i1 = rec(recipient, "INV-1")
    out = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": i1.id, "action": "R", "remarks": "short supply"}],
        by="rec-clerk",
        channel="api",
    )
    assert out == {"processed": 1, "errors": []}
    set_clock("2025-10-21 10:00")
    return {n: rec(recipient, n) for n in ("SINV-1", "SCN-1", "INV-1", "INV-2", "DN-1", "CN-1")}


@pytest.fixture
def owner_user(recipient):
    return member(recipient, "owner", "rita")


@pytest.fixture
def owner(owner_user):
    return client_for(owner_user)


def content(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


def export_xlsx(client, query: str = "") -> bytes:
    r = client.get(f"{EXPORT}?format=xlsx{query}")
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == core_api.XLSX
    assert r["Content-Disposition"] == f'attachment; filename="IMS_{KA}_inward.xlsx"'
    return content(r)


def header_of(ws) -> list:
    return [c.value for c in ws[1]]


def rows_by_number(ws) -> dict:
    head = header_of(ws)
    key = "Invoice number" if "Invoice number" in head else "Note number"
    out = {}
    for row in ws.iter_rows(min_row=2):
        values = dict(zip(head, (c.value for c in row), strict=False))
        out[values[key]] = {"cells": row, "values": values}
    return out


def set_cell(ws, number: str, column: str, value) -> None:
    row = rows_by_number(ws)[number]["cells"]
    row[header_of(ws).index(column)].value = value


def upload(client, data: bytes, name: str = "IMS.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def refused(r, code: str, status: int) -> None:
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code


# --- export ----------------------------------------------------------------------------------------------


def test_issue5_r4_10_xlsx_export_sheets_columns_validation_hidden_id_hash(docs, owner):
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    # One sheet per non-empty section, in IMS order (no b2ba, b2bdna, b2bcna, ecom, ecoma records).
    assert wb.sheetnames == ["b2b", "b2bdn", "b2bcn"]
    b2b, dn, cn = wb["b2b"], wb["b2bdn"], wb["b2bcn"]
    assert header_of(b2b) == ["Action", "Remarks", *INVOICE_FIELDS, *COMMON_FIELDS, "id", "hash"]
    assert header_of(cn) == ["Action", "Remarks", *NOTE_FIELDS, *COMMON_FIELDS, "id", "hash"]
    # Every field of the API's record layout is a column (action / remarks through Action / Remarks).
    listed = owner.get(f"/api/v1/ims/{KA}/inward?section=b2b").json()["records"][0]
    assert len(header_of(b2b)) == len(listed) and {"Action", "Remarks", "id", "hash"} <= set(header_of(b2b))
    for ws in (b2b, dn, cn):
        head = header_of(ws)
        id_col, hash_col = (get_column_letter(head.index(n) + 1) for n in ("id", "hash"))
        assert ws.column_dimensions[id_col].hidden and ws.column_dimensions[hash_col].hidden
        assert not ws.column_dimensions["A"].hidden
        (dv,) = ws.data_validations.dataValidation
        assert (dv.type, dv.formula1, dv.allow_blank) == ("list", '"A,R,P,N"', True)
        assert str(dv.sqref) == "A2:A1048576"
    b2b_rows = rows_by_number(b2b)
    assert list(b2b_rows) == ["SINV-1", "INV-1", "INV-2"]  # ordered by id
    i1 = b2b_rows["INV-1"]["values"]
    i1_rec = docs["INV-1"]
    assert (i1["Action"], i1["Remarks"], i1["id"], i1["hash"]) == (
        "R",
        "short supply",
        i1_rec.id,
        i1_rec.hash,
    )
    assert (
        i1["Supplier GSTIN"],
        i1["Invoice date"],
        i1["Return period"],
        i1["GSTR-2B period"],
        i1["Filing status"],
    ) == (
        MH,
        "05-10-2025",
        "102025",
        "102025",
        "Not Filed",
    )
    # Amounts are numbers, not text.
    tax = ("Taxable value (₹)", "Integrated tax (₹)", "Document value (₹)", "Central tax (₹)")
    assert tuple(i1[k] for k in tax) == (1000, 180, 1180, 0)
    assert isinstance(i1["Taxable value (₹)"], int | float)
    # … shown with Indian digit grouping.
    assert (
        "##\\,##\\,##0.00"
        in b2b_rows["INV-1"]["cells"][header_of(b2b).index("Taxable value (₹)")].number_format
    )
    i2 = b2b_rows["INV-2"]["values"]
    assert (i2["Action"], i2["Remarks"], i2["Taxable value (₹)"], i2["id"]) == (
        "N",
        None,
        500,
        docs["INV-2"].id,
    )
    scn = rows_by_number(cn)["SCN-1"]["values"]
    assert (scn["Note type"], scn["Reduces ITC"], scn["Pending blocked"]) == ("C", True, "Y")


def test_issue5_xlsx_export_applies_the_list_filters(docs, owner):
    wb = load_workbook(io.BytesIO(export_xlsx(owner, "&section=b2b&rtnprd=102025")))
    assert wb.sheetnames == ["b2b"]
    assert list(rows_by_number(wb["b2b"])) == ["INV-1", "INV-2"]
    wb = load_workbook(io.BytesIO(export_xlsx(owner, "&action=R")))
    assert wb.sheetnames == ["b2b"] and list(rows_by_number(wb["b2b"])) == ["INV-1"]
    refused(owner.get(f"{EXPORT}?format=xlsx&section=nope"), "VALIDATION", 400)
    refused(owner.get(f"{EXPORT}?format=csv"), "VALIDATION", 400)


def test_issue5_json_export_equals_the_list_for_the_same_filter(docs, owner, django_assert_max_num_queries):
    for query in ("", "&section=b2b", "&rtnprd=092025", "&action=N"):
        with django_assert_max_num_queries(8):
            r = owner.get(f"{EXPORT}?format=json{query}")
            body = json.loads(content(r))
        assert r.status_code == 200
        assert r["Content-Type"] == "application/json"
        pages, cursor = [], None
        while True:
            url = f"/api/v1/ims/{KA}/inward?limit=2{query}" + (f"&cursor={cursor}" if cursor else "")
            page = owner.get(url).json()
            pages += page["records"]
            if not (cursor := page["next_cursor"]):
                break
        assert body == {"records": pages, "next_cursor": None}
    everything = json.loads(content(owner.get(f"{EXPORT}?format=json")))["records"]
    assert [x["inum"] if "inum" in x else x["nt_num"] for x in everything] == [
        "SINV-1",
        "SCN-1",
        "INV-1",
        "INV-2",
        "DN-1",
        "CN-1",
    ]
    # GSTN's IMS record layout: the names of GSTN's record, amounts as JSON numbers.
    cn = everything[1]
    assert {"stin", "trdnm", "rtnprd", "srcfilstatus", "nt_num", "nt_dt", "typ", "action", "hash"} <= set(cn)
    assert (cn["typ"], cn["txval"], cn["iamt"]) == ("C", 1000.0, 180.0)


# --- import ----------------------------------------------------------------------------------------------


def test_issue5_r4_10_round_trip_applies_changed_rows_and_returns_error_workbook(docs, owner, recipient):
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    set_cell(wb["b2b"], "INV-2", "Action", "A")
    set_cell(wb["b2b"], "SINV-1", "Action", "r")  # letters are read case-insensitively
    set_cell(wb["b2b"], "SINV-1", "Remarks", "Not received")
    set_cell(wb["b2bcn"], "SCN-1", "Action", "P")  # a 092025 credit note cannot be pending
    set_cell(wb["b2bdn"], "DN-1", "Action", None)  # blank = N = its current action: unchanged
    # Left alone: INV-1 (R "short supply") and CN-1 (N).
    r = upload(owner, saved(wb))
    assert r.status_code == 202, r.content
    job = r.json()
    assert r["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["error"]) == ("ims_import", "succeeded", None)
    # 6 rows = 2 applied (INV-2, SINV-1) + 3 unchanged (INV-1, DN-1, CN-1) + 1 refused (SCN-1).
    scn = docs["SCN-1"]
    error_file = f"/api/v1/jobs/{job['id']}/files/errors.xlsx"
    assert job["result"] == {
        "processed": 2,
        "unchanged": 3,
        "errors": [
            {
                "id": scn.id,
                "code": "PENDING_NOT_ALLOWED",
                "message": "An ITC-reducing record of a 2B period before 10-2025 cannot be kept pending.",
            }
        ],
        "error_file": error_file,
    }
    assert job["progress"] == {"done": 6, "total": 6}
    changed = {n: rec(recipient, n) for n in ("INV-2", "SINV-1", "SCN-1", "INV-1", "DN-1")}
    assert (changed["INV-2"].action, changed["INV-2"].remarks) == ("A", None)
    assert (changed["SINV-1"].action, changed["SINV-1"].remarks) == ("R", "Not received")
    assert (changed["SCN-1"].action, changed["INV-1"].action, changed["DN-1"].action) == ("N", "R", "N")
    last = {
        n: ImsAudit.objects.filter(record=changed[n]).order_by("-id").first() for n in ("INV-2", "SINV-1")
    }
    assert [(a.channel, a.by, a.from_action, a.to_action) for a in last.values()] == [
        ("upload", "rita", "N", "A"),
        ("upload", "rita", "N", "R"),
    ]
    # Unchanged and refused rows wrote no audit row.
    assert ImsAudit.objects.filter(channel="upload").count() == 2
    # The error workbook: the refused row with its columns plus Error code and Reason.
    r = owner.get(error_file)
    assert r.status_code == 200
    errors = load_workbook(io.BytesIO(content(r)))
    assert errors.sheetnames == ["b2bcn"]
    ws = errors["b2bcn"]
    head = header_of(ws)
    # Issue 15: Error code and Reason first, not at the far right; Action and Remarks stay in view.
    assert head == ["Error code", "Reason", "Action", "Remarks", *NOTE_FIELDS, *COMMON_FIELDS, "id", "hash"]
    assert ws.freeze_panes == "E2"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    row = dict(zip(head, rows[0], strict=True))
    assert (row["Note number"], row["Action"], row["id"], row["Error code"]) == (
        "SCN-1",
        "P",
        scn.id,
        "PENDING_NOT_ALLOWED",
    )
    assert ws.column_dimensions[get_column_letter(head.index("id") + 1)].hidden
    # the same workbook again changes nothing: every applied row is now unchanged.
    second = upload(owner, saved(wb)).json()
    again = second["result"]
    assert (again["processed"], again["unchanged"], [e["code"] for e in again["errors"]]) == (
        0,
        5,
        ["PENDING_NOT_ALLOWED"],
    )
    assert ImsAudit.objects.filter(channel="upload").count() == 2
    # The upload itself is not kept once its job has ended; the error workbooks are.
    stored = sorted(p.name for p in excel.jobfiles_dir().iterdir())
    assert stored == [f"{job['id']}-errors.xlsx", f"{second['id']}-errors.xlsx"]


def test_r4_10_a_record_on_two_rows_is_refused_on_both(docs, owner, recipient):
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    ws = wb["b2b"]
    set_cell(ws, "INV-2", "Action", "A")
    ws.append([c.value for c in rows_by_number(ws)["INV-2"]["cells"]])  # the same record again
    set_cell(ws, "SINV-1", "Action", "A")
    job = upload(owner, saved(wb)).json()
    inv2 = docs["INV-2"].id
    assert [(e["id"], e["code"]) for e in job["result"]["errors"]] == [(inv2, "INVALID_ACTION")] * 2
    assert job["result"]["processed"] == 1
    assert rec(recipient, "INV-2").action == "N"
    assert rec(recipient, "SINV-1").action == "A"


def test_issue5_r4_10_row_changed_by_supplier_after_export_is_stale(
    docs, owner, supplier, recipient, set_clock
):
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    before = docs["INV-2"].hash
    set_clock("2025-10-22 10:00")
    out = save(supplier, "102025", gstr1(b2b=[inv("INV-2", "06-10-2025", txval="600.00")]))
    assert out["updated"] == 1
    i2 = rec(recipient, "INV-2")
    assert i2.id == docs["INV-2"].id and i2.hash != before
    set_cell(wb["b2b"], "INV-2", "Action", "A")
    result = upload(owner, saved(wb)).json()["result"]
    assert (result["processed"], result["unchanged"]) == (0, 5)
    assert [(e["id"], e["code"]) for e in result["errors"]] == [(i2.id, "STALE")]
    i2.refresh_from_db()
    assert i2.action == "N"


def test_issue5_rows_without_a_record_of_this_gstin_are_not_found(docs, owner, set_clock):
    other = taxpayer_create(gstin=TN, legal_name="TN Co", ims_start_period="092025")
    sup = taxpayer_create(gstin="24AANFA2641L1ZF", legal_name="GJ Co", ims_start_period="092025")
    save(sup, "102025", gstr1(b2b=[inv("GJ-1", "05-10-2025", pos="33")], ctin=TN))
    foreign = rec(other, "GJ-1")
    wb = load_workbook(io.BytesIO(export_xlsx(owner, "&section=b2b")))
    ws = wb["b2b"]
    head = header_of(ws)
    ws.append(["A" if h == "Action" else foreign.id if h == "id" else None for h in head])  # not ours
    ws.append(["A", None, "typed by hand"])  # no id
    ws.append([None] * len(head))  # blank row: not a data row
    result = upload(owner, saved(wb)).json()["result"]
    # 3 exported rows unchanged + 2 refused = 5 data rows.
    assert (result["processed"], result["unchanged"]) == (0, 3)
    assert [(e["id"], e["code"]) for e in result["errors"]] == [
        (foreign.id, "NOT_FOUND"),
        (None, "NOT_FOUND"),
    ]
    foreign.refresh_from_db()
    assert foreign.action == "N"


def test_issue5_refuses_files_that_are_not_an_ims_workbook(docs, owner, monkeypatch):
    refused(upload(owner, b'{"b2b": []}', "IMS.xlsx"), "UNSUPPORTED_FORMAT", 400)
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    refused(upload(owner, other_zip.getvalue()), "UNSUPPORTED_FORMAT", 400)
    plain = Workbook()
    plain.active.append(["Invoice", "Amount"])
    refused(upload(owner, saved(plain)), "UNSUPPORTED_FORMAT", 400)
    refused(owner.post(IMPORT, {}, format="multipart"), "VALIDATION", 400)
    good = export_xlsx(owner)
    monkeypatch.setattr(excel, "MAX_IMPORT_BYTES", len(good) - 1)
    refused(upload(owner, good), "TOO_LARGE", 413)
    monkeypatch.setattr(api_excel, "MAX_BODY", 1000)
    refused(upload(owner, good), "TOO_LARGE", 413)
    assert not Job.objects.filter(kind="ims_import").exists()


def test_r8_2_export_import_and_job_files_by_role(docs, owner, recipient, outsider):
    viewer = client_for(member(recipient, "viewer"))
    preparer = client_for(member(recipient, "preparer"))
    stranger = client_for(outsider)
    good = export_xlsx(owner)
    assert viewer.get(f"{EXPORT}?format=xlsx").status_code == 200
    assert viewer.get(f"{EXPORT}?format=json").status_code == 200
    refused(upload(viewer, good), "FORBIDDEN", 403)
    for fmt in ("xlsx", "json"):
        refused(stranger.get(f"{EXPORT}?format={fmt}"), "NOT_FOUND", 404)
    refused(upload(stranger, good), "NOT_FOUND", 404)
    wb = load_workbook(io.BytesIO(good))
    set_cell(wb["b2bcn"], "SCN-1", "Action", "P")
    r = upload(preparer, saved(wb))
    assert r.status_code == 202
    url = r.json()["result"]["error_file"]
    assert viewer.get(url).status_code == 200  # members of the GSTIN see its jobs
    refused(stranger.get(url), "NOT_FOUND", 404)
    job_id = r.json()["id"]
    for name in ("nope.xlsx", ".errors.xlsx", f"{job_id}-errors.xlsx"):
        refused(owner.get(f"/api/v1/jobs/{job_id}/files/{name}"), "NOT_FOUND", 404)
    assert owner.get(f"/api/v1/jobs/{job_id}/files/..%2F..%2Fmanage.py").status_code == 404
    refused(owner.get("/api/v1/jobs/x/files/errors.xlsx"), "NOT_FOUND", 404)


def test_issue5_export_keeps_formula_like_text_as_text(docs, owner, recipient):
    out = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": docs["INV-2"].id, "action": "R", "remarks": '=HYPERLINK("x")'}],
        by="rita",
        channel="api",
    )
    assert out["errors"] == []
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    cell = rows_by_number(wb["b2b"])["INV-2"]["cells"][1]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
    # Imported back unchanged: the remark is compared as text.
    result = upload(owner, saved(wb)).json()["result"]
    assert (result["processed"], result["unchanged"], result["errors"]) == (0, 6, [])


def test_issue5_import_reports_progress_per_chunk(docs, owner, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(excel, "IMPORT_CHUNK", 2)
    wb = load_workbook(io.BytesIO(export_xlsx(owner)))
    for n in ("INV-2", "SINV-1"):
        set_cell(wb["b2b"], n, "Action", "A")
    seen = []
    real = excel.job_progress

    def spy(job, done, total):
        seen.append((done, total))
        real(job, done, total)

    monkeypatch.setattr(excel, "job_progress", spy)
    data = saved(wb)
    with django_assert_max_num_queries(60):
        result = upload(owner, data).json()["result"]
    assert (result["processed"], result["unchanged"], result["errors"]) == (2, 4, [])
    assert seen == [(0, 6), (2, 6), (4, 6), (6, 6)]
    assert rec(docs["INV-2"].recipient, "INV-2").action == "A"


# --- pages -----------------------------------------------------------------------------------------------


def page_client(user):
    c = Client()
    c.force_login(user)
    return c


def test_issue5_ims_page_offers_download_and_upload_excel_by_role(docs, owner_user, recipient, outsider):
    page = f"/g/{KA}/ims/inward"
    html = page_client(owner_user).get(f"{page}?section=b2b&action=R").content.decode()
    # The downloads follow the filters and the tab (All other ITC unless Import of goods is open).
    # Excel through the page's export (a job when large, issue 12); JSON straight from the API.
    query = "section=b2b&amp;action=R&amp;goods_typ=ALL_OTH"
    assert f'href="/g/{KA}/ims/inward/export.xlsx?format=xlsx&amp;{query}"' in html
    assert f'href="/api/v1/ims/{KA}/inward/export?format=json&amp;{query}"' in html
    assert '<label for="ims-import-file">Upload Excel' in html
    assert 'id="ims-import-file" type="file" name="file"' in html
    viewer = member(recipient, "viewer")
    html = page_client(viewer).get(page).content.decode()
    assert "Download Excel" in html and "ims-import-file" not in html
    good = export_xlsx(client_for(owner_user))
    post = f"/g/{KA}/ims/inward/import"
    assert page_client(viewer).post(post, {"file": SimpleUploadedFile("x.xlsx", good)}).status_code == 403
    assert page_client(outsider).post(post, {"file": SimpleUploadedFile("x.xlsx", good)}).status_code == 404


def test_issue5_upload_excel_page_starts_the_job_and_shows_the_outcome(docs, owner_user, recipient, outsider):
    c = page_client(owner_user)
    wb = load_workbook(io.BytesIO(export_xlsx(client_for(owner_user))))
    set_cell(wb["b2b"], "INV-2", "Action", "A")
    set_cell(wb["b2bcn"], "SCN-1", "Action", "P")
    r = c.post(f"/g/{KA}/ims/inward/import", {"file": SimpleUploadedFile("IMS.xlsx", saved(wb))})
    job = Job.objects.get(kind="ims_import")
    assert r.status_code == 302 and r["Location"] == f"/g/{KA}/ims/inward/import/{job.id}"
    html = c.get(r["Location"]).content.decode()
    assert "Import finished" in html
    assert '<strong class="num">1</strong> applied' in html
    assert '<strong class="num">4</strong> unchanged' in html
    assert '<strong class="num">1</strong> refused' in html
    assert f'href="/api/v1/jobs/{job.id}/files/errors.xlsx"' in html
    assert "PENDING_NOT_ALLOWED" in html
    assert rec(recipient, "INV-2").action == "A"
    # htmx: the fragment only, polling until the job ends; a refusal is the fragment's message.
    fragment = c.get(r["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Import finished" in fragment and "hx-get" not in fragment
    bad = c.post(
        f"/g/{KA}/ims/inward/import",
        {"file": SimpleUploadedFile("IMS.xlsx", b"not a workbook")},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and "UNSUPPORTED_FORMAT" in bad.content.decode()
    plain = c.post(f"/g/{KA}/ims/inward/import", {"file": SimpleUploadedFile("IMS.xlsx", b"not a workbook")})
    assert plain.status_code == 400 and "UNSUPPORTED_FORMAT" in plain.content.decode()
    # Another GSTIN's page does not show this job; outsiders see nothing.
    other = taxpayer_create(gstin=TN, legal_name="TN Co", ims_start_period="092025")
    Membership.objects.create(user=owner_user, taxpayer=other, role="owner")
    assert c.get(f"/g/{TN}/ims/inward/import/{job.id}").status_code == 404
    assert page_client(outsider).get(r["Location"]).status_code == 404


def test_issue5_one_upload_job_per_gstin_covers_imports_too(docs, owner, recipient):
    from core import clock
    from jobs.models import Job, JobStatus

    Job.objects.create(
        kind="gstr1_upload", taxpayer=recipient, params={}, status=JobStatus.RUNNING, created_at=clock.now()
    )
    refused(upload(owner, export_xlsx(owner)), "UPLOAD_IN_PROGRESS", 409)


# --- issue 14, High 2: workbook bombs are refused before any work -------------------------------------------


def _rezip(data: bytes, change) -> bytes:
    """The workbook with ``change(name, bytes) -> bytes`` applied to each part."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def test_issue14_h2_two_million_shared_strings_are_refused_small_file_and_all(docs, owner, recipient):
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="2000000" uniqueCount="2000000">'
        + b"<si><t>x</t></si>" * 2_000_000
        + b"</sst>"
    )

    def bomb(name, part):
        # The shared-strings part Excel writes, declared in the content types and the workbook's rels.
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return part

    data = _rezip(export_xlsx(owner), bomb)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    data = buf.getvalue()
    assert len(data) < 200 * 1024  # a small file
    r = upload(owner, data)
    refused(r, "UNSUPPORTED_FORMAT", 400)
    assert not Job.objects.filter(kind="ims_import").exists()


def test_issue14_h2_a_sheet_declared_a1_xfd1048576_is_refused(docs, owner):
    def declared(name, part):
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', part, count=1)
        return part

    edited = saved(load_workbook(io.BytesIO(export_xlsx(owner))))  # as Excel saves it: with a dimension
    r = upload(owner, _rezip(edited, declared))
    body = r.json()["error"]
    assert (r.status_code, body["code"]) == (400, "UNSUPPORTED_FORMAT")
    assert "A1:XFD1048576" in body["message"]


def test_issue14_h2_rows_are_read_as_stored_not_as_declared(docs, owner, recipient):
    """A workbook that passes the declared-size check still cannot make the job walk padded rows: the job
    reads only the rows and IMS columns the sheet holds."""
    data = export_xlsx(owner)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    ws.cell(row=5000, column=60, value="far away")  # declares A1:BH5000
    r = upload(owner, saved(wb))
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["status"] == "succeeded", job
    assert job["result"]["errors"] == []


def test_issue12_an_export_above_the_sync_limit_is_a_job_with_its_workbook(
    docs, owner, owner_user, recipient, settings
):
    small = load_workbook(io.BytesIO(export_xlsx(owner, "&section=b2b")))
    settings.IMS_EXPORT_SYNC_MAX = 2  # 3 B2B records: more than the limit
    r = owner.get(f"{EXPORT}?format=xlsx&section=b2b")
    assert r.status_code == 202 and r["Location"] == f"/api/v1/jobs/{r.json()['id']}"
    job = r.json()
    assert (job["kind"], job["status"], job["progress"]) == (
        "ims_export",
        "succeeded",
        {"done": 3, "total": 3},
    )
    assert job["result"] == {"records": 3, "file": f"/api/v1/jobs/{job['id']}/files/IMS_{KA}_inward.xlsx"}
    wb = load_workbook(io.BytesIO(content(owner.get(job["result"]["file"]))))
    # The same workbook as the synchronous export of the same filter.
    assert [[c.value for c in row] for row in wb["b2b"].iter_rows()] == [
        [c.value for c in row] for row in small["b2b"].iter_rows()
    ]
    # The page's "Download Excel" follows the job and offers the file.
    page = page_client(owner_user).get(f"/g/{KA}/ims/inward/export.xlsx?format=xlsx&section=b2b")
    html = page.content.decode()
    assert page.status_code == 200 and "Preparing your IMS workbook" in html and "Back to IMS" in html
    assert "Download the workbook" in html and f"IMS_{KA}_inward.xlsx" in html
    # Below the limit the page answers the workbook itself.
    settings.IMS_EXPORT_SYNC_MAX = 10
    r = page_client(owner_user).get(f"/g/{KA}/ims/inward/export.xlsx?section=b2b")
    assert r.status_code == 200 and r["Content-Type"] == core_api.XLSX


def test_issue17_a_preparers_workbook_under_maker_checker_proposes_its_rejects(docs, owner, recipient):
    """Maker-checker "reject": a preparer's workbook accepts INV-2 (applied), rejects SINV-1 (proposed)."""
    from ims.models import Proposal

    recipient.maker_checker = "reject"
    recipient.save(update_fields=["maker_checker"])
    preparer = client_for(member(recipient, "preparer", "pia"))
    wb = load_workbook(io.BytesIO(export_xlsx(preparer)))
    set_cell(wb["b2b"], "INV-2", "Action", "A")
    set_cell(wb["b2b"], "SINV-1", "Action", "R")
    set_cell(wb["b2b"], "SINV-1", "Remarks", "Not received")
    r = upload(preparer, saved(wb))
    assert r.status_code == 202, r.content
    result = r.json()["result"]
    assert (result["processed"], result["proposed"], result["errors"]) == (1, 1, [])
    assert rec(recipient, "INV-2").action == "A"
    assert rec(recipient, "SINV-1").action == "N"
    proposal = Proposal.objects.get()
    assert (proposal.record_id, proposal.action, proposal.remarks, proposal.proposed_by) == (
        docs["SINV-1"].id,
        "R",
        "Not received",
        "pia",
    )
