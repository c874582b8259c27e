"""R-3.13, the whole GSTR-1, and R-6.2, the full GSTR-3B liability, on a realistic return.

Acme Traders (MH, 27, monthly from 092025) files September 2025 with every section a real accounting
export carries (tests/fixtures/gstr1_full_092025.json) and amends it in October
(tests/fixtures/gstr1_amend_102025.json). Every figure below is worked out by hand from those files:

September (all 18% unless said):
    B2B     AT/25-26/101 to KA      10,000.00  IGST 1,800.00                       3.1(a)
    B2B     AT/25-26/102 SEZ (SEWP)  5,000.00  IGST   900.00                       3.1(b)
    B2CL    AT/25-26/103 pos 07    200,000.00  IGST 36,000.00                      3.1(a), 3.2 (07)
    B2CS    pos 27 intra            50,000.00  CGST 4,500.00 + SGST 4,500.00       3.1(a)
    B2CS    pos 29 inter 12%        20,000.00  IGST 2,400.00                       3.1(a), 3.2 (29)
    EXP     WPAY AT/25-26/104      100,000.00  IGST 18,000.00                      3.1(b)
    EXP     WOPAY AT/25-26/105      50,000.00  no tax                              3.1(b)
    CDNUR   B2CL credit note pos 07 10,000.00  IGST 1,800.00 (reduces)             3.1(a), 3.2 (07)
    AT      pos 27 intra            10,000.00  CGST 900.00 + SGST 900.00           3.1(a)
    AT      pos 29 inter             3,000.00  IGST 540.00                         3.1(a), 3.2 (29)
    TXPD    pos 27 intra             4,000.00  CGST 360.00 + SGST 360.00 (reduces) 3.1(a)
    NIL     nil 1,500.00, exempt 2,000.00, non-GST 1,000.00                        3.1(c), 3.1(e)
    HSN, documents issued: descriptive, in no total.
  3.1(a) = 10,000 + 200,000 + 50,000 + 20,000 - 10,000 + 10,000 + 3,000 - 4,000 = 279,000.00;
           IGST 1,800 + 36,000 + 2,400 - 1,800 + 540 = 38,940.00; CGST = SGST = 4,500 + 900 - 360 = 5,040.00
  3.1(b) = 5,000 + 100,000 + 50,000 = 155,000.00; IGST 900 + 18,000 = 18,900.00
  3.1(c) = 1,500 + 2,000 = 3,500.00; 3.1(e) = 1,000.00
  3.2    = 07: 200,000 - 10,000 = 190,000.00 / 34,200.00; 29: 20,000 + 3,000 = 23,000.00 / 2,940.00

October, amendments by difference:
    B2BA  101: 12,000 / 2,160     (+2,000 / +360)         3.1(a)
    B2CLA 103: 210,000 / 37,800   (+10,000 / +1,800)      3.1(a), 3.2 (07)
    EXPA  104: 90,000 / 16,200    (-10,000 / -1,800)      3.1(b)
    CDNURA CN: 8,000 / 1,440      (a smaller note: +2,000 / +360)   3.1(a), 3.2 (07)
    B2CSA pos 29: 25,000 / 3,000  (+5,000 / +600)         3.1(a), 3.2 (29)
    ATA   pos 27: 12,000 / 1,080 + 1,080 (+2,000 / +180 + 180)      3.1(a)
    TXPDA pos 27: 5,000 / 450 + 450 (adjusts 1,000 / 90 + 90 more: reduces)   3.1(a)
    NIL   exempt 800.00                                   3.1(c)
  3.1(a) = 2,000 + 10,000 + 2,000 + 5,000 + 2,000 - 1,000 = 20,000.00;
           IGST 360 + 1,800 + 360 + 600 = 3,120.00; CGST = SGST = 180 - 90 = 90.00
  3.1(b) = -10,000.00 / IGST -1,800.00; 3.1(c) = 800.00; 3.2 = 07: 12,000.00 / 2,160.00; 29: 5,000.00 / 600.00
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ims.models import ImsRecord
from invoices.models import Document, SummaryRow
from returns.services.gstr3b import gstr3b_view
from taxpayers.services import taxpayer_create
from tests.conftest import GJ, client_for, gstr1, inv, member

D = Decimal
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MH = "27AAPFU0939F1ZV"
BASE = f"/api/v1/gstr1/{MH}"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


SEPT = "gstr1_full_092025.json"
OCT = "gstr1_amend_102025.json"


@pytest.fixture
def owner(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    return client_for(member(supplier, "owner"))


def post(c, period, payload):
    return c.post(f"{BASE}/{period}/documents", payload, format="json")


def num(r) -> dict:
    return json.loads(r.content, parse_float=Decimal)


def file_gstr1(c, period):
    r = c.post(f"{BASE}/{period}/file", {"form": "GSTR1"}, format="json")
    assert r.status_code == 200, r.content
    return r


def total(txval="0", igst="0", cgst="0", sgst="0", cess="0") -> dict:
    return {"txval": D(txval), "igst": D(igst), "cgst": D(cgst), "sgst": D(sgst), "cess": D(cess)}


def liability(supplier, period) -> dict:
    return gstr3b_view(taxpayer=supplier, period=period)["tables"]["liability"]


SEPT_COUNTS = {
    "b2b": 2,
    "b2cl": 1,
    "exp": 2,
    "cdnur": 1,
    "b2cs": 2,
    "nil": 2,
    "at": 2,
    "txpd": 1,
    "hsn": 2,
    "doc_issue": 2,
}


def test_r3_13_a_real_full_gstr1_is_saved_whole_and_resaved_unchanged(owner, supplier):
    r = post(owner, "092025", load(SEPT))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 17, "updated": 0, "unchanged": 0}
    sections = dict.fromkeys(SEPT_COUNTS, 0)
    for section in Document.objects.values_list("section", flat=True):
        sections[section] += 1
    for section in SummaryRow.objects.values_list("section", flat=True):
        sections[section] += 1
    assert sections == SEPT_COUNTS
    # none but the B2B documents reaches anyone's IMS.
    assert sorted(ImsRecord.objects.values_list("number", flat=True)) == ["AT/25-26/101", "AT/25-26/102"]
    again = post(owner, "092025", load(SEPT))
    assert again.json() == {"form": "GSTR1", "created": 0, "updated": 0, "unchanged": 17}


def test_r3_13_the_documents_read_returns_every_section_as_gstn_shapes_it(owner):
    post(owner, "092025", load(SEPT))
    out = num(owner.get(f"{BASE}/092025/documents"))
    sent = load(SEPT)
    assert set(out) - {"gstin", "fp"} == set(SEPT_COUNTS)
    b2cl = out["b2cl"][0]
    assert (b2cl["pos"], b2cl["inv"][0]["inum"], b2cl["inv"][0]["val"]) == (
        "07",
        "AT/25-26/103",
        D("236000.00"),
    )
    assert b2cl["inv"][0]["itms"][0]["itm_det"]["iamt"] == D("36000.00")
    exp = {g["exp_typ"]: g["inv"][0] for g in out["exp"]}
    assert (exp["WPAY"]["sbpcode"], exp["WPAY"]["sbnum"], exp["WPAY"]["sbdt"]) == (
        "INBOM4",
        "1234567",
        "15-09-2025",
    )
    assert exp["WOPAY"]["itms"] == [
        {
            "rt": D("0"),
            "txval": D("50000.00"),
            "iamt": D("0.00"),
            "camt": D("0.00"),
            "samt": D("0.00"),
            "csamt": D("0.00"),
        }
    ]
    cn = out["cdnur"][0]
    assert (cn["typ"], cn["ntty"], cn["nt_num"], cn["pos"], cn["status"]) == (
        "B2CL",
        "C",
        "AT/CN/25-26/7",
        "07",
        "saved",
    )
    b2cs = {row["pos"]: row for row in out["b2cs"]}
    assert (b2cs["27"]["camt"], b2cs["27"]["samt"], b2cs["29"]["iamt"]) == (
        D("4500.00"),
        D("4500.00"),
        D("2400.00"),
    )
    assert {row["sply_ty"]: row["ngsup_amt"] for row in out["nil"]["inv"]} == {
        "INTRB2B": D("300.00"),
        "INTRAB2C": D("700.00"),
    }
    assert [(a["pos"], a["itms"][0]["ad_amt"]) for a in out["at"]] == [
        ("27", D("10000.00")),
        ("29", D("3000.00")),
    ]
    assert out["txpd"][0]["itms"][0]["camt"] == D("360.00")
    assert [h["hsn_sc"] for h in out["hsn"]["data"]] == ["84713010", "998313"]
    assert out["hsn"]["data"][0]["txval"] == D("365000.00")
    assert [
        (d["doc_num"], d["docs"][0]["from"], d["docs"][0]["net_issue"]) for d in out["doc_issue"]["doc_det"]
    ] == [
        (1, "AT/25-26/101", 5),
        (5, "AT/CN/25-26/7", 1),
    ]
    assert all(row["form"] == "GSTR1" and row["id"] for row in out["b2cs"])
    # What was read back saves unchanged (a client's round trip).
    for k in ("gstin", "fp"):
        out[k] = sent[k]
    r = post(owner, "092025", json.loads(json.dumps(out, default=float)))
    assert r.json() == {"form": "GSTR1", "created": 0, "updated": 0, "unchanged": 17}, r.content


def test_r3_13_r6_2_september_filed_and_its_3b_liability_rupee_by_rupee(owner, supplier):
    post(owner, "092025", load(SEPT))
    file_gstr1(owner, "092025")
    assert not Document.objects.filter(filed_at__isnull=True).exists()
    assert not SummaryRow.objects.filter(filed_at__isnull=True).exists()
    out = liability(supplier, 202509)
    assert out["3_1_a"] == total("279000.00", "38940.00", "5040.00", "5040.00")
    assert out["3_1_b"] == total("155000.00", "18900.00")
    assert out["3_1_c"] == total("3500.00")
    assert out["3_1_e"] == total("1000.00")
    assert out["3_1_1_i"] == total()
    assert out["3_2"] == [
        {"pos": "07", "txval": D("190000.00"), "igst": D("34200.00")},
        {"pos": "29", "txval": D("23000.00"), "igst": D("2940.00")},
    ]
    # The API gives the same tables.
    api = num(owner.get(f"/api/v1/gstr3b/{MH}/092025"))["tables"]["liability"]
    assert api["3_1_a"] == {
        "txval": D("279000.00"),
        "igst": D("38940.00"),
        "cgst": D("5040.00"),
        "sgst": D("5040.00"),
        "cess": D("0.00"),
    }
    assert api["3_2"][0] == {"pos": "07", "txval": D("190000.00"), "igst": D("34200.00")}


def test_r3_13_gstr1_totals_agree_with_3b(owner, supplier):
    """The GSTR-1 summary's total (tables 4-11 with their signs) is what 3.1(a) + 3.1(b) pay on."""
    post(owner, "092025", load(SEPT))
    summary = num(owner.get(f"{BASE}/092025"))
    tables = {t["section"]: t for t in summary["tables"]}
    assert {k: (t["count"], t["txval"]) for k, t in tables.items()} == {
        "b2b": (2, D("15000.00")),
        "b2cl": (1, D("200000.00")),
        "exp": (2, D("150000.00")),
        "cdnur": (1, D("-10000.00")),
        "b2cs": (2, D("70000.00")),
        "nil": (2, D("0.00")),
        "at": (2, D("13000.00")),
        "txpd": (1, D("-4000.00")),
        "hsn": (2, D("385000.00")),
        "doc_issue": (2, D("0.00")),
    }
    assert summary["nil"] == {"nil_amt": D("1500.00"), "expt_amt": D("2000.00"), "ngsup_amt": D("1000.00")}
    assert summary["totals"] == {
        "txval": D("434000.00"),
        "iamt": D("57840.00"),
        "camt": D("5040.00"),
        "samt": D("5040.00"),
        "csamt": D("0.00"),
    }
    file_gstr1(owner, "092025")
    out = liability(supplier, 202509)
    paid = {h: out["3_1_a"][h] + out["3_1_b"][h] for h in ("txval", "igst", "cgst", "sgst", "cess")}
    assert paid == {
        "txval": summary["totals"]["txval"],
        "igst": summary["totals"]["iamt"],
        "cgst": summary["totals"]["camt"],
        "sgst": summary["totals"]["samt"],
        "cess": summary["totals"]["csamt"],
    }


