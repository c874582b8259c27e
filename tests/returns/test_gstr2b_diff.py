"""Issue 17, item 2: what changed between two GSTR-2B versions, and why.

Scenario: test_gstr3b's October (Acme's INV-1 accepted, INV-2 rejected, INV-R reverse charge, INV-P kept out,
CN-1 at No action, CN-2 pending, CN-3 rejected; GSTR-1 of 09 and 10 filed on 05-11-2025) and both GSTR-3Bs of
Sep 2025 filed on 14-11-2025 00:10, which generates Bharat's 2B of Oct 2025, version 1. Then:
- 15-11-2025 Bharat rejects INV-1 (accepted before): it moves from ITC available to ITC rejected;
- 15-11-2025 Bharat accepts CN-1 declaring it did not claim the ITC (itcRedReq N): its declaration changes;
- 16-11-2025 Acme amends INV-R in GSTR-1A of Oct 2025 (taxable 2,000.00 to 2,500.00) and files it;
- 21-12-2025 CN-2's pending expires (its deadline was 20-12-2025, the 3B due date of Nov 2025): it enters;
- 21-12-2025 Bharat recomputes: version 2."""

import pytest

from ims.services.sweeps import pending_expiry_sweep
from returns.models import Gstr2bVersion
from returns.services.gstr2b import gstr2b_recompute
from tests.conftest import KA, MH, client_for, gstr1, inv
from tests.customs.test_import_of_goods import boe
from tests.customs.test_import_of_goods import post as post_boe
from tests.returns import test_gstr3b
from tests.returns.test_gstr3b import file_gstr1, october, rec, save, september_3bs

pytestmark = pytest.mark.django_db
sup, buyer = test_gstr3b.sup, test_gstr3b.buyer  # Acme's and Bharat's owners, signed in to the API


@pytest.fixture
def two_versions(set_clock, supplier, recipient, sup, buyer, staff):
    customs = client_for(staff)
    october(set_clock, sup, buyer, recipient)
    set_clock("2025-11-05 11:00")
    post_boe(customs, boe("5100001", txval=100000, igst=18000))
    september_3bs(set_clock, supplier, recipient)
    assert Gstr2bVersion.objects.filter(taxpayer=recipient, period=202510).count() == 1
    set_clock("2025-11-15 10:00")
    inv1, cn1 = rec(recipient, "INV-1"), rec(recipient, "CN-1")
    r = buyer.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {
            "actions": [
                {"id": inv1.id, "action": "R", "remarks": "Goods returned"},
                {"id": cn1.id, "action": "A", "itcRedReq": "N"},
            ]
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["errors"] == [], r.content
    set_clock("2025-11-16 10:00")
    post_boe(customs, boe("5100001", txval=90000, igst=16200, isamd="Y"))
    amended = inv("INV-R", "07-10-2025", txval="2500.00", rchrg="Y", oinum="INV-R", oidt="07-10-2025")
    save(sup, MH, "102025", gstr1(b2ba=[amended]))
    file_gstr1(sup, MH, "102025", form="GSTR1A")
    set_clock("2025-12-21 10:00")
    assert pending_expiry_sweep() >= 1
    gstr2b_recompute(taxpayer=recipient, period=202510, by="bharat_owner")
    return buyer


def changes(reply) -> list[tuple[str, str, str]]:
    return [(c["document"], c["change"], c["cause"]["words"]) for c in reply["changes"]]


def test_issue17_the_diff_names_the_cause_of_each_change(two_versions):
    r = two_versions.get(f"/api/v1/gstr2b/{KA}/102025/diff", {"from": 1, "to": 2})
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["from"]["version"], out["to"]["version"], out["next_cursor"]) == (1, 2, None)
    assert changes(out) == [
        ("Invoice INV-1 of Acme", "moved", "Rejected by bharat_owner (api, 15-11-2025 10:00)"),
        ("Credit note CN-1 of Acme", "amounts", "Accepted by bharat_owner (api, 15-11-2025 10:00)"),
        ("Credit note CN-2 of Acme", "entered", "pending expired (21-12-2025 10:00)"),
        (
            "Bill of entry 5100001",
            "left",
            "superseded by an amendment in the same 2B period (16-11-2025 10:00)",
        ),
        ("Bill of entry 5100001", "entered", "customs amended the bill of entry (16-11-2025 10:00)"),
    ]
    moved = out["changes"][0]
    assert (moved["from"]["words"], moved["to"]["words"]) == (
        "ITC available, B2B invoices",
        "ITC rejected, B2B invoices",
    )
    assert out["changes"][1]["to"]["itcRedReq"] == "N"
    # Acme's amendment of INV-R, filed in GSTR-1A on 16-11-2025 after the 2B of Oct was generated, belongs to
    # the 2B of Nov 2025 (R-5.1): it changes nothing here.
    assert not any("INV-R" in c["document"] for c in out["changes"])


