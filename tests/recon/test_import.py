"""Issue 16, item 1: importing a purchase register — our template, an accounting export's layout, a layout
that needs the mapping step, JSON from an ERP; bad rows listed with reasons and nothing imported; versions;
files bounded before they are read; tenancy (R-8.2).

Scenario: Acme (27AAPFU0939F1ZV) saves INV-1 (₹1,000.00 + IGST ₹180.00) and INV-2 (₹2,000.00 + ₹360.00) for
Bharat (29AAGCB7383J1Z4) in Nov 2025."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from jobs.models import Job
from recon.models import Line, Match, Register
from tests.conftest import KA, MH, client_for, gstr1, inv, member, save

pytestmark = pytest.mark.django_db

TEMPLATE = (
    "Supplier GSTIN,Supplier name,Document type,Document number,Document date,Place of supply,Reverse charge,"
    "Taxable value,IGST,CGST,SGST,Cess\n"
    f"{MH},Acme,Invoice,INV-1,03-11-2025,29,N,1000.00,180.00,0,0,0\n"
    f'{MH},Acme,Invoice,INV-2,03-11-2025,29-Karnataka,N,"2,000.00",360,,,\n'
    ",Local kirana,Invoice,K-9,03-11-2025,29,N,500.00,0,0,0,0\n"
)


@pytest.fixture
def nov(supplier, recipient):
    save(
        supplier,
        "112025",
        gstr1(b2b=[inv("INV-1", "03-11-2025"), inv("INV-2", "03-11-2025", txval="2000.00")]),
    )


def text(response) -> str:
    """A page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(client, content: bytes, name="books.csv", **extra):
    f = SimpleUploadedFile(name, content)
    return client.post(f"/g/{KA}/reconciliation/import", {"period": "112025", "file": f, **extra})


def test_issue16_our_template_imports_matches_and_leaves_out_unregistered_suppliers(nov, recipient):
    owner = member(recipient, "owner")
    r = upload(web(owner), TEMPLATE.encode())
    assert r.status_code == 302 and "/reconciliation/jobs/" in r["Location"]
    job = Job.objects.get(kind="recon_import")
    assert job.status == "succeeded", job.error
    assert job.result["lines"] == 2 and job.result["left_out"] == 1 and job.result["counts"] == {"matched": 2}
    reg = Register.objects.get()
    assert (reg.period, reg.version, reg.current, reg.lines, reg.source) == (202511, 1, True, 2, "csv")
    two = Line.objects.get(number="INV-2")
    assert (str(two.txval), str(two.iamt), two.pos, two.pan) == ("2000.00", "360.00", "29", "AAPFU0939F")
    page = text(web(owner).get(r["Location"]))
    assert "Version 1: 2 lines imported, 1 without a supplier GSTIN left out." in page


def test_issue16_an_accounting_export_with_title_rows_and_excel_dates_imports_without_mapping(nov, recipient):
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(["Bharat Components Pvt Ltd"])
    ws.append(["Purchase Register 1-Nov-2025 to 30-Nov-2025"])
    ws.append([])
    ws.append(
        [
            "Particulars",
            "GSTIN/UIN",
            "Voucher Type",
            "Supplier Invoice No",
            "Supplier Invoice Date",
            "Place of Supply",
            "Taxable Value",
            "Integrated Tax Amount",
            "Central Tax Amount",
            "State Tax Amount",
            "Cess Amount",
        ]
    )
    ws.append(["Acme", MH, "Purchase", "INV-1", datetime(2025, 11, 3), "Karnataka", 1000.0, 180.0, 0, 0, 0])
    ws.append(["Acme", MH, "Purchase", "INV-2", datetime(2025, 11, 3), "", 2000, 360.0000000001, 0, 0, 0])
    buf = io.BytesIO()
    wb.save(buf)
    owner = member(recipient, "owner")
    r = upload(web(owner), buf.getvalue(), name="tally.xlsx")
    job = Job.objects.get(kind="recon_import")
    assert r.status_code == 302 and job.status == "succeeded", job.error
    assert job.result["counts"] == {"matched": 2}
    assert Line.objects.get(number="INV-1").pos == "29"  # the state's name, as Tally writes it
    assert Line.objects.get(number="INV-2").iamt == Decimal("360.00")  # a float's noise rounded to paise


