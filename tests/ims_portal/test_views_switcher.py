"""Issue 4 item 1: sign-in, the GSTIN switcher, and pages following the role of the current GSTIN."""

from django.test import Client

from taxpayers.models import Membership
from tests.conftest import KA, MH, UserFactory, member


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r8_1_sign_in_lands_on_the_dashboard_of_a_gstin(recipient):
    user = member(recipient, "owner", "bharat")
    c = Client()
    r = c.post("/login/", {"username": "bharat", "password": "secret123"})
    assert r.status_code == 302
    r = c.get("/", follow=True)
    assert r.redirect_chain[-1][0] == f"/g/{KA}/"
    assert user.username in r.content.decode()


def test_r8_1_a_user_with_several_gstins_switches_between_them(supplier, recipient):
    user = member(recipient, "viewer", "multi")
    Membership.objects.create(user=user, taxpayer=supplier, role="owner")
    c = web(user)
    page = c.get(f"/g/{KA}/").content.decode()
    # The switcher offers both GSTINs with their trade names.
    assert f'<option value="{MH}">Acme</option>' in page and f'<option value="{KA}">Bharat</option>' in page
    r = c.get("/switch", {"gstin": MH.lower()})
    assert (r.status_code, r["Location"]) == (302, f"/g/{MH}/")
    # The role follows the GSTIN: owner of Acme sees action buttons, viewer of Bharat does not.
    assert 'data-bulk="A"' in c.get(f"/g/{MH}/ims/inward").content.decode()
    assert 'data-bulk="A"' not in c.get(f"/g/{KA}/ims/inward").content.decode()
    # After switching, pages outside one GSTIN keep the last GSTIN's navigation.
    c.get(f"/g/{MH}/")
    assert f'href="/g/{MH}/ims/inward"' in c.get("/jobs/").content.decode()


def test_r8_2_switching_to_a_gstin_one_is_not_a_member_of_is_not_found(supplier, recipient):
    c = web(member(recipient, "owner"))
    assert c.get("/switch", {"gstin": MH}).status_code == 404
    assert c.get("/switch", {"gstin": "27AAPFU0939F1ZX"}).status_code == 404  # malformed: the same 404
    assert c.get(f"/g/{MH}/").status_code == 404


def test_r8_1_a_user_without_gstins_gets_a_helpful_empty_page(db):
    r = web(UserFactory()).get("/")
    assert r.status_code == 200
    assert "not a member of any GSTIN" in r.content.decode()


def test_issue15_the_switcher_finds_a_gstin_by_trade_name_and_lists_several(supplier, recipient):
    user = member(recipient, "viewer", "multi2")
    Membership.objects.create(user=user, taxpayer=supplier, role="owner")
    c = web(user)
    r = c.get("/switch", {"gstin": "Bharat"})
    assert (r.status_code, r["Location"]) == (302, f"/g/{KA}/")
    r = c.get("/switch", {"gstin": "AAPFU"})  # part of a GSTIN
    assert (r.status_code, r["Location"]) == (302, f"/g/{MH}/")
    r = c.get("/switch", {"gstin": "c"})  # Acme, Bharat Components: both listed, inside the portal's page
    page = r.content.decode()
    assert r.status_code == 200 and f'href="/g/{MH}/"' in page and f'href="/g/{KA}/"' in page
    assert 'class="topbar"' in page


def test_issue15_r8_2_the_switcher_never_finds_a_strangers_gstin_by_name(supplier, recipient):
    c = web(member(recipient, "owner"))
    r = c.get("/switch", {"gstin": "Acme"})  # Acme exists, but this user is not its member
    page = r.content.decode()
    assert r.status_code == 404 and "None of your GSTINs matches" in page and MH not in page
    assert 'class="topbar"' in page  # a page with the portal's navigation, not a bare 404
