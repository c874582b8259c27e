"""Issue 17, item 3: maker-checker. An owner of Bharat turns it on; a preparer's rejects (or, with "all",
every action) become proposals; an owner approves (applied, the audit row naming both people) or returns
them with a comment; GSTR-3B of the period is blocked while proposals on its records are open
(PROPOSALS_OPEN). Roles as R-8 says: only an owner sets the mode and decides.

Scenario: test_browser's September — Acme's INV-1, INV-2, INV-3 and CN-1 of Sep 2025 to Bharat, GSTR-1 filed
05-10-2025, 2B of Sep 2025 generated on 14-10-2025; business time 15-10-2025 10:00."""

import pytest
from django.test import Client

from ims.models import ImsAudit, ImsRecord, Proposal
from tests.conftest import KA, client_for, member
from tests.ims_portal import test_browser as tb

pytestmark = pytest.mark.django_db


sept = tb.september  # test_browser's September: number -> record id


@pytest.fixture
def people(recipient):
    return {
        "owner": member(recipient, "owner", "olga"),
        "preparer": member(recipient, "preparer", "pavan"),
        "viewer": member(recipient, "viewer", "vera"),
    }


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def act(user, *items):
    r = client_for(user).post(f"/api/v1/ims/{KA}/inward/actions", {"actions": list(items)}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def set_mode(user, mode: str):
    return web(user).post(f"/g/{KA}/maker-checker", {"maker_checker": mode})


def test_issue17_r8_only_an_owner_sets_maker_checker(sept, people, recipient):
    for role in ("preparer", "viewer"):
        assert set_mode(people[role], "reject").status_code == 403
    assert set_mode(people["owner"], "reject").status_code == 302
    recipient.refresh_from_db()
    assert recipient.maker_checker == "reject"
    assert set_mode(people["owner"], "sometimes").status_code == 302
    recipient.refresh_from_db()
    assert recipient.maker_checker == "reject"  # an unknown mode changes nothing


def test_issue17_a_preparers_reject_is_proposed_and_an_owners_approval_applies_it_naming_both(sept, people):
    set_mode(people["owner"], "reject")
    out = act(
        people["preparer"],
        {"id": sept["INV-1"], "action": "R", "remarks": "Rate differs"},
        {"id": sept["INV-2"], "action": "A"},  # an accept is not covered by "reject": applied at once
    )
    assert (out["processed"], out["proposed"], out["errors"]) == (1, 1, [])
    inv1 = ImsRecord.objects.get(id=sept["INV-1"])
    assert inv1.action == "N"  # not applied yet
    assert ImsRecord.objects.get(id=sept["INV-2"]).action == "A"
    proposal = Proposal.objects.get(record_id=inv1.id)
    assert (proposal.action, proposal.remarks, proposal.proposed_by, proposal.status) == (
        "R",
        "Rate differs",
        "pavan",
        "open",
    )
    # The owner sees it on the IMS page and approves it.
    page = web(people["owner"]).get(f"/g/{KA}/ims/inward").content.decode()
    assert 'id="proposals"' in page and f'id="proposal-{proposal.id}"' in page
    r = client_for(people["owner"]).post(
        f"/api/v1/ims/{KA}/proposals/decide", {"ids": [proposal.id], "decision": "approve"}, format="json"
    )
    assert r.status_code == 200 and r.json() == {"processed": 1, "errors": []}
    inv1.refresh_from_db()
    assert (inv1.action, inv1.remarks) == ("R", "Rate differs")
    trail = ImsAudit.objects.filter(record_id=inv1.id, to_action="R").get()
    assert (trail.by, trail.reason) == ("olga", "proposed by pavan, approved by olga")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("approved", "olga")


def test_issue17_an_owner_returns_a_proposal_with_a_comment_and_the_preparer_reads_it(sept, people):
    set_mode(people["owner"], "all")
    out = act(people["preparer"], {"id": sept["INV-3"], "action": "A"})
    assert (out["processed"], out["proposed"]) == (0, 1)
    proposal = Proposal.objects.get(record_id=sept["INV-3"])
    owner = client_for(people["owner"])
    r = owner.post(
        f"/api/v1/ims/{KA}/proposals/decide", {"ids": [proposal.id], "decision": "return"}, format="json"
    )
    assert r.status_code == 400 and r.json()["error"]["details"][0]["path"] == "comment"
    r = owner.post(
        f"/api/v1/ims/{KA}/proposals/decide",
        {"ids": [proposal.id], "decision": "return", "comment": "Check the rate first"},
        format="json",
    )
    assert r.json()["processed"] == 1
    assert ImsRecord.objects.get(id=sept["INV-3"]).action == "N"
    page = web(people["preparer"]).get(f"/g/{KA}/ims/inward").content.decode()
    assert "olga returned it — “Check the rate first”" in page


def test_issue17_r8_a_preparer_cannot_decide_and_an_owners_own_actions_are_never_proposed(sept, people):
    set_mode(people["owner"], "all")
    act(people["preparer"], {"id": sept["INV-1"], "action": "R", "remarks": "x"})
    proposal = Proposal.objects.get()
    r = client_for(people["preparer"]).post(
        f"/api/v1/ims/{KA}/proposals/decide", {"ids": [proposal.id], "decision": "approve"}, format="json"
    )
    assert r.status_code == 403
    assert (
        web(people["preparer"])
        .post(f"/g/{KA}/ims/proposals/decide", {"proposal": proposal.id, "decision": "approve"})
        .status_code
        == 403
    )
    out = act(people["owner"], {"id": sept["INV-2"], "action": "R", "remarks": "y"})
    assert out["processed"] == 1 and "proposed" not in out  # the contract's reply, unchanged
    # A select-all bulk action by a covered preparer proposes every matching record (invoices: 3 of them;
    # INV-1's earlier proposal is replaced), for the owner to decide like any other.
    r = client_for(people["preparer"]).post(
        f"/api/v1/ims/{KA}/inward/bulk", {"filter": {"section": "b2b"}, "action": "A"}, format="json"
    )
    assert r.status_code == 200 and r.json() == {"proposed": 3}
    open_ = dict(Proposal.objects.filter(status="open").values_list("record__number", "action"))
    assert open_ == {"INV-1": "A", "INV-2": "A", "INV-3": "A"}
    assert Proposal.objects.get(record_id=sept["INV-1"], status="withdrawn").action == "R"
    assert ImsRecord.objects.get(id=sept["INV-3"]).action == "N"


def test_issue17_r6_3_gstr3b_is_blocked_while_proposals_on_its_period_are_open(sept, people, set_clock):
    set_mode(people["owner"], "reject")
    act(people["preparer"], {"id": sept["INV-1"], "action": "R", "remarks": "Rate differs"})
    owner = client_for(people["owner"])
    set_clock("2025-10-16 10:00")
    r = owner.get(f"/api/v1/gstr3b/{KA}/092025")
    assert "PROPOSALS_OPEN" in r.json()["blocked_by"]
    r = owner.post(f"/api/v1/gstr3b/{KA}/092025/file")
    assert r.status_code == 409 and r.json()["error"]["code"] == "PROPOSALS_OPEN"
    page = web(people["owner"]).get(f"/g/{KA}/gstr3b/092025").content.decode()
    assert "await an owner: approve or return them" in page
    proposal = Proposal.objects.get()
    owner.post(
        f"/api/v1/ims/{KA}/proposals/decide", {"ids": [proposal.id], "decision": "approve"}, format="json"
    )
    # Approved: the reject changed a record of the period, so the 2B is recomputed, then the 3B files.
    assert owner.post(f"/api/v1/gstr3b/{KA}/092025/file").json()["error"]["code"] == "2B_STALE"
    from returns.services.gstr2b import gstr2b_recompute

    gstr2b_recompute(taxpayer=people["owner"].memberships.get().taxpayer, period=202509, by="olga")
    assert owner.post(f"/api/v1/gstr3b/{KA}/092025/file").status_code == 200


def test_issue17_select_all_matching_on_the_page_proposes_for_a_covered_preparer(sept, people):
    set_mode(people["owner"], "all")
    r = web(people["preparer"]).post(f"/g/{KA}/ims/inward/bulk", {"qs": "section=b2bcn", "action": "P"})
    assert r.status_code == 200
    assert "Pending: 1 record proposed for an owner's approval." in r.content.decode()
    assert Proposal.objects.get().record_id == sept["CN-1"]
    assert not ImsRecord.objects.filter(action="P").exists()


def test_issue17_approving_many_proposals_costs_the_queries_of_one(sept, people, recipient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ims.services.proposals import proposals_decide

    set_mode(people["owner"], "all")

    def approve(numbers) -> int:
        act(people["preparer"], *({"id": sept[n], "action": "A"} for n in numbers))
        ids = list(Proposal.objects.filter(status="open").values_list("id", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            assert proposals_decide(recipient=recipient, ids=ids, approve=True, by="olga")[
                "processed"
            ] == len(numbers)
        return len(ctx.captured_queries)

    assert approve(["INV-1"]) == approve(["INV-2", "INV-3", "CN-1"])
