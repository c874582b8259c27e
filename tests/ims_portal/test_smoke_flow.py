from tests.conftest import KA, MH, client_for, gstr1, inv, member, note


def test_save_act_file_roundtrip(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    rec = client_for(member(recipient, "owner"))
    body = gstr1(b2b=[inv("INV-1", "05-10-2025")], cdnr=[note("CN-1", "06-10-2025")])
    r = sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json() == {"form": "GSTR1", "created": 2, "updated": 0, "unchanged": 0}
    r = rec.get(f"/api/v1/ims/{KA}/inward")
    assert r.status_code == 200
    recs = r.json()["records"]
    assert [x["section"] for x in recs] == ["b2b", "b2bcn"]
    assert recs[0]["srcfilstatus"] == "Not Filed"
    r = rec.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {"actions": [{"id": recs[0]["id"], "action": "A"}, {"id": recs[1]["id"], "action": "P"}]},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["processed"] == 2, r.json()
    set_clock("2025-11-05 10:00")
    assert sup.post(f"/api/v1/gstr1/{MH}/092025/file", {"form": "GSTR1"}, format="json").status_code == 200
    r = sup.post(f"/api/v1/gstr1/{MH}/102025/file", {"form": "GSTR1"}, format="json")
    assert r.status_code == 200, r.content
    r = rec.get(f"/api/v1/ims/{KA}/inward/{recs[1]['id']}")
    assert r.status_code == 200
    d = r.json()
    assert d["srcfilstatus"] == "Filed"
    assert d["itc_period"] == "102025"
    assert d["pending_deadline"] == "20-12-2025"
    assert [h["to"] for h in d["history"]] == ["N", "P"]