def test_r3_13_r6_2_october_amendments_count_by_difference(owner, supplier, set_clock):
    post(owner, "092025", load(SEPT))
    file_gstr1(owner, "092025")
    set_clock("2025-11-05 10:00")
    r = post(owner, "102025", load(OCT))
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 10, "updated": 0, "unchanged": 0}
    # Each amendment names what it amends.
    amended = dict(Document.objects.filter(period=202510).values_list("section", "amends__number"))
    assert amended == {
        "b2ba": "AT/25-26/101",
        "b2cla": "AT/25-26/103",
        "expa": "AT/25-26/104",
        "cdnura": "AT/CN/25-26/7",
    }
    rows = dict(
        SummaryRow.objects.filter(period=202510, amends__isnull=False).values_list(
            "section", "amends__section"
        )
    )
    assert rows == {"b2csa": "b2cs", "ata": "at", "txpda": "txpd"}
    # The GSTR-1 summary counts amendments by difference too (issue 9 item 7).
    summary = num(owner.get(f"{BASE}/102025"))
    tables = {t["section"]: t["txval"] for t in summary["tables"]}
    assert (
        tables["b2ba"] == D("2000.00")
        and tables["cdnura"] == D("2000.00")
        and tables["txpda"] == D("-1000.00")
    )
    file_gstr1(owner, "102025")
    out = liability(supplier, 202510)
    assert out["3_1_a"] == total("20000.00", "3120.00", "90.00", "90.00")
    assert out["3_1_b"] == total("-10000.00", "-1800.00")
    assert out["3_1_c"] == total("800.00")
    assert out["3_1_e"] == total()
    assert out["3_2"] == [
        {"pos": "07", "txval": D("12000.00"), "igst": D("2160.00")},
        {"pos": "29", "txval": D("5000.00"), "igst": D("600.00")},
    ]
    # September's filed 3B figures do not move.
    assert liability(supplier, 202509)["3_1_a"] == total("279000.00", "38940.00", "5040.00", "5040.00")


