"""A month in the life (issue 3 item 9): long scenarios walked through the public API with the sandbox
clock, asserting GSTR-2B and GSTR-3B figures rupee by rupee. Every expected figure is worked out by hand
in the comment next to it; all documents are inter-state at 18% IGST, so IGST = 18% of the taxable value
and CGST = SGST = cess = 0 throughout.
"""

import json
from decimal import Decimal

from taxpayers.models import Taxpayer
from tests.conftest import GJ, KA, MH, TN, client_for, inv, member, note

D = Decimal
HEADS = ("txval", "igst", "cgst", "sgst", "cess")


def T(txval="0", igst="0") -> dict:
    """A total of the API (R-5.4 / R-6.1): only taxable value and IGST are ever non-zero here."""
    return {"txval": D(txval), "igst": D(igst), "cgst": D(0), "sgst": D(0), "cess": D(0)}


ZERO = T()


def js(r) -> dict:
    return json.loads(r.content, parse_float=Decimal)


# --- API helpers (each asserts the call succeeded) ------------------------------------------------------


def b2b(*parties) -> list:
    return [{"ctin": ctin, "inv": docs} for ctin, docs in parties]


def cdnr(*parties) -> list:
    return [{"ctin": ctin, "nt": docs} for ctin, docs in parties]


def save(client, gstin, period, **sections):
    r = client.post(f"/api/v1/gstr1/{gstin}/{period}/documents", sections, format="json")
    assert r.status_code == 201, r.content


def file_gstr1(client, gstin, period):
    r = client.post(f"/api/v1/gstr1/{gstin}/{period}/file", {"form": "GSTR1"}, format="json")
    assert r.status_code == 200, r.content


def ids(client, gstin) -> dict:
    """number -> record id of every record of the recipient, left ones included."""
    r = client.get(f"/api/v1/ims/{gstin}/inward?left=true&limit=1000")
    assert r.status_code == 200, r.content
    return {x.get("inum") or x.get("nt_num"): x["id"] for x in r.json()["records"]}


def record(client, gstin, rid) -> dict:
    r = client.get(f"/api/v1/ims/{gstin}/inward/{rid}")
    assert r.status_code == 200, r.content
    return js(r)


def act(client, gstin, *actions) -> list:
    """POST actions; returns the refused ones as (id, code)."""
    r = client.post(f"/api/v1/ims/{gstin}/inward/actions", {"actions": list(actions)}, format="json")
    assert r.status_code == 200, r.content
    return [(e["id"], e["code"]) for e in r.json()["errors"]]


def job(client, r) -> dict:
    assert r.status_code == 202, r.content
    out = client.get(r["Location"])
    assert out.status_code == 200, out.content
    body = out.json()
    assert body["status"] == "succeeded", body
    return body["result"]


def schedule_2b(staff_client, period) -> dict:
    """The 14th-of-the-month draft (R-5.2), run by an admin in sandbox mode (R-9.1)."""
    return job(
        staff_client, staff_client.post("/api/v1/admin/gstr2b/generate", {"period": period}, format="json")
    )


def sweep(staff_client) -> int:
    return job(staff_client, staff_client.post("/api/v1/admin/sweeps/pending-expiry"))["expired"]


def recompute(client, gstin, period) -> int:
    return job(client, client.post(f"/api/v1/gstr2b/{gstin}/{period}/generate"))["version"]


def gstr2b(client, gstin, period) -> dict:
    r = client.get(f"/api/v1/gstr2b/{gstin}/{period}")
    assert r.status_code == 200, r.content
    return js(r)["data"]


def not_generated(client, gstin, period) -> str:
    r = client.get(f"/api/v1/gstr2b/{gstin}/{period}")
    assert r.status_code == 404, r.content
    return r.json()["error"]["details"][0]["reason"]


def gstr3b(client, gstin, period) -> dict:
    r = client.get(f"/api/v1/gstr3b/{gstin}/{period}")
    assert r.status_code == 200, r.content
    return js(r)


def file_3b(client, gstin, period) -> dict:
    r = client.post(f"/api/v1/gstr3b/{gstin}/{period}/file")
    assert r.status_code == 200, r.content
    out = js(r)
    assert out["status"] == "filed"
    return out


def refused_3b(client, gstin, period) -> str:
    r = client.post(f"/api/v1/gstr3b/{gstin}/{period}/file")
    assert r.status_code == 409, r.content
    return r.json()["error"]["code"]


def summ(data, grp, sub, key="total") -> dict:
    return data["itcsumm"][grp][sub][key]


def lines(data, section) -> list:
    """(ctin, number, imsStatus) of the 2B's available lines of a section."""
    key = "nt" if section in ("cdnr", "cdnra") else "inv"
    num = "ntnum" if key == "nt" else "inum"
    return [
        (grp["ctin"], doc[num], doc.get("imsStatus")) for grp in data["docdata"][section] for doc in grp[key]
    ]