def test_issue16_an_unknown_layout_asks_for_the_columns_and_imports_with_them(nov, recipient):
    owner = member(recipient, "owner")
    csv = (
        "Vendor code;Tax id;Ref;On;Net;Tax\n"
        f"V1;{MH};INV-1;03/11/2025;1000;180\n"
        f"V1;{MH};INV-2;03/11/2025;2000;360\n"
    ).encode()
    r = upload(web(owner), csv)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Which column holds what?" in page and 'name="col_stin"' in page and "Tax id (column 2)" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    mapping = {"col_stin": "1", "col_number": "2", "col_doc_date": "3", "col_txval": "4", "col_iamt": "5"}
    # A column used twice is refused, the step shown again with the reason.
    bad = web(owner).post(
        f"/g/{KA}/reconciliation/map",
        {
            "period": "112025",
            "token": token,
            "source": "csv",
            "filename": "b.csv",
            **mapping,
            "col_trdnm": "1",
        },
    )
    assert bad.status_code == 400 and "already used for Supplier GSTIN" in bad.content.decode()
    r = web(owner).post(
        f"/g/{KA}/reconciliation/map",
        {"period": "112025", "token": token, "source": "csv", "filename": "b.csv", **mapping},
    )
    assert r.status_code == 302
    job = Job.objects.get(kind="recon_import")
    assert job.status == "succeeded" and job.result["counts"] == {"matched": 2}


def test_issue16_bad_rows_are_listed_with_reasons_and_nothing_is_imported(nov, recipient):
    owner = member(recipient, "owner")
    bad = TEMPLATE + (
        f"{MH[:-1]}X,Acme,Invoice,INV-3,03-11-2025,29,N,100,18,0,0,0\n"
        f"{MH},Acme,Gift,INV-4,31-11-2025,29,N,-100,abc,0,0,0\n"
    )
    r = upload(web(owner), bad.encode())
    job = Job.objects.get(kind="recon_import")
    assert job.status == "failed" and job.error["code"] == "REGISTER_INVALID"
    wheres = sorted(d["path"] for d in job.error["details"])
    assert wheres == [
        "Row 5, Supplier GSTIN",
        "Row 6, Document date",
        "Row 6, Document type",
        "Row 6, IGST",
        "Row 6, Taxable value",
    ]
    assert not Register.objects.exists() and not Line.objects.exists() and not Match.objects.exists()
    page = text(web(owner).get(r["Location"]))
    assert "Row 6, Document date Write the date as DD-MM-YYYY." in page


def test_issue16_a_reimport_is_the_next_version_and_the_current_one(nov, recipient):
    owner = member(recipient, "owner")
    upload(web(owner), TEMPLATE.encode())
    upload(web(owner), TEMPLATE.replace("INV-2", "INV-20").encode())
    v1, v2 = Register.objects.order_by("version")
    assert (v1.version, v1.current, v2.version, v2.current) == (1, False, 2, True)
    assert Job.objects.filter(kind="recon_import").last().result["counts"] == {
        "matched": 1,
        "books_only": 1,
        "ims_only": 1,
    }
    assert Match.objects.filter(register=v1).count() == 2  # the earlier version keeps its result


def test_issue16_json_from_an_erp_is_a_job_with_gstn_field_names(nov, recipient):
    owner = member(recipient, "owner")
    lines = [
        {"stin": MH, "typ": "INV", "num": "INV-1", "dt": "03-11-2025", "txval": 1000, "iamt": 180},
        {"stin": MH, "typ": "INV", "num": "INV-2", "dt": "03-11-2025", "txval": "2000.00", "iamt": "360.00"},
    ]
    r = client_for(owner).post(f"/api/v1/recon/{KA}/112025/register", {"lines": lines}, format="json")
    assert r.status_code == 202 and r.json()["status"] == "succeeded"
    s = client_for(owner).get(f"/api/v1/recon/{KA}/112025/summary").json()
    assert s["counts"]["matched"] == 2 and s["match_rate"] == 100.0 and s["version"] == 1
    bad = client_for(owner).post(
        f"/api/v1/recon/{KA}/112025/register",
        {"lines": [{"stin": MH, "num": "X", "dt": "3/13/2025", "txval": 1}]},
        format="json",
    )
    job = bad.json()
    assert job["status"] == "failed" and job["error"]["details"][0]["path"] == "lines[0].dt"
    assert (
        client_for(owner).post(f"/api/v1/recon/{KA}/112025/register", {"rows": []}, format="json").status_code
        == 400
    )
    odd = client_for(owner).post(
        f"/api/v1/recon/{KA}/112025/register",
        {"lines": ["INV-1", {"stin": MH, "num": {"a": 1}}]},
        format="json",
    )
    details = {(d["path"], d["message"]) for d in odd.json()["error"]["details"]}
    assert ("lines[0]", "Each line is an object with the document's fields.") in details
    assert ("lines[1].num", "Give text or a number.") in details


def test_issue16_files_are_bounded_before_they_are_read(nov, recipient, settings):
    owner = web(member(recipient, "owner"))
    r = upload(owner, b"PK\x03\x04not really a zip")
    assert r.status_code == 302 and not Job.objects.exists()
    assert "not an Excel workbook" in owner.get(r["Location"]).content.decode()
    r = upload(owner, b"\x00\x01binary")
    assert "neither CSV text nor an Excel workbook" in owner.get(r["Location"]).content.decode()
    from recon.services import registers

    registers.MAX_FILE_BYTES, old = 10, registers.MAX_FILE_BYTES
    try:
        r = upload(owner, TEMPLATE.encode())
        assert "larger than" in owner.get(r["Location"]).content.decode()
    finally:
        registers.MAX_FILE_BYTES = old