def test_r3_8_an_open_return_edits_and_deletes_summary_rows(owner):
    post(owner, "092025", load(SEPT))
    body = load(SEPT)
    body["b2cs"][1].update({"txval": 30000, "iamt": 3600})
    del body["b2cs"][0]
    body["hsn"]["data"][1]["flag"] = "D"
    r = post(owner, "092025", {k: body[k] for k in ("gstin", "fp", "b2cs", "hsn")})
    assert r.json() == {"form": "GSTR1", "created": 0, "updated": 1, "unchanged": 1, "deleted": 1}
    assert SummaryRow.objects.get(section="b2cs", pos="29").txval == D("30000.00")
    assert SummaryRow.objects.filter(section="b2cs").count() == 2  # a row left out of a batch stays
    assert list(SummaryRow.objects.filter(section="hsn").values_list("key", flat=True)) == [
        "data|84713010|NOS|18"
    ]


def test_r3_13_a_summary_amendment_of_nothing_is_refused(owner, set_clock):
    set_clock("2025-11-05 10:00")
    body = load(OCT)
    r = post(owner, "102025", {"gstin": MH, "fp": "102025", "b2csa": body["b2csa"]})
    assert r.status_code == 400
    [e] = r.json()["error"]["details"]
    assert (e["path"], e["code"]) == ("b2csa[0].omon", "ORIGINAL_NOT_FOUND")