def rejected_lines(data, section) -> list:
    key = "nt" if section in ("cdnr", "cdnra") else "inv"
    num = "ntnum" if key == "nt" else "inum"
    return [
        (grp["ctin"], doc[num], doc["remarks"]) for grp in data["docRejdata"][section] for doc in grp[key]
    ]


def register(staff_client, gstin, name, *, frequency="M", start="092025"):
    r = staff_client.post(
        "/api/v1/taxpayers",
        {"gstin": gstin, "legal_name": name, "filing_frequency": frequency, "ims_start_period": start},
        format="json",
    )
    assert r.status_code == 201, r.content
    return Taxpayer.objects.get(gstin=gstin)


# --- Scenario A ---------------------------------------------------------------------------------------


def test_r5_r6_month_in_the_life_october_2025_to_january_2026(set_clock, staff):
    """October 2025 to January 2026 for two monthly suppliers and two recipients.

    Acme (MH) and Gujarat Bazaar (GJ) are monthly suppliers from 092025; Bharat (KA) is a monthly
    recipient from 092025; Chennai (TN) is quarterly from 102025, so its only 2B/3B of the story is the
    quarter 122025 (3B due 22-01-2026, state 33).

    * September: both suppliers file an empty GSTR-1; on the 14th of October the schedule drafts the (empty)
      2B 092025 and Acme, GJ and Bharat file GSTR-3B 092025.
    * October: Acme bills Bharat A-INV-1 (accepted), A-INV-2 (rejected), A-INV-3 (pending, carried
      forward at Bharat's 3B 102025, then accepted), A-INV-R (reverse charge: 4A(3) and 3.1(d)) and
      credits A-CN-1 (rejected after the draft: stale 2B, recompute, add-back to Acme); Acme bills
      Chennai A-INV-4 (accepted). GJ bills Bharat G-INV-1 (no action, deemed) and credits G-CN-1
      (pending past its deadline, swept back to N, deemed accepted in a late 3B 122025).
      Acme files GSTR-1 on 11-11 23:30 (2B 102025), GJ on 12-11 00:10 (2B 112025).
    * November: Bharat files 3B 102025 late (15-12): it carries A-INV-3 to 112025, makes the A-CN-1 rejection
      final (add-back in Acme's first unfiled 3B, 112025) and generates the waiting 2B 112025. Acme bills
      Chennai A-INV-5 (no action); GJ credits Chennai G-CN-2 (rejected, add-back to GJ at Chennai's 3B).
    * December: Acme bills Bharat A-INV-6 (GSTR-1 filed 11-01 23:30, 2B 122025), GJ bills Chennai G-INV-2
      (GSTR-1 filed 12-01 00:10: Chennai's 2B 032026, not 122025).
    * January: the 14th drafts every 122025 2B; Chennai files its quarterly 3B on the 20th; the sweep of
      21-01 expires G-CN-1; Bharat recomputes and files 3B 122025 late on 23-01.
    """
    admin = client_for(staff)
    set_clock("2025-10-05 10:00")
    acme_t = register(admin, MH, "Acme Traders LLP")
    gj_t = register(admin, GJ, "Gujarat Bazaar")
    bharat_t = register(admin, KA, "Bharat Components Pvt Ltd")
    chennai_t = register(admin, TN, "Chennai Textiles", frequency="Q", start="102025")
    acme = client_for(member(acme_t, "owner", "acme"))
    gj = client_for(member(gj_t, "owner", "gj"))
    bharat = client_for(member(bharat_t, "owner", "bharat"))
    chennai = client_for(member(chennai_t, "owner", "chennai"))
    file_gstr1(acme, MH, "092025")
    file_gstr1(gj, GJ, "092025")

    # -- 14-10-2025: the draft 2B 092025 (empty) and the September 3Bs --------------------------------
    set_clock("2025-10-14 00:05")
    assert schedule_2b(admin, "092025") == {
        "generated": [GJ, MH, KA],  # sorted by GSTIN: 24…, 27…, 29…
        "skipped": [{"gstin": TN, "reason": "BEFORE_START_PERIOD"}],  # Chennai starts 102025
    }
    set_clock("2025-10-14 10:00")
    for client, gstin in ((acme, MH), (gj, GJ), (bharat, KA)):
        out = file_3b(client, gstin, "092025")
        assert out["tables"]["itc"]["net"] == ZERO and out["tables"]["liability"]["3_1_a"] == ZERO
    assert not_generated(bharat, KA, "102025") == "NOT_YET_GENERATED"  # 3B 09 filing: 2B 10 not due yet

    # -- 20-10-2025: October documents saved -------------------------------------------------------------
    set_clock("2025-10-20 10:00")
    save(
        acme,
        MH,
        "102025",
        b2b=b2b(
            (
                KA,
                [
                    inv("A-INV-1", "03-10-2025", txval="10000.00"),  # IGST 1,800
                    inv("A-INV-2", "04-10-2025", txval="4000.00"),  # IGST 720
                    inv("A-INV-3", "05-10-2025", txval="2500.00"),  # IGST 450
                    inv("A-INV-R", "06-10-2025", txval="2000.00", rchrg="Y"),  # IGST 360, reverse charge
                ],
            ),
            (TN, [inv("A-INV-4", "06-10-2025", txval="8000.00", pos="33")]),  # IGST 1,440
        ),
        cdnr=cdnr((KA, [note("A-CN-1", "07-10-2025", txval="1000.00")])),  # IGST 180
    )
    save(
        gj,
        GJ,
        "102025",
        b2b=b2b((KA, [inv("G-INV-1", "08-10-2025", txval="6000.00")])),  # IGST 1,080
        cdnr=cdnr((KA, [note("G-CN-1", "09-10-2025", txval="500.00")])),  # IGST 90
    )

    # -- 25-10-2025: the recipients act on the saved (not filed) records ------------------------------
    set_clock("2025-10-25 10:00")
    b = ids(bharat, KA)
    assert (
        act(
            bharat,
            KA,
            {"id": b["A-INV-1"], "action": "A"},
            {"id": b["A-INV-2"], "action": "R", "remarks": "rate disputed"},
            {"id": b["A-INV-3"], "action": "P", "remarks": "goods not received"},
            {"id": b["G-CN-1"], "action": "P", "remarks": "checking the return"},
        )
        == []
    )
    # R-4.4: before filing, G-CN-1's 2B period is provisionally its return period 102025, so its deadline
    # is the 3B due date of 112025: 20-12-2025.
    g_cn_1 = record(bharat, KA, b["G-CN-1"])
    assert (g_cn_1["itc_period"], g_cn_1["pending_deadline"]) == ("102025", "20-12-2025")
    c = ids(chennai, TN)
    assert act(chennai, TN, {"id": c["A-INV-4"], "action": "A"}) == []
    # for a quarterly recipient the provisional 2B period is the quarter.
    assert record(chennai, TN, c["A-INV-4"])["itc_period"] == "122025"

    # -- The cut-off: Acme files on the 11th, GJ on the 12th (R-5.1) --------------------------------
    set_clock("2025-11-11 23:30")
    file_gstr1(acme, MH, "102025")
    set_clock("2025-11-12 00:10")
    file_gstr1(gj, GJ, "102025")
    assert record(bharat, KA, b["A-INV-1"])["itc_period"] == "102025"  # filed 11-11 23:30: period 10
    g_cn_1 = record(bharat, KA, b["G-CN-1"])
    # Filed 12-11 00:10: 2B period 112025; deadline = 3B due date of 122025 = 20-01-2026.
    assert (g_cn_1["itc_period"], g_cn_1["action"], g_cn_1["pending_deadline"]) == (
        "112025",
        "P",
        "20-01-2026",
    )
    assert record(bharat, KA, b["G-INV-1"])["itc_period"] == "112025"

    # -- 14-11-2025: the draft 2B 102025 -----------------------------------------------------------
    set_clock("2025-11-14 00:05")
    assert schedule_2b(admin, "102025") == {
        "generated": [GJ, MH, KA],
        "skipped": [{"gstin": TN, "reason": "QUARTERLY_TAXPAYER"}],  # month 1 of Chennai's quarter
    }
    assert not_generated(chennai, TN, "102025") == "QUARTERLY_TAXPAYER"
    two_b = gstr2b(bharat, KA, "102025")
    assert (two_b["version"], two_b["status"], two_b["stale"]) == (1, "draft", False)
    # 4A(5) side: A-INV-1 (A) 10,000 / 1,800. A-INV-3 is P: left out. G-INV-1 is in 112025.
    assert summ(two_b, "itcavl", "nonrevsup") == T("10000", "1800")
    # Reverse charge: A-INV-R 2,000 / 360 goes straight to 2B (kept out of IMS, R-4.1).
    assert summ(two_b, "itcavl", "revsup") == T("2000", "360")
    # Part B: A-CN-1 at N counts in full, 1,000 / 180.
    assert summ(two_b, "itcavl", "othersup") == T("1000", "180")
    # Rejected: A-INV-2 4,000 / 720 with its remarks.
    assert summ(two_b, "itcRejected", "nonrevsup") == T("4000", "720")
    assert rejected_lines(two_b, "b2b") == [(MH, "A-INV-2", "rate disputed")]
    assert summ(two_b, "itcRejected", "othersup") == ZERO
    # 3B 10 as drafted now: net = 4A(3) 2,000 + 4A(5) 10,000 − 4B(2) 1,000 = 11,000;
    # IGST 360 + 1,800 − 180 = 1,980.
    assert gstr3b(bharat, KA, "102025")["tables"]["itc"]["net"] == T("11000", "1980")

    # -- 15-11-2025: after the 14th Bharat rejects A-CN-1: stale, recompute, not stale (R-5.5) ---------
    set_clock("2025-11-15 10:00")
    assert act(bharat, KA, {"id": b["A-CN-1"], "action": "R", "remarks": "credit not agreed"}) == []
    assert gstr2b(bharat, KA, "102025")["stale"] is True
    assert gstr3b(bharat, KA, "102025")["blocked_by"] == ["2B_STALE"]
    assert refused_3b(bharat, KA, "102025") == "2B_STALE"
    assert recompute(bharat, KA, "102025") == 2
    two_b = gstr2b(bharat, KA, "102025")
    assert (two_b["version"], two_b["stale"]) == (2, False)
    assert summ(two_b, "itcavl", "nonrevsup") == T("10000", "1800")  # A-INV-1
    assert summ(two_b, "itcavl", "revsup") == T("2000", "360")  # A-INV-R
    assert summ(two_b, "itcavl", "othersup") == ZERO  # A-CN-1 no longer reduces
    assert summ(two_b, "itcRejected", "nonrevsup") == T("4000", "720")  # A-INV-2
    assert summ(two_b, "itcRejected", "othersup") == T("1000", "180")  # A-CN-1
    assert rejected_lines(two_b, "cdnr") == [(MH, "A-CN-1", "credit not agreed")]
    three_b = gstr3b(bharat, KA, "102025")
    assert (three_b["blocked_by"], three_b["gstr2b_version"]) == ([], 2)
    itc = three_b["tables"]["itc"]
    assert itc["4A5"] == T("10000", "1800")  # A-INV-1
    assert itc["4A3"] == T("2000", "360")  # A-INV-R, reverse charge
    assert itc["4D2"] == ZERO
    assert itc["4B2"] == ZERO  # the rejected CN is in no ITC table
    assert itc["net"] == T("12000", "2160")  # 2,000 + 10,000 − 0; 360 + 1,800 − 0
    # 3.1(d): Bharat pays the reverse-charge tax of its own 2B, A-INV-R 2,000 / 360.
    assert three_b["tables"]["liability"]["3_1_d"] == T("2000", "360")

    # -- 20-11-2025: the suppliers file GSTR-3B 102025 on time; November documents ------------------
    set_clock("2025-11-20 10:00")
    out = file_3b(acme, MH, "102025")
    # 3.1(a) Acme: A-INV-1 10,000 + A-INV-2 4,000 + A-INV-3 2,500 + A-INV-4 8,000 − A-CN-1 1,000 = 23,500;
    # IGST 1,800 + 720 + 450 + 1,440 − 180 = 4,230; A-INV-R is reverse charge: Bharat pays it.
    # No add-back yet (Bharat's 3B 10 is not filed).
    assert out["tables"]["liability"]["3_1_a"] == T("23500", "4230")
    assert out["tables"]["liability"]["addback"] == ZERO
    out = file_3b(gj, GJ, "102025")
    # 3.1(a) GJ: G-INV-1 6,000 − G-CN-1 500 = 5,500; IGST 1,080 − 90 = 990.
    assert out["tables"]["liability"]["3_1_a"] == T("5500", "990")
    save(acme, MH, "112025", b2b=b2b((TN, [inv("A-INV-5", "05-11-2025", txval="3000.00", pos="33")])))  # 540
    save(gj, GJ, "112025", cdnr=cdnr((TN, [note("G-CN-2", "10-11-2025", txval="400.00", pos="33")])))  # 72

    set_clock("2025-12-10 10:00")
    file_gstr1(acme, MH, "112025")  # 2B period 11 -> Chennai's quarter 122025
    set_clock("2025-12-11 23:30")
    file_gstr1(gj, GJ, "112025")  # 11-12 23:30: period 11 -> quarter 122025
    c = ids(chennai, TN)
    g_cn_2 = record(chennai, TN, c["G-CN-2"])
    # A quarterly recipient's deadline: the 3B due date of the quarter after 122025 (032026), the 22nd
    # for state 33: 22-04-2026.
    assert (g_cn_2["itc_period"], g_cn_2["pending_deadline"]) == ("122025", "22-04-2026")

    # -- 14-12-2025: the draft 2B 112025 skips Bharat (3B 10 not filed) ------------------------------
    set_clock("2025-12-14 00:05")
    assert schedule_2b(admin, "112025") == {
        "generated": [GJ, MH],
        "skipped": [
            {"gstin": KA, "reason": "PREVIOUS_3B_NOT_FILED"},
            {"gstin": TN, "reason": "QUARTERLY_TAXPAYER"},  # month 2 of the quarter
        ],
    }
    assert not_generated(bharat, KA, "112025") == "PREVIOUS_3B_NOT_FILED"
    assert not_generated(chennai, TN, "112025") == "QUARTERLY_TAXPAYER"
    r = chennai.get(f"/api/v1/gstr3b/{TN}/112025")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "QUARTERLY_TAXPAYER")

    # -- 15-12-2025: Chennai rejects G-CN-2; Bharat files 3B 102025 late (due 20-11) ------------------
    set_clock("2025-12-15 10:00")
    assert act(chennai, TN, {"id": c["G-CN-2"], "action": "R", "remarks": "goods not returned"}) == []
    out = file_3b(bharat, KA, "102025")
    assert out["tables"]["itc"]["net"] == T("12000", "2160")  # frozen as drafted after the recompute
    assert out["tables"]["liability"]["3_1_d"] == T("2000", "360")
    assert out["gstr2b_version"] == 2
    assert gstr2b(bharat, KA, "102025")["status"] == "final"
    r = bharat.post(f"/api/v1/gstr2b/{KA}/102025/generate")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "RETURN_FILED")  # final now
    assert act(bharat, KA, {"id": b["A-INV-2"], "action": "A"}) == [(b["A-INV-2"], "RETURN_FILED")]
    # A-INV-1 (A), A-INV-2 (R), A-CN-1 (R) leave IMS; the pending A-INV-3 moves to 112025.
    for number in ("A-INV-1", "A-INV-2", "A-CN-1"):
        rec = record(bharat, KA, b[number])
        assert (rec["left_ims"], rec["deemed_accepted"]) == (True, False), number
    a_inv_3 = record(bharat, KA, b["A-INV-3"])
    assert (a_inv_3["itc_period"], a_inv_3["action"], a_inv_3["left_ims"]) == ("112025", "P", False)
    # filing the late 3B generated the waiting 2B 112025 at once.
    versions = bharat.get(f"/api/v1/gstr2b/{KA}/112025/versions").json()["records"]
    assert [(v["version"], v["trigger"]) for v in versions] == [(1, "3b_filed")]
    two_b = gstr2b(bharat, KA, "112025")
    # 4A(5) side: G-INV-1 (N) 6,000 / 1,080; A-INV-3 and G-CN-1 are P: left out.
    assert summ(two_b, "itcavl", "nonrevsup") == T("6000", "1080")
    assert summ(two_b, "itcavl", "othersup") == ZERO
    assert two_b["stale"] is False
    # the A-CN-1 rejection is final; it goes to Acme's first unfiled 3B, 112025 (10 is filed).
    r = acme.get(f"/api/v1/ims/{MH}/outward/addbacks")
    assert r.status_code == 200
    entries = js(r)["records"]
    assert [
        (e["record_id"], e["ctin"], e["section"], e["nt_num"], e["rejected_in_period"], e["added_in_period"])
        for e in entries
    ] == [(b["A-CN-1"], KA, "b2bcn", "A-CN-1", "102025", "112025")]
    assert {h: entries[0][h] for h in HEADS} == T("1000", "180")
    assert entries[0]["reversal"] is False
    liability = gstr3b(acme, MH, "112025")["tables"]["liability"]
    assert liability["3_1_a"] == T("3000", "540")  # A-INV-5
    assert liability["addback"] == T("1000", "180")  # A-CN-1 added back

    # -- 16-12-2025: Bharat accepts the carried A-INV-3; recompute 112025 --------------------------------
    set_clock("2025-12-16 10:00")
    assert act(bharat, KA, {"id": b["A-INV-3"], "action": "A"}) == []
    assert gstr2b(bharat, KA, "112025")["stale"] is True
    assert recompute(bharat, KA, "112025") == 2
    two_b = gstr2b(bharat, KA, "112025")
    assert two_b["stale"] is False
    # G-INV-1 6,000 + A-INV-3 2,500 = 8,500; IGST 1,080 + 450 = 1,530.
    assert summ(two_b, "itcavl", "nonrevsup") == T("8500", "1530")
    assert lines(two_b, "b2b") == [(GJ, "G-INV-1", "N"), (MH, "A-INV-3", "A")]  # sorted by ctin

    # -- 18-12-2025: Bharat files 3B 112025 on time; G-CN-1 stays pending -------------------------------
    set_clock("2025-12-18 10:00")
    itc = file_3b(bharat, KA, "112025")["tables"]["itc"]
    assert itc["4A5"] == T("8500", "1530")
    assert itc["4B2"] == ZERO
    assert itc["net"] == T("8500", "1530")
    g_cn_1 = record(bharat, KA, b["G-CN-1"])
    # Carried to 122025; the deadline keeps to the first assigned 2B period (112025): 20-01-2026.
    assert (g_cn_1["itc_period"], g_cn_1["action"], g_cn_1["pending_deadline"]) == (
        "122025",
        "P",
        "20-01-2026",
    )
    assert record(bharat, KA, b["G-INV-1"])["deemed_accepted"] is True
    assert not_generated(bharat, KA, "122025") == "NOT_YET_GENERATED"  # draft date 14-01-2026

    # -- 20-12-2025: the suppliers file 3B 112025; December documents ----------------------------------
    set_clock("2025-12-20 10:00")
    liability = file_3b(acme, MH, "112025")["tables"]["liability"]
    assert liability["3_1_a"] == T("3000", "540")  # A-INV-5
    assert liability["addback"] == T("1000", "180")  # frozen with the filing
    liability = file_3b(gj, GJ, "112025")["tables"]["liability"]
    assert liability["3_1_a"] == T("-400", "-72")  # only G-CN-2: −400 / −72
    assert liability["addback"] == ZERO
    save(acme, MH, "122025", b2b=b2b((KA, [inv("A-INV-6", "05-12-2025", txval="5000.00")])))  # IGST 900
    save(gj, GJ, "122025", b2b=b2b((TN, [inv("G-INV-2", "06-12-2025", txval="2000.00", pos="33")])))  # 360

    # -- The December cut-off for the quarterly recipient -------------------------------------------
    set_clock("2026-01-11 23:30")
    file_gstr1(acme, MH, "122025")
    set_clock("2026-01-12 00:10")
    file_gstr1(gj, GJ, "122025")
    assert record(bharat, KA, ids(bharat, KA)["A-INV-6"])["itc_period"] == "122025"
    # Filed 12-01-2026: month 012026, which for Chennai is the quarter 032026, not 122025.
    assert record(chennai, TN, ids(chennai, TN)["G-INV-2"])["itc_period"] == "032026"

    # -- 14-01-2026: every 122025 2B is drafted --------------------------------------------------------
    set_clock("2026-01-14 00:05")
    assert schedule_2b(admin, "122025") == {"generated": [GJ, MH, KA, TN], "skipped": []}
    two_b = gstr2b(chennai, TN, "122025")
    assert two_b["rtnprd"] == "122025"
    # Chennai's quarter: A-INV-4 (A) 8,000 + A-INV-5 (N) 3,000 = 11,000; IGST 1,440 + 540 = 1,980.
    assert summ(two_b, "itcavl", "nonrevsup") == T("11000", "1980")
    assert lines(two_b, "b2b") == [(MH, "A-INV-4", "A"), (MH, "A-INV-5", "N")]  # G-INV-2 is in 032026
    assert summ(two_b, "itcavl", "othersup") == ZERO
    assert summ(two_b, "itcRejected", "othersup") == T("400", "72")  # G-CN-2
    assert rejected_lines(two_b, "cdnr") == [(GJ, "G-CN-2", "goods not returned")]
    two_b = gstr2b(bharat, KA, "122025")
    assert summ(two_b, "itcavl", "nonrevsup") == T("5000", "900")  # A-INV-6 (N)
    assert summ(two_b, "itcavl", "othersup") == ZERO  # G-CN-1 is still P: left out

    # -- 20-01-2026: Chennai's quarterly 3B (due 22-01); GJ's 3B 122025 with the add-back --------------
    set_clock("2026-01-20 10:00")
    three_b = file_3b(chennai, TN, "122025")
    itc, liability = three_b["tables"]["itc"], three_b["tables"]["liability"]
    assert itc["4A5"] == T("11000", "1980")  # A-INV-4 + A-INV-5
    assert itc["4B2"] == ZERO
    assert itc["net"] == T("11000", "1980")
    assert liability["3_1_a"] == ZERO  # Chennai reports no outward supplies
    assert record(chennai, TN, c["A-INV-5"])["deemed_accepted"] is True
    assert gstr2b(chennai, TN, "122025")["status"] == "final"
    assert not_generated(chennai, TN, "012026") == "QUARTERLY_TAXPAYER"
    assert not_generated(chennai, TN, "032026") == "NOT_YET_GENERATED"  # draft date 14-04-2026
    r = chennai.get(f"/api/v1/gstr3b/{TN}/102025")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "QUARTERLY_TAXPAYER")
    # R-6.4: G-CN-2's rejection is final: GJ's first unfiled 3B is 122025.
    entries = js(gj.get(f"/api/v1/ims/{GJ}/outward/addbacks"))["records"]
    assert [(e["nt_num"], e["ctin"], e["rejected_in_period"], e["added_in_period"]) for e in entries] == [
        ("G-CN-2", TN, "122025", "122025")
    ]
    liability = file_3b(gj, GJ, "122025")["tables"]["liability"]
    assert liability["3_1_a"] == T("2000", "360")  # G-INV-2
    assert liability["addback"] == T("400", "72")  # G-CN-2 added back

    # -- 20-01-2026 23:30: the deadline day is still open; 21-01 00:15 the sweep expires G-CN-1 --------
    set_clock("2026-01-20 23:30")
    assert sweep(admin) == 0
    assert record(bharat, KA, b["G-CN-1"])["action"] == "P"
    set_clock("2026-01-21 00:15")
    assert sweep(admin) == 1
    g_cn_1 = record(bharat, KA, b["G-CN-1"])
    assert (g_cn_1["action"], g_cn_1["remarks"], g_cn_1["ispendactblocked"]) == ("N", None, "Y")
    assert (g_cn_1["history"][-1]["by"], g_cn_1["history"][-1]["reason"]) == ("system", "pending expired")
    assert act(bharat, KA, {"id": b["G-CN-1"], "action": "P"}) == [(b["G-CN-1"], "PENDING_EXPIRED")]
    assert sweep(admin) == 0  # nothing more to expire

    # -- 23-01-2026: Bharat recomputes and files 3B 122025 late (due 20-01) ---------------------------
    set_clock("2026-01-23 10:00")
    assert gstr3b(bharat, KA, "122025")["blocked_by"] == ["2B_STALE"]  # the sweep changed G-CN-1
    assert recompute(bharat, KA, "122025") == 2
    two_b = gstr2b(bharat, KA, "122025")
    assert two_b["stale"] is False
    assert summ(two_b, "itcavl", "nonrevsup") == T("5000", "900")  # A-INV-6
    assert summ(two_b, "itcavl", "othersup") == T("500", "90")  # G-CN-1 at N: full reduction
    three_b = file_3b(bharat, KA, "122025")
    itc = three_b["tables"]["itc"]
    assert itc["4A5"] == T("5000", "900")
    assert itc["4B2"] == T("500", "90")
    assert itc["net"] == T("4500", "810")  # 5,000 − 500; 900 − 90
    assert three_b["tables"]["liability"]["3_1_a"] == ZERO
    g_cn_1 = record(bharat, KA, b["G-CN-1"])
    assert (g_cn_1["left_ims"], g_cn_1["deemed_accepted"]) == (True, True)
    # The next 2B (012026) is first due on 14-02-2026: the late filing cannot generate it yet.
    assert not_generated(bharat, KA, "012026") == "NOT_YET_GENERATED"