def test_issue17_the_diff_gives_each_changed_total_by_hand(two_versions):
    out = two_versions.get(f"/api/v1/gstr2b/{KA}/102025/diff", {"from": 1, "to": 2}).json()
    by = {(t["grp"], t["sub"], t["key"]): (t["change"]["txval"], t["change"]["igst"]) for t in out["totals"]}
    assert by[("itcavl", "nonrevsup", "b2b")] == ("-1000.00", "-180.00")  # INV-1 rejected
    assert by[("itcRejected", "nonrevsup", "b2b")] == ("1000.00", "180.00")
    # CN-2 entered (200.00, IGST 36.00); CN-1 declared N, so its tax no longer reduces ITC (IGST -18.00,
    # R-4.6: part B counts tax as declared) while its taxable value stays: +200.00, IGST +18.00.
    assert by[("itcavl", "othersup", "cdnr")] == ("200.00", "18.00")
    # The bill of entry: 1,00,000.00 / 18,000.00 replaced by 90,000.00 / 16,200.00.
    assert by[("itcavl", "imports", "impg")] == ("-10000.00", "-1800.00")
    assert ("itcavl", "revsup", "b2b") not in by  # INV-R unchanged in Oct


def test_issue17_the_diff_pages_its_changes_and_refuses_bad_versions(two_versions, outsider):
    url = f"/api/v1/gstr2b/{KA}/102025/diff"
    first = two_versions.get(url, {"from": 1, "to": 2, "limit": 2}).json()
    assert len(first["changes"]) == 2 and first["next_cursor"]
    rest = two_versions.get(url, {"from": 1, "to": 2, "limit": 2, "cursor": first["next_cursor"]}).json()
    last = two_versions.get(url, {"from": 1, "to": 2, "limit": 2, "cursor": rest["next_cursor"]}).json()
    assert [c["id"] for c in first["changes"] + rest["changes"] + last["changes"]] == sorted(
        c["id"] for c in two_versions.get(url, {"from": 1, "to": 2}).json()["changes"]
    )
    assert last["next_cursor"] is None
    r = two_versions.get(url, {"from": 2, "to": 1})
    assert r.status_code == 400 and r.json()["error"]["details"][0]["path"] == "to"
    r = two_versions.get(url, {"to": 2})
    assert r.status_code == 400 and r.json()["error"]["details"][0]["path"] == "from"
    assert two_versions.get(url, {"from": 1, "to": 9}).status_code == 404
    assert client_for(outsider).get(url, {"from": 1, "to": 2}).status_code == 404


def test_issue17_the_2b_page_says_what_changed_since_the_version_before(two_versions, recipient):
    from django.contrib.auth import get_user_model
    from django.test import Client

    web = Client()
    web.force_login(get_user_model().objects.get(username="bharat_owner"))
    html = web.get(f"/g/{KA}/gstr2b/102025").content.decode()
    assert "What changed since version 1" in html
    assert "Invoice INV-1 of Acme" in html and "Rejected by bharat_owner" in html
    assert "pending expired" in html
    html = web.get(f"/g/{KA}/gstr2b/102025", {"version": "1"}).content.decode()
    assert "What changed since version" not in html  # the first version has none before it