@pytest.mark.parametrize(
    "change, path, code, words",
    [
        (
            lambda b: b["b2cs"].append(
                {"sply_ty": "INTER", "typ": "OE", "pos": "27", "rt": 18, "txval": 100, "camt": 9, "samt": 9}
            ),
            "b2cs[2].sply_ty",
            "TAX_HEAD_WRONG",
            "B2CS row 3, supply type: place of supply 27 is the supplier's own state, so tax is CGST + SGST",
        ),
        (
            lambda b: b["b2cl"][0]["inv"][0].update(val=100000),
            "b2cl[0].inv[0].val",
            "B2CL_LIMIT",
            "B2CL invoice AT/25-26/103, invoice value: a B2C invoice of ₹1,00,000.00 is not above "
            "₹1,00,000.00",
        ),
        (
            lambda b: b["exp"][1]["inv"][0]["itms"][0].update(iamt=100),
            "exp[1].inv[0].itms[0].iamt",
            "EXPORT_TYPE_TAX",
            "Exports invoice AT/25-26/105, item 1, IGST",
        ),
        (
            lambda b: b["hsn"]["data"][0].update(hsn_sc="847"),
            "hsn.data[0].hsn_sc",
            "HSN_CODE",
            "HSN summary row 1, HSN code",
        ),
        (
            lambda b: b["hsn"]["data"][0].update(uqc="PIECES"),
            "hsn.data[0].uqc",
            "UQC_INVALID",
            "HSN summary row 1, unit of quantity (UQC)",
        ),
        (
            lambda b: b["doc_issue"]["doc_det"][0]["docs"][0].update(net_issue=4),
            "doc_issue.doc_det[0].docs[0].net_issue",
            "DOC_ISSUE_COUNT",
            "net issued must be total 5 less cancelled 0: 5",
        ),
        (lambda b: b["b2cs"].append(dict(b["b2cs"][0])), "b2cs[2]", "DUPLICATE", "B2CS row 3"),
        (lambda b: b.update(b2cz=[]), "b2cz", "UNSUPPORTED_SECTION", ""),
    ],
)
def test_r3_13_each_section_is_validated_in_a_practitioners_words(owner, change, path, code, words):
    body = load(SEPT)
    change(body)
    r = post(owner, "092025", body)
    assert r.status_code == 400, r.content
    details = r.json()["error"]["details"]
    assert [(e["path"], e["code"]) for e in details] == [(path, code)]
    assert words in details[0]["message"]
    assert not Document.objects.exists() and not SummaryRow.objects.exists()