def test_issue16_strangers_get_404_viewers_403_on_every_reconciliation_route(nov, recipient, outsider):
    owner, viewer = member(recipient, "owner"), member(recipient, "viewer")
    upload(web(owner), TEMPLATE.encode())
    for path in (
        f"/g/{KA}/reconciliation?period=112025",
        f"/g/{KA}/reconciliation/follow-up?period=112025",
        f"/g/{KA}/reconciliation/export.xlsx?period=112025",
    ):
        assert web(outsider).get(path).status_code == 404
        assert web(viewer).get(path).status_code == 200
    assert client_for(outsider).get(f"/api/v1/recon/{KA}/112025/summary").status_code == 404
    assert client_for(outsider).get("/api/v1/recon/29AAAAA0000A1Z5/112025/summary").status_code == 404
    assert upload(web(viewer), TEMPLATE.encode()).status_code == 403
    assert web(outsider).post(f"/g/{KA}/reconciliation/apply", {"period": "112025"}).status_code == 404


def test_issue16_an_upload_is_usable_only_from_the_gstin_it_was_made_for(nov, supplier, recipient):
    owner = web(member(recipient, "owner"))
    csv = f"Vendor code;Tax id;Ref;On;Net\nV1;{MH};INV-1;03/11/2025;1000\n".encode()
    page = upload(owner, csv).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    other = web(member(supplier, "owner"))
    r = other.post(
        f"/g/{MH}/reconciliation/map",
        {
            "period": "112025",
            "token": token,
            "source": "csv",
            "col_stin": "1",
            "col_number": "2",
            "col_doc_date": "3",
            "col_txval": "4",
        },
    )
    assert r.status_code == 302 and not Job.objects.exists()
    assert "no longer here" in other.get(r["Location"]).content.decode()


def test_issue16_the_published_template_is_read_without_a_mapping_step(nov, recipient):
    from django.conf import settings

    template = (settings.BASE_DIR / "static" / "recon" / "purchase-register-template.csv").read_bytes()
    owner = web(member(recipient, "owner"))
    r = upload(owner, template, name="purchase-register-template.csv")
    assert r.status_code == 302 and "/reconciliation/jobs/" in r["Location"]
    job = Job.objects.get(kind="recon_import")
    assert job.status == "succeeded" and job.result["lines"] == 2


def test_issue16_reading_rows_costs_the_same_queries_for_5_or_50_rows(supplier, recipient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    save(supplier, "112025", gstr1(b2b=[inv(f"INV-{i}", "03-11-2025") for i in range(1, 51)]))
    owner = member(recipient, "owner")
    lines = [
        {"stin": MH, "num": f"INV-{i}", "dt": "03-11-2025", "txval": 1000, "iamt": 180} for i in range(1, 51)
    ]
    client_for(owner).post(f"/api/v1/recon/{KA}/112025/register", {"lines": lines}, format="json")
    counts = []
    for limit in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            r = client_for(owner).get(f"/api/v1/recon/{KA}/112025/rows?limit={limit}")
        assert len(r.json()["records"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    page = web(owner)
    with CaptureQueriesContext(connection) as ctx:
        assert page.get(f"/g/{KA}/reconciliation?period=112025").status_code == 200
    assert len(ctx.captured_queries) < 40


def test_issue16_an_import_reports_its_rows_as_progress(nov, recipient):
    owner = web(member(recipient, "owner"))
    upload(owner, TEMPLATE.encode())
    job = Job.objects.get(kind="recon_import")
    assert (job.done, job.total) == (3, 3)  # three data rows under the heading, one left out


def test_issue16_csv_text_is_utf8_even_when_a_character_straddles_the_sample_or_windows_1252(nov, recipient):
    owner = web(member(recipient, "owner"))
    # Names of "é"s (two bytes each) until one straddles the 64 KiB the reader samples.
    rows = "".join(
        f"{MH},{'é' * 199}{'x' * (i % 2)},Invoice,P-{i},03-11-2025,29,N,10,0,0,0,0\n" for i in range(200)
    )
    upload(owner, (TEMPLATE + rows).encode("utf-8"))
    assert Line.objects.filter(number__startswith="P-").count() == 200
    assert Line.objects.get(number="P-199").trdnm == "é" * 199 + "x"
    Register.objects.all().delete()
    upload(owner, TEMPLATE.replace(",Acme,Invoice,INV-2,", ",Acmé,Invoice,INV-2,").encode("cp1252"))
    assert Line.objects.filter(number="INV-2").latest("id").trdnm == "Acmé"
