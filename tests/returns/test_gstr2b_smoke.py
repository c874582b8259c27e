from decimal import Decimal

from core import clock
from returns.models import Gstr3bFiling
from returns.selectors import gstr2b_reply
from returns.services.gstr2b import gstr2b_generate_if_due, gstr2b_recompute
from tests.conftest import KA, MH, client_for, gstr1, inv, member, note


def test_generate_2b_from_ims(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    rec = client_for(member(recipient, "owner"))
    body = gstr1(
        b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")],
        cdnr=[note("CN-1", "06-10-2025", txval="100.00")],
    )
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json").status_code == 201
    ids = [x["id"] for x in rec.get(f"/api/v1/ims/{KA}/inward").json()["records"]]
    r = rec.post(
        f"/api/v1/ims/{KA}/inward/actions",
        {"actions": [{"id": ids[1], "action": "R", "remarks": "not ours"}]},
        format="json",
    )
    assert r.json()["processed"] == 1
    set_clock("2025-11-05 10:00")
    assert sup.post(f"/api/v1/gstr1/{MH}/092025/file", {"form": "GSTR1"}, format="json").status_code == 200
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/file", {"form": "GSTR1"}, format="json").status_code == 200
    set_clock("2025-11-14 00:10")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="schedule", by="system") is None
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202510, trigger="schedule", by="system") == (
        "ALREADY_GENERATED"
    )
    v = gstr2b_recompute(taxpayer=recipient, period=202510, by="x")
    data = gstr2b_reply(v)["data"]
    s = data["itcsumm"]
    zero = Decimal("0")
    assert s["itcavl"]["nonrevsup"]["b2b"] == {
        "txval": Decimal("1000.00"),
        "igst": Decimal("180.00"),
        "cgst": zero,
        "sgst": zero,
        "cess": zero,
    }
    assert s["itcavl"]["othersup"]["cdnr"]["igst"] == Decimal("18.00")
    assert s["itcRejected"]["nonrevsup"]["b2b"]["igst"] == Decimal("90.00")
    assert data["docRejdata"]["b2b"][0]["inv"][0]["remarks"] == "not ours"
    assert data["version"] == 2 and data["stale"] is False
    assert data["docdata"]["b2b"][0]["inv"][0]["txval"] == Decimal("1000.00")