def test_r3_13_an_iff_takes_only_the_b2b_sections(set_clock, recipient):
    quarterly = taxpayer_create(
        gstin=GJ, legal_name="Gujarat Goods", filing_frequency="Q", ims_start_period="072025"
    )
    set_clock("2025-08-05 10:00")
    c = client_for(member(quarterly, "owner"))
    body = gstr1(b2b=[inv("Q-1", "05-07-2025", pos="29")])
    body["b2cs"] = [{"sply_ty": "INTER", "typ": "OE", "pos": "29", "rt": 18, "txval": 100, "iamt": 18}]
    body["hsn"] = {"data": [{"hsn_sc": "8471", "uqc": "NOS", "qty": 1, "rt": 18, "txval": 100, "iamt": 18}]}
    r = c.post(f"/api/v1/gstr1/{GJ}/072025/documents", body, format="json")
    assert r.status_code == 400, r.content
    assert [(e["path"], e["code"]) for e in r.json()["error"]["details"]] == [
        ("b2cs", "WRONG_FORM"),
        ("hsn", "WRONG_FORM"),
    ]
    assert not Document.objects.exists()
    del body["b2cs"], body["hsn"]
    assert c.post(f"/api/v1/gstr1/{GJ}/072025/documents", body, format="json").json()["form"] == "IFF"


def test_r3_13_an_empty_body_is_required_and_metadata_keys_are_ignored(owner):
    r = post(
        owner,
        "092025",
        {"gstin": MH, "fp": "092025", "gt": 12.5, "cur_gt": 1, "version": "GST3.2", "hash": "x"},
    )
    assert r.status_code == 400
    assert [(e["path"], e["code"]) for e in r.json()["error"]["details"]] == [("", "REQUIRED")]


def test_r3_13_upload_of_a_full_gstr1_file_as_a_job(owner, supplier):
    text = (FIXTURES / SEPT).read_bytes()
    f = SimpleUploadedFile("GSTR1_27AAPFU0939F1ZV_092025.json", text, content_type="application/json")
    r = owner.post(f"{BASE}/092025/uploads", {"file": f}, format="multipart")
    assert r.status_code == 202, r.content
    job = r.json()
    assert (job["status"], job["error"]) == ("succeeded", None)
    assert job["result"] == {"form": "GSTR1", "created": 17, "updated": 0, "unchanged": 0}
    assert SummaryRow.objects.filter(supplier=supplier).count() == 11
    assert Document.objects.filter(supplier=supplier).count() == 6


def test_r3_13_the_period_page_shows_each_tables_totals_and_every_row(owner, supplier, client):
    post(owner, "092025", load(SEPT))
    client.force_login(member(supplier, "viewer", "sup-viewer"))
    r = client.get(f"/g/{MH}/gstr1/092025")
    assert r.status_code == 200
    html = r.content.decode()
    for row_id, figures in [
        ("sum-b2cl", "2,00,000.00"),
        ("sum-exp", "1,50,000.00"),
        ("sum-cdnur", "−10,000.00"),
        ("sum-txpd", "−4,000.00"),
        ("sum-total", "4,34,000.00"),
    ]:
        start = html.index(f'id="{row_id}"')
        assert figures in html[start : html.index("</tr>", start)], row_id
    assert "Nil rated ₹1,500.00 · Exempted ₹2,000.00 · Non-GST ₹1,000.00" in html
    for words in [
        "B2C (large) invoices",
        "AT/25-26/103",
        "Export (WOPAY)",
        "84713010 · NOS · 18% · Laptops",
        "Invoices for outward supply: AT/25-26/101 to AT/25-26/105 (5 net of 0 cancelled)",
        "Inter-state supplies to registered persons",
    ]:
        assert words in html, words


