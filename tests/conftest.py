"""Shared fixtures: taxpayers in three states, the owner / preparer / viewer / outsider quartet, the
sandbox clock, and a helper to build GSTR-1 JSON."""

from datetime import datetime
from decimal import Decimal

import factory
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core import clock
from core.periods import IST, parse_period
from taxpayers.models import Membership, Role
from taxpayers.services import taxpayer_create

User = get_user_model()

# Valid GSTINs: Maharashtra, Karnataka, Gujarat, Tamil Nadu, Delhi.
MH, KA, GJ, TN, DL = (
    "27AAPFU0939F1ZV",
    "29AAGCB7383J1Z4",
    "24AANFA2641L1ZF",
    "33GSPTN0791G1Z5",
    "07AAGFF2194N1Z1",
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret123")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made by the hundred in tests: a fast hasher instead of PBKDF2's deliberate slowness."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache holds sign-in failure counters (Redis under `make test`): no test inherits another's."""
    from django.core.cache import cache

    from invoices.services.iff_closing import forget_closings

    cache.clear()
    forget_closings()
    yield
    cache.clear()
    forget_closings()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Jobs run in the test's process and transaction; the real-worker test opts out."""
    from ims_portal.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def set_clock(settings, db):
    """Set the sandbox business time: set_clock("2025-11-05 10:00")."""
    settings.IMS_SANDBOX_CLOCK = True

    def _set(when: str):
        moment = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=IST)
        clock.clock_set(business_at=moment)
        return moment

    return _set


@pytest.fixture
def supplier(db):
    return taxpayer_create(
        gstin=MH, legal_name="Acme Traders LLP", trade_name="Acme", ims_start_period="092025"
    )


@pytest.fixture
def recipient(db):
    return taxpayer_create(
        gstin=KA, legal_name="Bharat Components Pvt Ltd", trade_name="Bharat", ims_start_period="092025"
    )


def member(taxpayer, role: str, username: str | None = None):
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, taxpayer=taxpayer, role=role)
    return user


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


ROLES = [Role.OWNER, Role.PREPARER, Role.VIEWER]


def inv(
    inum: str,
    idt: str,
    *,
    txval="1000.00",
    rt="18",
    pos="29",
    intra=False,
    rchrg="N",
    inv_typ="R",
    csamt=None,
    **extra,
) -> dict:
    """One b2b invoice; tax heads computed by hand from the rate (inter-state by default)."""
    tx = Decimal(txval)
    r = Decimal(rt)
    det = {"rt": r, "txval": tx}
    if intra:
        half = (tx * r / 200).quantize(Decimal("0.01"))
        det.update({"camt": half, "samt": half, "iamt": Decimal("0")})
    else:
        det.update(
            {"iamt": (tx * r / 100).quantize(Decimal("0.01")), "camt": Decimal("0"), "samt": Decimal("0")}
        )
    if csamt is not None:
        det["csamt"] = Decimal(csamt)
    doc = {
        "inum": inum,
        "idt": idt,
        "val": tx + sum(v for k, v in det.items() if k not in ("rt", "txval")),
        "pos": pos,
        "rchrg": rchrg,
        "inv_typ": inv_typ,
        "itms": [{"num": 1, "itm_det": det}],
    }
    doc.update(extra)
    return doc


def note(nt_num: str, nt_dt: str, ntty="C", **kw) -> dict:
    d = inv(nt_num, nt_dt, **kw)
    d["nt_num"] = d.pop("inum")
    d["nt_dt"] = d.pop("idt")
    d["ntty"] = ntty
    return d


def gstr1(*, b2b=None, cdnr=None, b2ba=None, cdnra=None, ctin=KA, **sections) -> dict:
    out = {}
    if b2b:
        out["b2b"] = [{"ctin": ctin, "inv": b2b}]
    if b2ba:
        out["b2ba"] = [{"ctin": ctin, "inv": b2ba}]
    if cdnr:
        out["cdnr"] = [{"ctin": ctin, "nt": cdnr}]
    if cdnra:
        out["cdnra"] = [{"ctin": ctin, "nt": cdnra}]
    out.update(sections)
    return out


# --- the helpers most modules use ------------------------------------------------------------------------


def save(supplier, period, body: dict, *, by: str = "sup") -> dict:
    """Save GSTR-1 JSON through the service; ``period`` as ``MMYYYY`` or an int ``yyyymm``."""
    from invoices.services import documents_save

    p = parse_period(period) if isinstance(period, str) else period
    return documents_save(supplier=supplier, period=p, payload=body, by=by, channel="api")


def act(recipient, *actions: dict, by: str = "rec-clerk") -> dict:
    """Apply IMS actions through the batch service."""
    from ims.services.actions import ims_actions_apply

    return ims_actions_apply(recipient=recipient, actions=list(actions), by=by, channel="api")


def record(recipient, number: str):
    """The recipient's current (not removed) record of a document number."""
    from ims.models import ImsRecord

    return ImsRecord.objects.get(recipient=recipient, number=number, removed=False)


def make_operator(taxpayer) -> None:
    """Register the taxpayer as an e-commerce operator (R-3.14), so it may report ECO documents."""
    from taxpayers.services import taxpayer_update

    taxpayer_update(taxpayer=taxpayer, eco_operator=True)
