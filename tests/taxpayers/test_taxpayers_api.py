"""API of API.md "Auth and administration": tokens, taxpayers, frequency, members, users, sandbox clock
(R-1, R-8, R-9.4). Every taxpayer view runs as owner, preparer, viewer, outsider and anonymous."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import SandboxClock
from core.periods import IST
from taxpayers.models import Membership, Taxpayer
from tests.conftest import DL, GJ, KA, MH, TN, UserFactory, client_for, gstr1, inv, member

User = get_user_model()
API = "/api/v1"
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "Not found.", "details": []}}


def code(r) -> str:
    return r.json()["error"]["code"]


def detail_codes(r) -> list[tuple[str, str]]:
    return [(d["path"], d["code"]) for d in r.json()["error"]["details"]]


# --- POST /auth/token ---------------------------------------------------------------------------


def test_auth_token_ok_and_usable(db):
    UserFactory(username="asha")  # password secret123
    r = APIClient().post(f"{API}/auth/token", {"username": "asha", "password": "secret123"}, format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert isinstance(token, str) and token
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get(f"{API}/taxpayers").status_code == 200
    # Asking again gives the same token.
    again = APIClient().post(
        f"{API}/auth/token", {"username": "asha", "password": "secret123"}, format="json"
    )
    assert again.json() == {"token": token}


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "asha", "password": "wrong-password"},
        {"username": "nobody", "password": "secret123"},
        {"username": "asha"},
        {},
    ],
)
def test_auth_token_invalid_credentials(db, payload):
    UserFactory(username="asha")
    r = APIClient().post(f"{API}/auth/token", payload, format="json")
    assert r.status_code == 400
    assert code(r) == "INVALID_CREDENTIALS"


def test_auth_token_inactive_user_refused(db):
    UserFactory(username="gone", is_active=False)
    r = APIClient().post(f"{API}/auth/token", {"username": "gone", "password": "secret123"}, format="json")
    assert r.status_code == 400
    assert code(r) == "INVALID_CREDENTIALS"


def test_r8_unauthenticated_gets_401(supplier):
    c = APIClient()
    for r in (
        c.get(f"{API}/taxpayers"),
        c.get(f"{API}/taxpayers/{MH}"),
        c.post(f"{API}/taxpayers", {"gstin": GJ, "legal_name": "X"}, format="json"),
        c.post(f"{API}/users", {"username": "u", "password": "secret123"}, format="json"),
    ):
        assert r.status_code == 401
        assert code(r) == "NOT_AUTHENTICATED"


def test_bad_token_gets_401(supplier):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    r = c.get(f"{API}/taxpayers/{MH}")
    assert r.status_code == 401
    assert code(r) == "NOT_AUTHENTICATED"


# --- POST /taxpayers -------------------------------------------------------------------------


def test_r1_1_staff_creates_taxpayer_with_defaults(staff):
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": GJ, "legal_name": "Ambica Foods"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json() == {
        "gstin": GJ,
        "legal_name": "Ambica Foods",
        "trade_name": "",
        "state_code": "24",
        "ims_start_period": "102024",
        "eco_operator": False,
        "frequencies": [{"from_period": "102024", "frequency": "M"}],
    }
    assert Taxpayer.objects.filter(gstin=GJ).exists()


def test_r1_3_staff_creates_quarterly_taxpayer_with_start_period(staff):
    r = client_for(staff).post(
        f"{API}/taxpayers",
        {
            "gstin": TN,
            "legal_name": "Chola Textiles",
            "trade_name": "Chola",
            "filing_frequency": "Q",
            "ims_start_period": "012026",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state_code"] == "33"
    assert body["trade_name"] == "Chola"
    assert body["ims_start_period"] == "012026"
    assert body["frequencies"] == [{"from_period": "012026", "frequency": "Q"}]


def test_r1_1_gstin_normalised_on_create(staff):
    r = client_for(staff).post(
        f"{API}/taxpayers", {"gstin": "  07aagff2194n1z1 ", "legal_name": "Dilli Hardware"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["gstin"] == DL
    assert r.json()["state_code"] == "07"
    assert Taxpayer.objects.get().gstin == DL


@pytest.mark.parametrize(
    "gstin, detail",
    [
        ("27AAPFU0939F1Z", "GSTIN_LENGTH"),
        ("40AAPFU0939F1ZV", "GSTIN_STATE"),
        ("27AAPF10939F1ZV", "GSTIN_PAN"),
        ("27AAPFU0939F0ZV", "GSTIN_ENTITY"),
        ("27AAPFU0939F1XV", "GSTIN_Z"),
        ("27AAPFU0939F1ZA", "GSTIN_CHECK"),
    ],
)
def test_r1_1_bad_gstin_refused_with_part_code(staff, gstin, detail):
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": gstin, "legal_name": "X"}, format="json")
    assert r.status_code == 400
    assert code(r) == "VALIDATION"
    assert detail_codes(r) == [("gstin", detail)]
    assert not Taxpayer.objects.exists()


@pytest.mark.parametrize(
    "extra, path",
    [
        ({"ims_start_period": "092024"}, "ims_start_period"),  # before the launch of IMS
        ({"ims_start_period": "132025"}, "ims_start_period"),
        ({"filing_frequency": "Q", "ims_start_period": "112025"}, "ims_start_period"),  # not a quarter start
        ({"filing_frequency": "X"}, "filing_frequency"),
    ],
)
def test_r1_4_bad_start_period_or_frequency_refused(staff, extra, path):
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": GJ, "legal_name": "X", **extra}, format="json")
    assert r.status_code == 400
    assert code(r) == "VALIDATION"
    assert [p for p, _ in detail_codes(r)] == [path]
    assert not Taxpayer.objects.exists()


def test_create_taxpayer_requires_legal_name(staff):
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": GJ, "legal_name": "  "}, format="json")
    assert r.status_code == 400
    assert detail_codes(r) == [("legal_name", "REQUIRED")]


def test_r1_1_create_existing_gstin_already_exists(staff, supplier):
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": MH.lower(), "legal_name": "Copy"}, format="json")
    assert r.status_code == 409
    assert code(r) == "ALREADY_EXISTS"
    assert Taxpayer.objects.filter(gstin=MH).count() == 1


@pytest.mark.parametrize("role", ["owner", "preparer", "viewer"])
def test_r8_1_non_staff_cannot_create_taxpayer(supplier, role):
    r = client_for(member(supplier, role)).post(
        f"{API}/taxpayers", {"gstin": GJ, "legal_name": "X"}, format="json"
    )
    assert r.status_code == 403
    assert code(r) == "FORBIDDEN"
    assert not Taxpayer.objects.filter(gstin=GJ).exists()


# --- GET /taxpayers, GET /taxpayers/{gstin} ------------------------------------------------------


def test_r8_1_list_shows_only_visible_taxpayers(supplier, recipient, staff, outsider):
    viewer = member(supplier, "viewer")
    Membership.objects.create(user=viewer, taxpayer=recipient, role="owner")
    only_sup = member(supplier, "preparer")
    assert [t["gstin"] for t in client_for(only_sup).get(f"{API}/taxpayers").json()["records"]] == [MH]
    assert [t["gstin"] for t in client_for(viewer).get(f"{API}/taxpayers").json()["records"]] == [MH, KA]
    assert [t["gstin"] for t in client_for(staff).get(f"{API}/taxpayers").json()["records"]] == [MH, KA]
    r = client_for(outsider).get(f"{API}/taxpayers")
    assert r.status_code == 200
    assert r.json() == {"records": [], "next_cursor": None}


def test_list_taxpayers_query_count_does_not_grow(staff, supplier, recipient, django_assert_max_num_queries):
    from taxpayers.services import taxpayer_create

    for g in (GJ, TN, DL):
        taxpayer_create(gstin=g, legal_name=f"T {g}")
    c = client_for(staff)
    # 3 + the IFF closing check every request makes first.
    with django_assert_max_num_queries(4):
        r = c.get(f"{API}/taxpayers")
    assert len(r.json()["records"]) == 5


def test_list_taxpayers_keyset_paginated(staff, supplier, recipient):
    from taxpayers.services import taxpayer_create

    taxpayer_create(gstin=GJ, legal_name="Ambica")
    c = client_for(staff)
    first = c.get(f"{API}/taxpayers?limit=2").json()
    assert [t["gstin"] for t in first["records"]] == [MH, KA]
    assert first["next_cursor"]
    second = c.get(f"{API}/taxpayers?limit=2&cursor={first['next_cursor']}").json()
    assert second == {"records": [second["records"][0]], "next_cursor": None}
    assert second["records"][0]["gstin"] == GJ
    r = c.get(f"{API}/taxpayers?cursor=garbage")
    assert r.status_code == 400
    assert detail_codes(r) == [("cursor", "INVALID")]


@pytest.mark.parametrize("role", ["owner", "preparer", "viewer"])
def test_r8_1_member_reads_taxpayer(supplier, role):
    r = client_for(member(supplier, role)).get(f"{API}/taxpayers/{MH}")
    assert r.status_code == 200
    assert r.json() == {
        "gstin": MH,
        "legal_name": "Acme Traders LLP",
        "trade_name": "Acme",
        "state_code": "27",
        "ims_start_period": "092025",
        "eco_operator": False,
        "frequencies": [{"from_period": "092025", "frequency": "M"}],
    }


def test_r1_1_path_gstin_is_upper_cased(supplier):
    r = client_for(member(supplier, "viewer")).get(f"{API}/taxpayers/{MH.lower()}")
    assert r.status_code == 200
    assert r.json()["gstin"] == MH


def test_r8_1_staff_reads_any_taxpayer(staff, supplier):
    assert client_for(staff).get(f"{API}/taxpayers/{MH}").status_code == 200


def test_r8_2_outsider_unknown_and_malformed_get_identical_not_found(supplier, recipient, outsider, staff):
    member(recipient, "owner", username="other-owner")  # the outsider is a member of nothing here
    c = client_for(outsider)
    outsider_r = c.get(f"{API}/taxpayers/{MH}")
    unknown_r = c.get(f"{API}/taxpayers/{GJ}")  # valid, not registered
    malformed_r = c.get(f"{API}/taxpayers/NOT-A-GSTIN")
    bad_check_r = c.get(f"{API}/taxpayers/27AAPFU0939F1ZW")
    for r in (outsider_r, unknown_r, malformed_r, bad_check_r):
        assert r.status_code == 404
        assert r.json() == NOT_FOUND
    # Staff see the same for unknown and malformed GSTINs.
    s = client_for(staff)
    assert s.get(f"{API}/taxpayers/{GJ}").json() == NOT_FOUND
    assert s.get(f"{API}/taxpayers/NOT-A-GSTIN").json() == NOT_FOUND


def test_r8_2_member_of_another_taxpayer_is_an_outsider(supplier, recipient):
    c = client_for(member(recipient, "owner"))
    r = c.get(f"{API}/taxpayers/{MH}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


# --- POST /taxpayers/{gstin}/frequency ----------------------------------------------------------


def test_r1_3_owner_changes_frequency_for_next_quarter(set_clock, supplier):
    set_clock("2025-11-05 10:00")
    r = client_for(member(supplier, "owner")).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["gstin"] == MH
    assert r.json()["frequencies"] == [
        {"from_period": "092025", "frequency": "M"},
        {"from_period": "012026", "frequency": "Q"},
    ]


def test_r1_3_staff_may_change_frequency(set_clock, supplier, staff):
    set_clock("2025-11-05 10:00")
    r = client_for(staff).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "042026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("role", ["preparer", "viewer"])
def test_r8_2_only_owner_changes_frequency(set_clock, supplier, role):
    set_clock("2025-11-05 10:00")
    r = client_for(member(supplier, role)).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 403
    assert code(r) == "FORBIDDEN"
    assert supplier.frequencies.count() == 1


def test_r8_2_outsider_frequency_not_found(set_clock, supplier, outsider):
    set_clock("2025-11-05 10:00")
    r = client_for(outsider).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


@pytest.mark.parametrize("from_period", ["102025", "072025"])
def test_r1_3_frequency_change_for_started_quarter_refused(set_clock, supplier, from_period):
    set_clock("2025-11-05 10:00")
    r = client_for(member(supplier, "owner")).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": from_period, "frequency": "Q"}, format="json"
    )
    if from_period == "072025":  # also before the start period 092025: an input error comes first
        assert r.status_code == 400
        assert detail_codes(r) == [("from_period", "BEFORE_START_PERIOD")]
    else:
        assert r.status_code == 409
        assert code(r) == "QUARTER_STARTED"
    assert supplier.frequencies.count() == 1


def test_r1_3_frequency_change_on_the_quarters_first_day_is_quarter_started(set_clock, supplier):
    set_clock("2026-01-01 00:00")
    r = client_for(member(supplier, "owner")).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 409
    assert code(r) == "QUARTER_STARTED"


def test_r1_3_frequency_change_the_day_before_the_quarter_is_allowed(set_clock, supplier):
    set_clock("2025-12-31 23:59")
    r = client_for(member(supplier, "owner")).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json"
    )
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("from_period", ["022026", "032026", "122025"])
def test_r1_3_frequency_change_not_first_month_of_quarter(set_clock, supplier, from_period):
    set_clock("2025-11-05 10:00")
    r = client_for(member(supplier, "owner")).post(
        f"{API}/taxpayers/{MH}/frequency", {"from_period": from_period, "frequency": "Q"}, format="json"
    )
    assert r.status_code == 400
    assert code(r) == "VALIDATION"
    assert detail_codes(r) == [("from_period", "INVALID")]


@pytest.mark.parametrize(
    "payload, path",
    [
        ({"from_period": "012026", "frequency": "X"}, "frequency"),
        ({"from_period": "2026-01", "frequency": "Q"}, "from_period"),
    ],
)
def test_r1_3_frequency_change_bad_input(set_clock, supplier, payload, path):
    set_clock("2025-11-05 10:00")
    r = client_for(member(supplier, "owner")).post(f"{API}/taxpayers/{MH}/frequency", payload, format="json")
    assert r.status_code == 400
    assert [p for p, _ in detail_codes(r)] == [path]


def test_r1_3_frequency_change_replaces_earlier_change_for_same_quarter(set_clock, supplier):
    set_clock("2025-11-05 10:00")
    c = client_for(member(supplier, "owner"))
    c.post(f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json")
    r = c.post(f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "M"}, format="json")
    assert r.status_code == 200
    assert r.json()["frequencies"] == [
        {"from_period": "092025", "frequency": "M"},
        {"from_period": "012026", "frequency": "M"},
    ]


# --- members ---------------------------------------------------------------------------------


def test_r8_1_owner_adds_and_removes_member(supplier):
    owner = client_for(member(supplier, "owner"))
    UserFactory(username="ravi")
    r = owner.post(f"{API}/taxpayers/{MH}/members", {"username": "ravi", "role": "preparer"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["username"] == "ravi"
    assert r.json()["role"] == "preparer"
    ravi = User.objects.get(username="ravi")
    assert client_for(ravi).get(f"{API}/taxpayers/{MH}").status_code == 200
    r = owner.delete(f"{API}/taxpayers/{MH}/members/ravi")
    assert r.status_code == 204
    assert not Membership.objects.filter(user=ravi).exists()
    assert client_for(ravi).get(f"{API}/taxpayers/{MH}").json() == NOT_FOUND


def test_r8_1_the_last_owner_cannot_be_removed_or_demoted(supplier):
    boss = member(supplier, "owner", username="boss")
    owner = client_for(boss)
    r = owner.delete(f"{API}/taxpayers/{MH}/members/boss")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "LAST_OWNER")
    r = owner.post(f"{API}/taxpayers/{MH}/members", {"username": "boss", "role": "viewer"}, format="json")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "LAST_OWNER")
    member(supplier, "owner", username="second")
    assert owner.delete(f"{API}/taxpayers/{MH}/members/boss").status_code == 204


def test_r8_1_owner_changes_a_members_role(supplier):
    owner = client_for(member(supplier, "owner"))
    ravi = member(supplier, "viewer", username="ravi")
    r = owner.post(f"{API}/taxpayers/{MH}/members", {"username": "ravi", "role": "preparer"}, format="json")
    assert r.status_code == 201
    assert Membership.objects.get(user=ravi).role == "preparer"


@pytest.mark.parametrize("role", ["preparer", "viewer"])
def test_r8_2_non_owner_cannot_manage_members(supplier, role):
    c = client_for(member(supplier, role))
    member(supplier, "viewer", username="ravi")
    UserFactory(username="meena")
    r = c.post(f"{API}/taxpayers/{MH}/members", {"username": "meena", "role": "viewer"}, format="json")
    assert r.status_code == 403
    assert code(r) == "FORBIDDEN"
    r = c.delete(f"{API}/taxpayers/{MH}/members/ravi")
    assert r.status_code == 403
    assert code(r) == "FORBIDDEN"
    assert Membership.objects.filter(user__username="ravi").exists()
    assert not Membership.objects.filter(user__username="meena").exists()


def test_r8_2_outsider_manages_members_not_found(supplier, outsider):
    member(supplier, "viewer", username="ravi")
    c = client_for(outsider)
    r = c.post(f"{API}/taxpayers/{MH}/members", {"username": "outsider", "role": "owner"}, format="json")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    r = c.delete(f"{API}/taxpayers/{MH}/members/ravi")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("role", ["owner", "preparer", "viewer"])
def test_r8_1_members_list_readable_by_members(supplier, role):
    me = member(supplier, role, username="me")
    r = client_for(me).get(f"{API}/taxpayers/{MH}/members")
    assert r.status_code == 200
    assert r.json() == {"records": [{"username": "me", "role": role}], "next_cursor": None}


def test_r8_2_members_list_outsider_not_found(supplier, outsider):
    r = client_for(outsider).get(f"{API}/taxpayers/{MH}/members")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


def test_member_add_unknown_user_or_role_refused(supplier):
    owner = client_for(member(supplier, "owner"))
    r = owner.post(f"{API}/taxpayers/{MH}/members", {"username": "ghost", "role": "viewer"}, format="json")
    assert r.status_code == 400
    assert detail_codes(r) == [("username", "INVALID")]
    UserFactory(username="ravi")
    r = owner.post(f"{API}/taxpayers/{MH}/members", {"username": "ravi", "role": "admin"}, format="json")
    assert r.status_code == 400
    assert detail_codes(r) == [("role", "INVALID")]


def test_member_remove_non_member_not_found(supplier):
    owner = client_for(member(supplier, "owner"))
    UserFactory(username="ravi")
    r = owner.delete(f"{API}/taxpayers/{MH}/members/ravi")
    assert r.status_code == 404
    assert code(r) == "NOT_FOUND"


# --- POST /users -----------------------------------------------------------------------------


def test_r8_1_staff_creates_user_with_memberships(staff, supplier, recipient):
    r = client_for(staff).post(
        f"{API}/users",
        {
            "username": "kiran",
            "password": "long-enough-1",
            "email": "kiran@example.com",
            "memberships": [{"gstin": MH.lower(), "role": "owner"}, {"gstin": KA, "role": "viewer"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["username"] == "kiran"
    assert sorted(body["memberships"], key=lambda m: m["gstin"]) == [
        {"gstin": MH, "role": "owner"},
        {"gstin": KA, "role": "viewer"},
    ]
    # The new user can log in and sees exactly those taxpayers.
    t = APIClient().post(
        f"{API}/auth/token", {"username": "kiran", "password": "long-enough-1"}, format="json"
    )
    assert t.status_code == 200
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {t.json()['token']}")
    assert [x["gstin"] for x in c.get(f"{API}/taxpayers").json()["records"]] == [MH, KA]


def test_staff_creates_user_without_memberships(staff):
    r = client_for(staff).post(
        f"{API}/users", {"username": "solo", "password": "long-enough-1"}, format="json"
    )
    assert r.status_code == 201
    assert r.json() == {"username": "solo", "memberships": []}


@pytest.mark.parametrize("role", ["owner", "preparer", "viewer"])
def test_r8_1_non_staff_cannot_create_users(supplier, role):
    r = client_for(member(supplier, role)).post(
        f"{API}/users", {"username": "kiran", "password": "long-enough-1"}, format="json"
    )
    assert r.status_code == 403
    assert code(r) == "FORBIDDEN"
    assert not User.objects.filter(username="kiran").exists()


def test_create_user_already_exists(staff):
    UserFactory(username="kiran")
    r = client_for(staff).post(
        f"{API}/users", {"username": "kiran", "password": "long-enough-1"}, format="json"
    )
    assert r.status_code == 409
    assert code(r) == "ALREADY_EXISTS"


def test_create_user_unknown_gstin_refused(staff, supplier):
    r = client_for(staff).post(
        f"{API}/users",
        {
            "username": "kiran",
            "password": "long-enough-1",
            "memberships": [{"gstin": MH, "role": "owner"}, {"gstin": GJ, "role": "viewer"}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert code(r) == "VALIDATION"
    assert detail_codes(r) == [("memberships[1].gstin", "INVALID")]
    assert not User.objects.filter(username="kiran").exists()


def test_create_user_same_gstin_twice_refused(staff, supplier):
    r = client_for(staff).post(
        f"{API}/users",
        {
            "username": "kiran",
            "password": "long-enough-1",
            "memberships": [{"gstin": MH, "role": "owner"}, {"gstin": MH.lower(), "role": "viewer"}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert detail_codes(r) == [("memberships[1].gstin", "DUPLICATE")]
    assert not User.objects.filter(username="kiran").exists()


@pytest.mark.parametrize(
    "payload, path",
    [
        ({"username": "", "password": "long-enough-1"}, "username"),
        ({"username": "kiran", "password": "short"}, "password"),
        (
            {
                "username": "kiran",
                "password": "long-enough-1",
                "memberships": [{"gstin": MH, "role": "boss"}],
            },
            "memberships[0].role",
        ),
    ],
)
def test_create_user_bad_input(staff, supplier, payload, path):
    r = client_for(staff).post(f"{API}/users", payload, format="json")
    assert r.status_code == 400
    assert [p for p, _ in detail_codes(r)] == [path]


# --- sandbox clock (R-9.4, R-2.4) --------------------------------------------------------------


def _parse(now: str) -> datetime:
    moment = datetime.fromisoformat(now)
    assert moment.tzinfo is not None
    return moment


@pytest.fixture
def sandbox(settings, db):
    settings.IMS_SANDBOX_CLOCK = True
    return settings


def test_r9_4_clock_404_when_sandbox_off(settings, staff):
    settings.IMS_SANDBOX_CLOCK = False
    c = client_for(staff)
    for r in (
        c.get(f"{API}/admin/clock"),
        c.put(f"{API}/admin/clock", {"now": "2025-11-14T09:00:00+05:30"}, format="json"),
        c.delete(f"{API}/admin/clock"),
    ):
        assert r.status_code == 404
        assert r.json() == NOT_FOUND
    assert not SandboxClock.objects.exists()


def test_r9_4_clock_staff_only(sandbox, supplier):
    c = client_for(member(supplier, "owner"))
    for r in (
        c.get(f"{API}/admin/clock"),
        c.put(f"{API}/admin/clock", {"now": "2025-11-14T09:00:00+05:30"}, format="json"),
        c.delete(f"{API}/admin/clock"),
    ):
        assert r.status_code == 403
        assert code(r) == "FORBIDDEN"
    assert not SandboxClock.objects.exists()
    assert APIClient().get(f"{API}/admin/clock").status_code == 401


def test_r9_4_put_sets_business_time_in_ist(sandbox, staff):
    r = client_for(staff).put(f"{API}/admin/clock", {"now": "2025-11-14T09:00:00+05:30"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["sandbox"] is True
    moment = _parse(r.json()["now"])
    assert moment.utcoffset() == timedelta(hours=5, minutes=30)
    set_to = datetime(2025, 11, 14, 9, 0, tzinfo=IST)
    assert set_to <= moment < set_to + timedelta(seconds=5)


def test_r9_4_put_accepts_any_offset_and_replies_in_ist(sandbox, staff):
    r = client_for(staff).put(f"{API}/admin/clock", {"now": "2025-11-13T20:00:00+00:00"}, format="json")
    assert r.status_code == 200
    moment = _parse(r.json()["now"])
    # 20:00 UTC on the 13th is 01:30 IST on the 14th.
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2025, 11, 14, 1, 30)


def test_r2_4_business_time_advances_with_real_time(sandbox, staff):
    from core import clock

    c = client_for(staff)
    c.put(f"{API}/admin/clock", {"now": "2025-11-14T09:00:00+05:30"}, format="json")
    # Pretend the clock was set 90 minutes of real time ago.
    SandboxClock.objects.update(set_at=timezone.now() - timedelta(minutes=90))
    moment = _parse(c.get(f"{API}/admin/clock").json()["now"])
    expected = datetime(2025, 11, 14, 10, 30, tzinfo=IST)
    assert expected <= moment < expected + timedelta(seconds=5)
    assert clock.today().isoformat() == "2025-11-14"


def test_r9_4_clock_used_by_rules(sandbox, staff, supplier):
    c = client_for(staff)
    c.put(f"{API}/admin/clock", {"now": "2025-12-31T23:00:00+05:30"}, format="json")
    r = c.post(f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "Q"}, format="json")
    assert r.status_code == 200
    c.put(f"{API}/admin/clock", {"now": "2026-01-01T00:30:00+05:30"}, format="json")
    r = c.post(f"{API}/taxpayers/{MH}/frequency", {"from_period": "012026", "frequency": "M"}, format="json")
    assert r.status_code == 409
    assert code(r) == "QUARTER_STARTED"


def test_r9_4_delete_returns_to_real_time(sandbox, staff):
    c = client_for(staff)
    c.put(f"{API}/admin/clock", {"now": "2020-01-01T00:00:00+05:30"}, format="json")
    r = c.delete(f"{API}/admin/clock")
    assert r.status_code == 200
    moment = _parse(r.json()["now"])
    assert abs(moment - timezone.now()) < timedelta(seconds=5)
    assert not SandboxClock.objects.exists()
    moment = _parse(c.get(f"{API}/admin/clock").json()["now"])
    assert abs(moment - timezone.now()) < timedelta(seconds=5)


@pytest.mark.parametrize("now", ["2025-11-14T09:00:00", "14-11-2025 09:00", "", None, 12345])
def test_r9_4_put_needs_iso_time_with_offset(sandbox, staff, now):
    r = client_for(staff).put(f"{API}/admin/clock", {"now": now}, format="json")
    assert r.status_code == 400
    assert detail_codes(r) == [("now", "INVALID")]
    assert not SandboxClock.objects.exists()


# --- late registration --------------------------------------------------------------------


def test_r1_4_document_to_unregistered_gstin_appears_when_recipient_registers(set_clock, supplier, staff):
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    body = gstr1(b2b=[inv("INV-9", "05-10-2025", pos="24")], ctin=GJ)
    r = sup.post(f"{API}/gstr1/{MH}/102025/documents", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["created"] == 1
    r = client_for(staff).post(
        f"{API}/taxpayers",
        {"gstin": GJ, "legal_name": "Ambica Foods", "ims_start_period": "092025"},
        format="json",
    )
    assert r.status_code == 201, r.content
    rec = client_for(member(Taxpayer.objects.get(gstin=GJ), "viewer"))
    r = rec.get(f"{API}/ims/{GJ}/inward")
    assert r.status_code == 200, r.content
    records = r.json()["records"]
    assert len(records) == 1
    assert records[0]["section"] == "b2b"
    assert records[0]["stin"] == MH
    assert records[0]["inum"] == "INV-9"
    assert records[0]["srcfilstatus"] == "Not Filed"
    assert records[0]["action"] == "N"
    detail = rec.get(f"{API}/ims/{GJ}/inward/{records[0]['id']}").json()
    assert [(h["by"], h["to"]) for h in detail["history"]] == [("system", "N")]


def test_r1_4_unrelated_registration_gets_no_records(set_clock, supplier, recipient, staff):
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    r = sup.post(f"{API}/gstr1/{MH}/102025/documents", gstr1(b2b=[inv("INV-1", "05-10-2025")]), format="json")
    assert r.status_code == 201, r.content
    r = client_for(staff).post(f"{API}/taxpayers", {"gstin": GJ, "legal_name": "Ambica"}, format="json")
    assert r.status_code == 201
    r = client_for(member(Taxpayer.objects.get(gstin=GJ), "viewer")).get(f"{API}/ims/{GJ}/inward")
    assert r.json()["records"] == []


def test_issue12_a_token_stops_working_when_its_user_is_made_inactive_and_a_wrong_one_never_works(supplier):
    """Token authentication reads the user and the token's age in one plain query (issue 12): DRF's checks
    stay — an unknown key and an inactive user are 401s, an active member reads."""
    user = UserFactory(username="leaver", password="secret123")
    Membership.objects.create(user=user, taxpayer=supplier, role="viewer")
    key = APIClient().post(
        f"{API}/auth/token", {"username": "leaver", "password": "secret123"}, format="json"
    )
    key = key.json()["token"]
    c = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert c.get(f"{API}/taxpayers/{MH}").status_code == 200
    wrong = APIClient(HTTP_AUTHORIZATION=f"Token {key[:-1]}{'0' if key[-1] != '0' else '1'}")
    assert wrong.get(f"{API}/taxpayers/{MH}").status_code == 401
    type(user).objects.filter(id=user.id).update(is_active=False)
    assert c.get(f"{API}/taxpayers/{MH}").status_code == 401