# --- Scenario B ---------------------------------------------------------------------------------------


def test_r4_4_r4_6_r5_1_september_october_2025_boundary(set_clock, staff, supplier, recipient):
    """The 102025 boundary of GSTN advisory 624, decided by the 2B period, never by the document date.

    Acme (MH) and Gujarat Bazaar (GJ) each bill Bharat (KA) in September 2025 and credit it:
    * Acme's September GSTR-1 is filed on 11-10-2025 23:30: 2B period 092025. Its credit notes CN-S1
      and CN-S2 can never be pending (PENDING_NOT_ALLOWED) and carry no declaration
      (DECLARATION_NOT_ALLOWED): CN-S1 is accepted in full, CN-S2 is deemed accepted in full.
    * GJ's September GSTR-1 is filed on 12-10-2025 00:10: 2B period 102025 (R-5.1). Before filing its
      CN-G1 is provisionally in 092025 and P is refused; from filing the assigned period 102025 decides
      (R-4.4): P is allowed until 20-12-2025, and the acceptance may declare a partial reduction, which
      4B(2) uses (R-4.6, R-6.1).
    * Acme's October credit note CN-O1 is kept pending through Bharat's 3B 102025 and carried to 112025
      with its deadline unchanged.
    """
    admin = client_for(staff)
    set_clock("2025-09-25 10:00")
    gj_t = register(admin, GJ, "Gujarat Bazaar")
    acme = client_for(member(supplier, "owner", "acme"))
    gj = client_for(member(gj_t, "owner", "gj"))
    bharat = client_for(member(recipient, "owner", "bharat"))
    save(
        acme,
        MH,
        "092025",
        b2b=b2b((KA, [inv("INV-S1", "10-09-2025", txval="10000.00")])),  # IGST 1,800
        cdnr=cdnr(
            (
                KA,
                [
                    note("CN-S1", "20-09-2025", txval="1000.00"),  # IGST 180
                    note("CN-S2", "21-09-2025", txval="500.00"),  # IGST 90
                ],
            )
        ),
    )
    save(
        gj,
        GJ,
        "092025",
        b2b=b2b((KA, [inv("INV-G1", "15-09-2025", txval="5000.00")])),  # IGST 900
        cdnr=cdnr((KA, [note("CN-G1", "22-09-2025", txval="2000.00")])),  # IGST 360
    )
    b = ids(bharat, KA)
    # Saved, not filed: both credit notes are provisionally in 092025 (their return period).
    for number in ("CN-S1", "CN-G1"):
        rec = record(bharat, KA, b[number])
        assert (rec["itc_period"], rec["ispendactblocked"], rec["isItcRedReqBlocked"]) == ("092025", "Y", "Y")
        assert rec["pending_deadline"] is None
    assert act(bharat, KA, {"id": b["CN-S1"], "action": "P"}, {"id": b["CN-G1"], "action": "P"}) == [
        (b["CN-S1"], "PENDING_NOT_ALLOWED"),
        (b["CN-G1"], "PENDING_NOT_ALLOWED"),
    ]

    # -- Acme files on the 11th: 092025 ---------------------------------------------------------------
    set_clock("2025-10-11 23:30")
    file_gstr1(acme, MH, "092025")
    rec = record(bharat, KA, b["CN-S1"])
    assert (rec["itc_period"], rec["ispendactblocked"], rec["pending_deadline"]) == ("092025", "Y", None)
    assert act(
        bharat,
        KA,
        {"id": b["CN-S1"], "action": "P"},
        {"id": b["CN-S2"], "action": "A", "declIgst": 100},
    ) == [(b["CN-S1"], "PENDING_NOT_ALLOWED"), (b["CN-S2"], "DECLARATION_NOT_ALLOWED")]
    assert act(bharat, KA, {"id": b["CN-S1"], "action": "A", "itcRedReq": "N"}) == [
        (b["CN-S1"], "DECLARATION_NOT_ALLOWED")
    ]
    assert act(bharat, KA, {"id": b["CN-S1"], "action": "A"}) == []  # accepted in full; CN-S2 stays N

    # -- GJ files its September GSTR-1 on the 12th: 102025 ------------------------------------------
    set_clock("2025-10-12 00:10")
    file_gstr1(gj, GJ, "092025")
    rec = record(bharat, KA, b["CN-G1"])
    # First assigned 2B period 102025: P allowed until the 3B due date of 112025, 20-12-2025.
    assert (rec["itc_period"], rec["ispendactblocked"], rec["isItcRedReqBlocked"]) == ("102025", "N", "N")
    assert rec["pending_deadline"] == "20-12-2025"
    assert act(bharat, KA, {"id": b["CN-G1"], "action": "P", "remarks": "matching stock"}) == []
    save(acme, MH, "102025", cdnr=cdnr((KA, [note("CN-O1", "05-10-2025", txval="3000.00")])))  # IGST 540
    b = ids(bharat, KA)
    assert act(bharat, KA, {"id": b["CN-O1"], "action": "P", "remarks": "awaiting debit advice"}) == []
    assert record(bharat, KA, b["CN-O1"])["pending_deadline"] == "20-12-2025"

    # -- 14-10-2025: 2B and 3B 092025 ----------------------------------------------------------------
    set_clock("2025-10-14 00:05")
    assert schedule_2b(admin, "092025")["generated"] == [GJ, MH, KA]
    two_b = gstr2b(bharat, KA, "092025")
    # 4A(5) side: INV-S1 10,000 / 1,800 (INV-G1 is in 102025).
    assert summ(two_b, "itcavl", "nonrevsup") == T("10000", "1800")
    # Part B: CN-S1 (A, full) 1,000 / 180 + CN-S2 (N, full) 500 / 90 = 1,500 / 270.
    assert summ(two_b, "itcavl", "othersup") == T("1500", "270")
    assert summ(two_b, "itcavl", "othersup", "cdnr") == T("1500", "270")
    assert lines(two_b, "cdnr") == [(MH, "CN-S1", "A"), (MH, "CN-S2", "N")]
    set_clock("2025-10-14 10:00")
    three_b = file_3b(bharat, KA, "092025")
    itc = three_b["tables"]["itc"]
    assert itc["4A5"] == T("10000", "1800")
    assert itc["4B2"] == T("1500", "270")
    assert itc["net"] == T("8500", "1530")  # 10,000 − 1,500; 1,800 − 270
    assert record(bharat, KA, b["CN-S2"])["deemed_accepted"] is True

    # -- 20-10-2025: CN-G1 accepted with a partial declaration (R-4.6) -------------------------------
    set_clock("2025-10-20 10:00")
    assert act(bharat, KA, {"id": b["CN-G1"], "action": "A", "declIgst": 400}) == [
        (b["CN-G1"], "DECLARATION_EXCEEDS_TAX")  # 400 > the note's IGST 360
    ]
    assert act(bharat, KA, {"id": b["CN-G1"], "action": "A", "declIgst": 200}) == []
    rec = record(bharat, KA, b["CN-G1"])
    assert (rec["action"], rec["remarks"], rec["itcRedReq"], rec["declIgst"]) == ("A", None, "Y", D("200"))

    # -- Acme's October GSTR-1; 14-11-2025: 2B 102025 -----------------------------------------------
    set_clock("2025-11-11 10:00")
    file_gstr1(acme, MH, "102025")
    set_clock("2025-11-14 00:05")
    assert schedule_2b(admin, "102025")["generated"] == [KA]  # the suppliers have not filed 3B 092025
    two_b = gstr2b(bharat, KA, "102025")
    assert summ(two_b, "itcavl", "nonrevsup") == T("5000", "900")  # INV-G1 (N)
    # Part B: CN-G1 by the taxable value of its effect, 2,000, and the declared IGST 200 (not 360).
    # CN-O1 is P: left out.
    assert summ(two_b, "itcavl", "othersup") == T("2000", "200")
    assert lines(two_b, "cdnr") == [(GJ, "CN-G1", "A")]
    assert two_b["docdata"]["cdnr"][0]["nt"][0]["declIgst"] == D("200")
    set_clock("2025-11-20 10:00")
    itc = file_3b(bharat, KA, "102025")["tables"]["itc"]
    assert itc["4A5"] == T("5000", "900")
    assert itc["4B2"] == T("2000", "200")
    assert itc["net"] == T("3000", "700")  # 5,000 − 2,000; 900 − 200
    rec = record(bharat, KA, b["CN-O1"])
    # carried to 112025 at P; the deadline keeps to the first assigned period (102025).
    assert (rec["itc_period"], rec["action"], rec["left_ims"], rec["pending_deadline"]) == (
        "112025",
        "P",
        False,
        "20-12-2025",
    )
