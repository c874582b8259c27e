"""Issue 10 item 5: our GSTN client (tests/gstn/client.py, written from GSTN-FORMATS.md alone) against a live
server, end to end, without knowing any internal id: a supplier saves a real GSTR-1 export (every section)
with RETSAVE, reads sections back and files it; the recipient downloads IMS, saves and resets actions by
natural key, sees per-record refusals in REQSTS, regenerates and downloads GSTR-2B by files, and acts on a
bill of entry under Import of goods."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token

from customs.services import boe_feed_apply
from gstn import selectors
from tests.conftest import KA, MH, member
from tests.gstn.client import NUMBER, SECTION_KEYS, GstnClient, GstnRefused, field, money

D = Decimal
SEPT = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "gstr1_full_092025.json").read_text())


@pytest.mark.django_db(transaction=True)
def test_issue10_a_gstn_client_does_the_whole_month_without_our_ids(
    live_server, set_clock, supplier, recipient, monkeypatch
):
    # The live server's request threads keep no connection open past their request (the test database is
    # dropped at the end of the run), and the clients close theirs at the end.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    set_clock("2025-10-05 10:00")
    sup = GstnClient(live_server.url, Token.objects.create(user=member(supplier, "owner")).key, MH)
    rec = GstnClient(live_server.url, Token.objects.create(user=member(recipient, "owner")).key, KA)

    # GSTR-1: a real export with every section, saved, read back by section, filed.
    ref = sup.gstr1_save("092025", SEPT)
    assert sup.gstr1_status("092025", ref)["status_cd"] == "P"
    b2b = field(sup.gstr1_section("092025", "B2B"), "b2b", list)
    assert [field(i, "inum", str) for g in b2b for i in field(g, "inv", list)] == [
        i["inum"] for g in SEPT["b2b"] for i in g["inv"]
    ]
    hsn = field(sup.gstr1_section("092025", "HSNSUM"), "hsn", dict)
    assert hsn, "the HSN summary is read back"
    field(sup.gstr1_section("092025", "DOCISS"), "doc_issue", dict)
    assert sup.gstr1_file("092025")["status"] == "Filed"
    with pytest.raises(GstnRefused) as refused:
        sup.gstr1_file("092025")
    assert (refused.value.http_status, refused.value.error["error_cd"]) == (200, "ALREADY_FILED")

    # IMS: counts, records with GSTN's fields, actions by natural key.
    counts = rec.ims_counts("ALL_OTH")
    assert field(counts, "b2b", dict) == {"noaction": 2, "accept": 0, "reject": 0, "pending": 0}
    records = rec.ims_records("B2B")
    assert len(records) == 2
    for r in records:
        for name, kind in (
            ("stin", str),
            ("rtnprd", str),
            ("srcform", str),
            ("srcfilstatus", str),
            ("inum", str),
            ("idt", str),
            ("inv_typ", str),
            ("pos", str),
            ("action", str),
            ("ispendactblocked", str),
            ("isRemarksBlocked", str),
            ("isItcRedReqBlocked", str),
            ("hash", str),
        ):
            field(r, name, kind)
        for name in ("val", "txval", "iamt", "camt", "samt", "cess"):
            money(r, name)
        assert (r["stin"], r["rtnprd"], r["srcform"], r["srcfilstatus"], r["action"]) == (
            MH,
            "092025",
            "R1",
            "Filed",
            "N",
        )
    first, second = records

    def named(r, **extra):
        keep = (
            "stin",
            "inum",
            "idt",
            "inv_typ",
            "srcform",
            "rtnprd",
            "val",
            "pos",
            "txval",
            "iamt",
            "camt",
            "samt",
            "cess",
        )
        return {**{k: r[k] for k in keep}, **extra}

    stale = named(second, action="A", prev_status="A")  # the client's copy is out of date
    ref = rec.ims_save({"b2b": [named(first, action="A", prev_status="N"), stale]})
    status = rec.ims_status(ref)
    assert (status["status_cd"], status["proc_cnt"], status["err_cnt"]) == ("PE", "1", "1")
    [err] = field(status["error_report"], "b2b", list)
    assert (err["error_cd"], err["inv"]) == ("IMSSAV0010", [{"inum": second["inum"], "rtnprd": "092025"}])
    ref = rec.ims_save({"b2b": [named(second, action="R", prev_status="N", remarks="Goods not received")]})
    assert rec.ims_status(ref)["status_cd"] == "P"
    assert rec.ims_counts("ALL_OTH")["b2b"] == {"noaction": 0, "accept": 1, "reject": 1, "pending": 0}
    ref = rec.ims_save({"b2b": [named(second, prev_status="R")]}, reset=True)
    status = rec.ims_status(ref)
    assert (status["status_cd"], status["transTypCd"]) == ("P", "RST")
    ref = rec.ims_save({"b2b": [named(second, action="R", prev_status="N", remarks="Goods not received")]})
    assert rec.ims_status(ref)["status_cd"] == "P"

    # GSTR-2B: regenerated on request, downloaded by files (two documents a file here), GSTN's names.
    set_clock("2025-10-14 10:00")
    monkeypatch.setattr(selectors, "GSTR2B_FILE_DOCS", 1)
    ref = rec.gen2b("092025")
    assert rec.gen2b_status(ref) == {"status_cd": "P", "err_cd": "", "err_msg": ""}
    data = rec.gstr2b("092025")
    assert (field(data, "gstin", str), field(data, "rtnprd", str), field(data, "fc", int)) == (
        KA,
        "092025",
        2,
    )
    assert field(data, "gendt", str) == "14-10-2025"
    [party] = field(field(data, "docdata", dict), "b2b", list)
    assert (field(party, "ctin", str), field(party, "supprd", str), field(party, "supfildt", str)) == (
        MH,
        "092025",
        "05-10-2025",
    )
    [doc] = field(party, "inv", list)
    assert (field(doc, "inum", str), field(doc, "typ", str), field(doc, "dt", str)) == (
        first["inum"],
        "R",
        first["idt"],
    )
    assert (field(doc, "itcavl", str), field(doc, "rev", str), field(doc, "imsStatus", str)) == (
        "Y",
        "N",
        "A",
    )
    items = field(doc, "items", list)
    assert items and all(isinstance(field(it, "rt", NUMBER), NUMBER) for it in items)
    assert sum(money(it, "igst") for it in items) == money(doc, "igst")
    [rej_party] = field(field(data, "docRejdata", dict), "b2b", list)
    [rej] = field(rej_party, "inv", list)
    assert (rej["inum"], field(rej, "remarks", str), rej["imsStatus"]) == (
        second["inum"],
        "Goods not received",
        "R",
    )
    summ = field(data, "itcsumm", dict)
    nonrev = field(field(summ, "itcavl", dict), "nonrevsup", dict)
    assert money(field(nonrev, "b2b", dict), "igst") == money(doc, "igst") == money(nonrev, "igst")
    assert money(field(field(summ, "itcRejected", dict)["nonrevsup"], "b2b", dict), "igst") == money(
        rej, "igst"
    )
    [cp] = field(field(data, "cpsumm", dict), "b2b", list)
    assert (cp["ctin"], field(cp, "ttldocs", int), money(cp, "igst")) == (MH, 1, money(doc, "igst"))
    [cp_rej] = field(field(data, "cpSummRej", dict), "b2b", list)
    assert field(cp_rej, "ttldocs", int) == 1

    # Import of goods: a bill of entry in IMS, accepted by its natural key.
    set_clock("2025-11-05 10:00")
    boe_feed_apply(
        [
            {
                "gstin": KA,
                "portcode": "INNSA1",
                "boenum": "9001001",
                "boedt": "10-10-2025",
                "refdt": "11-10-2025",
                "txval": D("50000"),
                "igst": D("9000"),
                "cess": D("0"),
            }
        ],
        channel="api",
    )
    assert rec.ims_counts("IMP_GDS")["impg"] == {"noaction": 1, "accept": 0, "reject": 0, "pending": 0}
    [boe] = rec.ims_records("IMPG")
    assert (field(boe, "portcode", str), field(boe, "boenum", str), field(boe, "refdt", str)) == (
        "INNSA1",
        "9001001",
        "11-10-2025",
    )
    keep = ("portcode", "boenum", "boedt", "txval", "iamt", "cess")
    ref = rec.ims_save({"impg": [{**{k: boe[k] for k in keep}, "action": "R", "prev_status": "N"}]})
    status = rec.ims_status(ref)
    assert status["error_report"]["impg"][0]["error_cd"] == "REJECT_NOT_ALLOWED"
    ref = rec.ims_save({"impg": [{**{k: boe[k] for k in keep}, "action": "A", "prev_status": "N"}]})
    assert rec.ims_status(ref)["status_cd"] == "P"
    assert rec.ims_counts("IMP_GDS")["impg"]["accept"] == 1
    # Every IMS section can be listed by its GSTN code, keyed by GSTN's name.
    listed = {code: len(rec.ims_records(code)) for code in SECTION_KEYS}
    assert listed == {**dict.fromkeys(SECTION_KEYS, 0), "B2B": 2, "IMPG": 1}

    rec.http.close()
    sup.http.close()