def test_r6_2_the_gstr3b_page_is_laid_out_like_the_form(owner, supplier, client):
    post(owner, "092025", load(SEPT))
    file_gstr1(owner, "092025")
    client.force_login(member(supplier, "viewer", "sup-viewer"))
    html = client.get(f"/g/{MH}/gstr3b/092025").content.decode()
    rows = ["t-3_1_a", "t-3_1_b", "t-3_1_c", "t-3_1_d", "t-3_1_e", "t-3_1_1_i", "t-3_2", "t-4A1", "t-4A5"]
    assert [html.index(f'id="{r}"') for r in rows] == sorted(html.index(f'id="{r}"') for r in rows)
    for row_id, figures in [
        ("t-3_1_a", "2,79,000.00"),
        ("t-3_1_b", "1,55,000.00"),
        ("t-3_1_c", "3,500.00"),
        ("t-3_1_e", "1,000.00"),
    ]:
        start = html.index(f'id="{row_id}"')
        assert figures in html[start : html.index("</tr>", start)], row_id
    table = html[html.index('id="t-3_2"') : html.index("</table>", html.index('id="t-3_2"'))]
    assert "07-Delhi" in table and "1,90,000.00" in table and "34,200.00" in table
    assert "29-Karnataka" in table and "23,000.00" in table and "2,940.00" in table


def test_r7_1_the_outward_view_lists_only_documents_that_reach_ims(owner, supplier, client):
    post(owner, "092025", load(SEPT))
    r = owner.get(f"/api/v1/ims/{MH}/outward?period=092025")
    assert r.status_code == 200, r.content
    assert sorted(d["inum"] for d in r.json()["records"]) == ["AT/25-26/101", "AT/25-26/102"]
    client.force_login(member(supplier, "viewer", "sup-viewer"))
    page = client.get(f"/g/{MH}/ims/outward?period=092025")
    assert page.status_code == 200
    assert "AT/25-26/101" in page.content.decode() and "AT/25-26/103" not in page.content.decode()


@pytest.mark.parametrize(
    "table, typed, section, expected",
    [
        (
            "b2cs",
            {"pos": "29", "rt": "12", "txval": "20,000", "iamt": "2400"},
            "b2cs",
            {"pos": "29", "sply_ty": "INTER", "txval": D("20000.00"), "iamt": D("2400.00")},
        ),
        (
            "exp",
            {
                "exp_typ": "WPAY",
                "inum": "AT/EX/1",
                "idt": "12-09-2025",
                "sbpcode": "INBOM4",
                "sbnum": "1234567",
                "sbdt": "14-09-2025",
                "rt": "18",
                "txval": "100000",
                "iamt": "18000",
            },
            "exp",
            {
                "pos": "96",
                "exp_typ": "WPAY",
                "txval": D("100000.00"),
                "iamt": D("18000.00"),
                "val": D("118000.00"),
            },
        ),
        (
            "hsn",
            {
                "part": "hsn_b2c",
                "hsn_sc": "8471",
                "desc": "Laptops",
                "uqc": "NOS",
                "qty": "3",
                "rt": "18",
                "txval": "90000",
                "camt": "8100",
                "samt": "8100",
            },
            "hsn",
            {"txval": D("90000.00"), "camt": D("8100.00"), "key": "hsn_b2c|8471|NOS|18"},
        ),
    ],
)
def test_r3_13_a_person_enters_a_b2cs_row_an_export_and_an_hsn_row_in_a_form(
    owner, supplier, client, table, typed, section, expected
):
    client.force_login(member(supplier, "preparer", "sup-preparer"))
    url = f"/g/{MH}/gstr1/092025/tables/{table}/new"
    page = client.get(url)
    assert page.status_code == 200 and 'name="txval"' in page.content.decode()
    r = client.post(url, typed)
    assert r.status_code == 302, r.content.decode()[-2000:]
    saved = (SummaryRow if section in ("b2cs", "hsn") else Document).objects.get(section=section)
    for field, value in expected.items():
        assert getattr(saved, field) == value, field


def test_r3_13_the_row_form_shows_the_services_words_beside_the_field(owner, supplier, client):
    client.force_login(member(supplier, "preparer", "sup-preparer"))
    r = client.post(
        f"/g/{MH}/gstr1/092025/tables/hsn/new",
        {"part": "hsn_b2b", "hsn_sc": "847", "uqc": "NOS", "rt": "18", "txval": "100", "iamt": "18"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    err = html[html.index('id="f-hsn_sc-err"') :]
    assert "not an HSN/SAC code of 4, 6 or 8 digits" in err[: err.index("</span>")]
    assert 'value="847"' in html  # what was typed is kept
    assert not SummaryRow.objects.exists()
