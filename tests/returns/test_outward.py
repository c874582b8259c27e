"""R-7.1: the supplier's view of its documents with the recipient's action (the October scenario of
test_gstr3b), filters, keyset pages and access."""

from decimal import Decimal

import pytest

from tests.conftest import DL, KA, MH, client_for, gstr1, inv, member
from tests.returns.test_gstr3b import body, october, save, september_3bs

D = Decimal


@pytest.fixture
def sup(supplier):
    return client_for(member(supplier, "owner", "acme_owner"))


@pytest.fixture
def buyer(recipient):
    return client_for(member(recipient, "owner", "bharat_owner"))


def by_number(rows) -> dict:
    return {x.get("inum") or x.get("nt_num"): x for x in rows}


def test_r7_1_supplier_sees_recipient_action_rsn_and_2b_period(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    r = sup.get(f"/api/v1/ims/{MH}/outward", {"period": "102025"})
    assert r.status_code == 200, r.content
    rows = by_number(body(r)["records"])
    assert sorted(rows) == ["CN-1", "CN-2", "CN-3", "INV-1", "INV-2", "INV-P", "INV-R"]
    inv2 = rows["INV-2"]
    assert {
        k: inv2[k]
        for k in (
            "ctin",
            "section",
            "idt",
            "rtnprd",
            "action",
            "rsn",
            "remarks",
            "itc_period",
            "left_ims",
            "deemed_accepted",
        )
    } == {
        "ctin": KA,
        "section": "b2b",
        "idt": "06-10-2025",
        "rtnprd": "102025",
        "action": "R",
        "rsn": None,
        "remarks": "not ours",
        "itc_period": "102025",
        "left_ims": False,
        "deemed_accepted": False,
    }
    assert (inv2["txval"], inv2["iamt"], inv2["camt"]) == (D("500.00"), D("90.00"), D("0.00"))
    assert (rows["CN-2"]["section"], rows["CN-2"]["nt_dt"], rows["CN-2"]["action"]) == (
        "b2bcn",
        "10-10-2025",
        "P",
    )
    # Kept out of IMS: no action; rsn P for the place-of-supply reason, null for reverse charge only.
    assert (rows["INV-P"]["action"], rows["INV-P"]["rsn"]) == (None, "P")
    assert (rows["INV-R"]["action"], rows["INV-R"]["rsn"]) == (None, None)
    assert rows["INV-1"]["id"] != rows["INV-2"]["id"]


def test_r7_1_after_3b_left_ims_deemed_and_carried_forward(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    september_3bs(set_clock, supplier, recipient)
    set_clock("2025-11-15 10:00")
    assert buyer.post(f"/api/v1/gstr3b/{KA}/102025/file").status_code == 200
    rows = by_number(body(sup.get(f"/api/v1/ims/{MH}/outward"))["records"])
    assert (rows["CN-1"]["action"], rows["CN-1"]["left_ims"], rows["CN-1"]["deemed_accepted"]) == (
        "N",
        True,
        True,
    )
    assert (rows["INV-1"]["action"], rows["INV-1"]["left_ims"]) == ("A", True)
    assert (rows["CN-2"]["action"], rows["CN-2"]["left_ims"], rows["CN-2"]["itc_period"]) == (
        "P",
        False,
        "112025",
    )


def test_r7_1_filters(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    save(sup, MH, "112025", gstr1(b2b=[inv("INV-D", "05-11-2025", pos="07")], ctin=DL))

    def numbers(**params):
        r = sup.get(f"/api/v1/ims/{MH}/outward", params)
        assert r.status_code == 200, r.content
        return sorted(by_number(r.json()["records"]))

    assert numbers(section="b2bcn") == ["CN-1", "CN-2", "CN-3"]
    assert numbers(action="R") == ["CN-3", "INV-2"]
    assert numbers(action="N") == ["CN-1"]  # kept-out INV-P / INV-R have no action
    assert numbers(period="112025") == ["INV-D"]
    assert numbers(ctin=DL.lower()) == ["INV-D"]
    assert numbers(section="b2bdn") == []
    # A recipient not registered in the portal: no record, no action.
    d = body(sup.get(f"/api/v1/ims/{MH}/outward", {"ctin": DL}))["records"][0]
    assert (d["action"], d["rsn"], d["itc_period"], d["left_ims"], d["status"]) == (
        None,
        None,
        None,
        False,
        "saved",
    )
    for bad in ({"section": "cdnr"}, {"action": "X"}, {"period": "2025-10"}):
        r = sup.get(f"/api/v1/ims/{MH}/outward", bad)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "VALIDATION")


def test_r7_1_keyset_pages_with_one_record_query_per_page(
    set_clock, supplier, recipient, sup, buyer, django_assert_max_num_queries
):
    october(set_clock, sup, buyer, recipient)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        # membership, documents, records: never one query per row
        # 4 + the IFF closing check every request makes first.
        with django_assert_max_num_queries(5):
            r = sup.get(f"/api/v1/ims/{MH}/outward", params)
        page = r.json()
        assert len(page["records"]) <= 3
        seen += [x["id"] for x in page["records"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and seen == sorted(seen)


@pytest.mark.parametrize("role, status", [("owner", 200), ("preparer", 200), ("viewer", 200), (None, 404)])
def test_r8_1_outward_access(set_clock, supplier, outsider, role, status):
    set_clock("2025-11-05 10:00")
    c = client_for(member(supplier, role) if role else outsider)
    assert c.get(f"/api/v1/ims/{MH}/outward").status_code == status


def test_r8_2_outward_shows_only_own_documents(set_clock, supplier, recipient, sup, buyer):
    october(set_clock, sup, buyer, recipient)
    # Bharat is the recipient, not the supplier, of these documents: its outward view is empty.
    assert buyer.get(f"/api/v1/ims/{KA}/outward").json() == {"records": [], "next_cursor": None}
    # Bharat cannot read Acme's outward view.
    assert buyer.get(f"/api/v1/ims/{MH}/outward").status_code == 404
