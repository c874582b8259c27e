"""The GSTN-compatible layer (issue 10): envelope and auth, GSTN's error codes, large answers as files (a
200,000-document GSTR-2B), GETINV tokens, and the 2B download from the browser."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gstn import selectors
from ims.models import ImsRecord
from returns.models import Gstr2bLine, Gstr2bSlice, Gstr3bFiling
from returns.services.gstr2b import gstr2b_recompute
from tests.conftest import KA, MH, gstr1, inv, member, save

IMS = "/taxpayerapi/v1.0/returns/ims"
GSTR2B = "/taxpayerapi/v4.0/returns/gstr2b"


@pytest.fixture
def filed(set_clock, supplier, recipient):
    """Three invoices MH → KA saved and filed for 092025 (2B period 092025)."""
    from invoices.services import return_file

    set_clock("2025-10-05 10:00")
    save(supplier, "092025", gstr1(b2b=[inv(f"G-{i}", "05-09-2025") for i in range(1, 4)]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="sup", channel="api")
    return recipient


def token_client(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTH_TOKEN=Token.objects.create(user=user).key)
    return c


def test_issue10_envelope_auth_token_header_and_refusals(filed):
    anonymous = APIClient().get(IMS, {"action": "GETCNT", "gstin": KA})
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "status_cd": "0",
        "error": {
            "error_cd": "NOT_AUTHENTICATED",
            "message": "Authentication credentials were not provided.",
        },
    }
    # A token with a NUL (or any junk) is refused before the database sees it (found by the fuzzer).
    junk = APIClient().get(IMS, {"action": "GETCNT", "gstin": KA}, HTTP_AUTH_TOKEN="ab\x00cd" * 8)
    assert (junk.status_code, junk.json()["error"]["error_cd"]) == (401, "NOT_AUTHENTICATED")
    c = token_client(member(filed, "viewer"))
    r = c.get(IMS, {"action": "GETCNT", "gstin": KA})
    assert r.status_code == 200 and r.json()["status_cd"] == "1"
    assert r.json()["data"]["all_oth"]["b2b"] == {"noaction": 3, "accept": 0, "reject": 0, "pending": 0}
    # The GSTIN in a header, as GSPs send it; our Authorization token works as well.
    assert c.get(IMS, {"action": "GETCNT"}, HTTP_GSTIN=KA).json()["data"]["all_oth"]["ttl_cnt"] == 3
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__memberships__taxpayer=filed).key}")
    assert other.get(IMS, {"action": "GETCNT", "gstin": KA}).json()["status_cd"] == "1"
    # A rule's refusal is HTTP 200 with status_cd 0; a viewer's SAVE is refused by role.
    r = c.get(IMS, {"action": "NOPE", "gstin": KA})
    assert (r.status_code, r.json()["status_cd"], r.json()["error"]["error_cd"]) == (
        200,
        "0",
        "INVALID_ACTION",
    )
    r = c.put(IMS, {"action": "SAVE", "data": {"rtin": KA, "invdata": {"b2b": []}}}, format="json")
    assert (r.status_code, r.json()["error"]["error_cd"]) == (403, "FORBIDDEN")
    assert c.get("/taxpayerapi/latest/returns/ims", {"action": "GETCNT", "gstin": KA}).status_code == 404
    r = c.get(GSTR2B, {"action": "GET2B", "gstin": KA, "rtnprd": "092025"})
    assert (r.status_code, r.json()["error"]["error_cd"]) == (200, "RET2B1023")


def test_issue10_gen2b_after_3b_is_refused_with_gstns_code(filed, set_clock):
    c = token_client(member(filed, "owner"))
    set_clock("2025-10-14 10:00")
    Gstr3bFiling.objects.create(taxpayer=filed, period=202509, filed_at=set_clock("2025-10-15 10:00"))
    r = c.put(GSTR2B, {"action": "GEN2B", "data": {"rtin": KA, "itcprd": "092025"}}, format="json")
    assert (r.status_code, r.json()["status_cd"], r.json()["error"]["error_cd"]) == (200, "0", "IMS2B007")
    r = c.put(
        GSTR2B, {"action": "GEN2B", "data": {"rtin": MH, "itcprd": "092025"}}, format="json", HTTP_GSTIN=KA
    )
    assert r.json()["error"]["error_cd"] == "VALIDATION"  # rtin and the gstin header disagree


def test_issue10_getinv_above_the_limit_is_offered_as_files(filed, monkeypatch):
    c = token_client(member(filed, "viewer"))
    whole = c.get(IMS, {"action": "GETINV", "gstin": KA, "section": "B2B"}).json()["data"]["b2b"]
    monkeypatch.setattr(selectors, "GETINV_FILE_RECORDS", 2)
    data = c.get(IMS, {"action": "GETINV", "gstin": KA, "section": "B2B"}).json()["data"]
    assert set(data) == {"token", "est"}
    files = c.get(IMS, {"action": "FILEDET", "gstin": KA, "token": data["token"]}).json()["data"]
    assert files["fc"] == 2
    got = []
    for n in (1, 2):
        got += c.get(IMS, {"action": "FILEDET", "gstin": KA, "token": data["token"], "file_num": n}).json()[
            "data"
        ]["b2b"]
    assert got == whole
    # A token is bound to its GSTIN.
    stranger = token_client(member(taxpayer_of(MH), "owner"))
    r = stranger.get(IMS, {"action": "FILEDET", "gstin": MH, "token": data["token"]})
    assert r.json()["error"]["error_cd"] == "VALIDATION"


def taxpayer_of(gstin):
    from taxpayers.models import Taxpayer

    return Taxpayer.objects.get(gstin=gstin)


def test_issue10_a_200000_document_gstr2b_is_read_in_files(filed, set_clock, django_assert_max_num_queries):
    if connection.vendor != "postgresql":
        pytest.fail("run the suite on PostgreSQL (make test)")
    set_clock("2025-10-14 10:00")
    version = gstr2b_recompute(taxpayer=filed, period=202509, by="x")
    template = Gstr2bLine.objects.filter(version=version).first()
    records = ImsRecord._meta.db_table
    cols = [
        f.column
        for f in ImsRecord._meta.concrete_fields
        if f.column not in ("id", "number", "number_key", "number_norm", "stin")
    ]
    with connection.cursor() as cur:
        # 199,997 more filed records like the first line's, from 500 suppliers, in the version's slice of that
        # line: 200,000 documents in all.
        cur.execute(
            f"INSERT INTO {records} ({', '.join(cols)}, number, number_key, number_norm, stin) "
            f"SELECT {', '.join(cols)}, 'BULK-' || lpad(g::text, 7, '0'), 'BULK-' || lpad(g::text, 7, '0'), "
            f"'BULK' || lpad(g::text, 7, '0'), lpad(mod(g, 500)::text, 15, '0') "
            f"FROM {records}, generate_series(1, 199997) AS g WHERE id = %s",
            [template.record_id],
        )
        cur.execute(
            f"UPDATE {Gstr2bSlice._meta.db_table} s SET records = s.records || ',' || b.ids, "
            "actions = s.actions || b.actions, lines = s.lines + b.n "
            "FROM (SELECT string_agg(id::text, ',' ORDER BY id) AS ids, "
            "string_agg(action, '' ORDER BY id) AS actions, count(*) AS n "
            f"FROM {records} WHERE recipient_id = %s AND number LIKE 'BULK-%%') b "
            "WHERE s.taxpayer_id = %s AND s.version_id = %s AND s.grp = %s AND s.sub = %s AND s.key = %s",
            [filed.id, filed.id, version.id, template.grp, template.sub, template.key],
        )
    assert Gstr2bLine.objects.filter(version=version).count() == 200_000
    c = token_client(member(filed, "viewer"))
    seen, fc = 0, None
    for n in (1, 20):
        with django_assert_max_num_queries(12):
            r = c.get(GSTR2B, {"action": "GET2B", "gstin": KA, "rtnprd": "092025", "file_num": n})
        data = json.loads(r.content, parse_float=Decimal)["data"]
        fc = data["fc"]
        docs = sum(len(p["inv"]) for p in data["docdata"]["b2b"])
        assert docs == selectors.GSTR2B_FILE_DOCS
        seen += docs
        assert data["itcsumm"]["itcavl"]["nonrevsup"]["b2b"]["igst"] == Decimal("540.00")  # the 3 generated
    assert (fc, seen) == (20, 20_000)
    r = c.get(GSTR2B, {"action": "GET2B", "gstin": KA, "rtnprd": "092025", "file_num": 21})
    assert r.json()["error"]["error_cd"] == "VALIDATION"


def test_issue10_the_2b_page_offers_gstns_json(filed, set_clock):
    set_clock("2025-10-14 10:00")
    gstr2b_recompute(taxpayer=filed, period=202509, by="x")
    web = Client()
    web.force_login(member(filed, "viewer"))
    page = web.get(f"/g/{KA}/gstr2b/092025").content.decode()
    assert f'href="/g/{KA}/gstr2b/092025/gstn.json' in page and "GSTN format" in page
    r = web.get(f"/g/{KA}/gstr2b/092025/gstn.json")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    body = json.loads(r.content)
    assert body["data"]["gendt"] == "14-10-2025" and body["data"]["fc"] == 1
    assert [i["inum"] for p in body["data"]["docdata"]["b2b"] for i in p["inv"]] == ["G-1", "G-2", "G-3"]
    assert ImsRecord.objects.filter(recipient=filed).count() == 3


def test_issue10_supplier_view_shows_each_recipients_action(filed, supplier):
    from ims.services.actions import ims_actions_apply

    rec = ImsRecord.objects.get(recipient=filed, number="G-2")
    ims_actions_apply(
        recipient=filed, actions=[{"id": rec.id, "action": "R", "remarks": "Short"}], by="r", channel="api"
    )
    c = token_client(member(supplier, "viewer"))
    r = c.get(IMS, {"action": "IMS_SUPPLIER_GET", "gstin": MH, "ret_period": "092025", "rtn_typ": "GSTR1"})
    data = r.json()["data"]
    assert (data["gstin"], data["rtnprd"], set(data)) == (MH, "092025", {"gstin", "rtnprd", "gstr1"})
    [group] = data["gstr1"]["b2b"]
    assert group["ctin"] == KA
    assert [(i["inum"], i.get("imsactn"), i.get("remarks")) for i in group["inv"]] == [
        ("G-1", None, None),
        ("G-2", "R", "Short"),
        ("G-3", None, None),
    ]


def test_issue10_retsave_with_a_bad_document_is_er_with_its_path(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    c = token_client(member(supplier, "owner"))
    bad = gstr1(b2b=[inv("B-1", "05-09-2025"), inv("B-2", "31-09-2025")])
    r = c.put(
        "/taxpayerapi/v4.0/returns/gstr1",
        {"action": "RETSAVE", "data": {"gstin": MH, "fp": "092025", **bad}},
        format="json",
    )
    ref = r.json()["data"]["reference_id"]
    status = c.get(
        "/taxpayerapi/v4.0/returns",
        {"action": "RETSTATUS", "gstin": MH, "ret_period": "092025", "ref_id": ref},
    )
    data = status.json()["data"]
    assert data["status_cd"] == "ER"
    assert [e["path"] for e in data["error_report"]["b2b"]] == ["b2b[0].inv[1].idt"]
    assert not ImsRecord.objects.filter(recipient=recipient).exists()
