"""manage.py seed_demo: the demo taxpayers, logins and IMS data, and that running it twice changes nothing."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from core import clock
from core.errors import RuleViolation
from core.models import SandboxClock
from core.periods import IST
from ims.models import ImsAudit, ImsRecord
from invoices.models import Document, ReturnFiling
from returns.models import AddBack, Gstr2bVersion, Gstr3bFiling
from returns.selectors import gstr2b_reply, gstr2b_version
from returns.services.gstr2b import gstr2b_recompute_refusal
from returns.services.gstr3b import gstr3b_view
from taxpayers.models import Membership, Taxpayer
from taxpayers.selectors import Calendar
from tests.conftest import GJ, KA, MH, TN

User = get_user_model()

LOGINS = [
    ("admin", "admin12345"),
    ("acme", "acme12345"),
    ("bharat", "bharat12345"),
    ("chennai", "chennai12345"),
    ("gujarat", "gujarat12345"),
    ("auditor", "auditor12345"),
    ("preparer", "preparer12345"),
]
# Every supplier section, and bills of entry from overseas, from an SEZ unit, and one amended.
IMS_SECTIONS = {
    "b2b",
    "b2ba",
    "b2bdn",
    "b2bdna",
    "b2bcn",
    "b2bcna",
    "ecom",
    "ecoma",
    "impg",
    "impga",
    "impgsez",
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def sandbox(settings, db):
    settings.IMS_SANDBOX_CLOCK = True


def model_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def fingerprint() -> list[tuple]:
    """What the demo shows a recipient, record by record, independent of row ids and real time."""
    rows = ImsRecord.objects.order_by("recipient__gstin", "stin", "number", "section").values_list(
        "recipient__gstin",
        "section",
        "stin",
        "number",
        "rtnprd",
        "srcform",
        "filed_at",
        "action",
        "remarks",
        "active",
        "kept_out",
        "rsn",
        "superseded",
        "waiting_on_original",
        "itc_period",
        "itc_reducing",
        "pending_deadline",
    )
    # The sandbox clock runs on from each moment set, so instants differ by milliseconds: compare days.
    return [(*r[:6], r[6] and r[6].astimezone(IST).date(), *r[7:]) for r in rows]


def returns_fingerprint() -> tuple[list, list, list]:
    """The demo's 2B versions, 3B filings and add-backs, independent of row ids and real time."""
    versions = [
        (gstin, period, version, trigger, by, at.astimezone(IST).date(), summ, lines)
        for gstin, period, version, trigger, by, at, summ, lines in Gstr2bVersion.objects.order_by(
            "taxpayer__gstin", "period", "version"
        ).values_list(
            "taxpayer__gstin", "period", "version", "trigger", "by", "generated_at", "itcsumm", "id"
        )
    ]
    versions = [
        (*v[:7], sorted(Gstr2bVersion.objects.get(id=v[7]).lines.values_list("number", "grp", "sub", "key")))
        for v in versions
    ]
    filings = [
        (gstin, period, at.astimezone(IST).date(), tables, version)
        for gstin, period, at, tables, version in Gstr3bFiling.objects.order_by(
            "taxpayer__gstin", "period"
        ).values_list("taxpayer__gstin", "period", "filed_at", "tables", "gstr2b_version")
    ]
    addbacks = list(
        AddBack.objects.order_by("number").values_list(
            "supplier__gstin", "number", "rejected_in_period", "added_in_period", "igst", "reversal"
        )
    )
    return versions, filings, addbacks


def not_generated_reason(gstin: str, period: int) -> str:
    with pytest.raises(RuleViolation) as exc:
        gstr2b_version(taxpayer=Taxpayer.objects.get(gstin=gstin), period=period)
    assert (exc.value.code, exc.value.status) == ("NOT_GENERATED", 404)
    return exc.value.details[0]["reason"]


def test_r1_3_three_states_and_one_quarterly_taxpayer(sandbox):
    seed()
    taxpayers = {t.gstin: t for t in Taxpayer.objects.all()}
    assert set(taxpayers) == {MH, KA, TN, GJ}
    assert {t.state_code for t in taxpayers.values()} == {"27", "29", "33", "24"}
    assert Calendar(taxpayers[TN]).frequency(202510) == "Q"
    assert Calendar(taxpayers[TN]).return_period(202511) == 202512
    for gstin in (MH, KA, GJ):
        assert Calendar(taxpayers[gstin]).frequency(202510) == "M"
    assert taxpayers[MH].ims_start_period == 202509
    assert taxpayers[TN].ims_start_period == 202510


def test_r8_1_demo_logins_authenticate_with_their_roles(sandbox):
    seed()
    for username, password in LOGINS:
        assert authenticate(username=username, password=password) is not None, username
    assert authenticate(username="admin", password="wrong-password") is None
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    roles = set(Membership.objects.values_list("user__username", "taxpayer__gstin", "role"))
    assert roles == {
        ("acme", MH, "owner"),
        ("bharat", KA, "owner"),
        ("chennai", TN, "owner"),
        ("gujarat", GJ, "owner"),
        ("auditor", KA, "viewer"),
        ("preparer", MH, "preparer"),
    }
    assert not Membership.objects.filter(user=admin).exists()


def test_every_ims_section_over_several_periods_filed_and_saved(sandbox):
    seed()
    assert set(ImsRecord.objects.values_list("section", flat=True)) == IMS_SECTIONS
    assert set(Document.objects.values_list("period", flat=True)) >= {202509, 202510, 202511}
    assert Document.objects.filter(filed_at__isnull=False).exists()
    assert Document.objects.filter(filed_at__isnull=True).exists()
    # November is saved but not filed by anyone.
    assert not Document.objects.filter(period=202511, filed_at__isnull=False).exists()
    filings = set(ReturnFiling.objects.values_list("taxpayer__gstin", "form", "period"))
    assert filings == {
        (MH, "GSTR1", 202509),
        (KA, "GSTR1", 202509),
        (GJ, "GSTR1", 202509),
        (KA, "GSTR1A", 202509),
        (MH, "GSTR1", 202510),
        (KA, "GSTR1", 202510),
        (GJ, "GSTR1", 202510),
        (TN, "IFF", 202510),
    }


def test_r10_demo_has_bills_of_entry_in_2b_and_in_ims(sandbox):
    seed()
    sept = ImsRecord.objects.get(recipient__gstin=KA, number="4810231")
    assert (sept.itc_period, sept.active) == (202509, False)  # straight to 2B (before 10-2025)
    accepted = ImsRecord.objects.get(recipient__gstin=KA, number="5102877")
    assert (accepted.section, accepted.action, accepted.active) == ("impg", "A", True)
    amended = ImsRecord.objects.get(recipient__gstin=KA, number="5133410", section="impga")
    assert (amended.iamt, amended.active) == (Decimal("22500.00"), True)
    assert ImsRecord.objects.get(recipient__gstin=KA, number="5133410", section="impg").superseded


def test_r4_1_r4_7_demo_shows_actions_keep_outs_and_amendments(sandbox):
    seed()

    def rec(recipient, number, section):
        return ImsRecord.objects.get(recipient__gstin=recipient, number=number, section=section)

    rejected = rec(KA, "ACME/CN/01", "b2bcn")
    assert (rejected.action, rejected.remarks) == (
        "R",
        "Goods were not returned; this credit note is not agreed.",
    )
    assert rec(KA, "ACME/25/102", "b2b").action == "P"
    assert rec(KA, "ACME/25/105", "b2b").action == "A"
    pos_rule = rec(KA, "ACME/25/104", "b2b")
    assert (pos_rule.active, pos_rule.kept_out, pos_rule.rsn) == (False, True, "P")
    reverse_charge = rec(KA, "ACME/25/103", "b2b")
    assert (reverse_charge.rchrg, reverse_charge.kept_out, reverse_charge.rsn) == (True, True, None)
    # GSTR-1A of the same period: the amendment supersedes its original, Acme accepted it, and it
    # left IMS when Acme filed the 092025 3B.
    assert rec(MH, "BCPL/25-26/0452", "b2b").superseded is True
    amendment = rec(MH, "BCPL/25-26/0452", "b2ba")
    assert (amendment.srcform, amendment.action, amendment.active, amendment.left_ims) == (
        "R1A",
        "A",
        False,
        True,
    )
    # An amendment whose original is still pending waits for it ...
    waiting = rec(KA, "ACME/25/102", "b2ba")
    assert (waiting.waiting_on_original, waiting.action, waiting.itc_period) == (True, "N", 202510)
    # ...one whose original was deemed accepted in a filed 3B counts normally: a decrease reduces ITC
    # (R-4.3 (d)), pending allowed until the 3B due date of the next period.
    decrease = rec(KA, "ACME/25/101", "b2ba")
    assert (decrease.waiting_on_original, decrease.itc_reducing, decrease.pending_deadline) == (
        False,
        True,
        date(2025, 12, 20),
    )
    eco = rec(KA, "DLS/0917", "ecoma")
    assert (eco.stin, eco.sply_stin, eco.itc_period) == (GJ, "07AAGFF2194N1Z1", 202510)
    # The quarterly recipient's records land in the quarter.
    assert set(ImsRecord.objects.filter(recipient__gstin=TN).values_list("itc_period", flat=True)) == {202512}
    pending_cn = rec(KA, "ACME/CN/02", "b2bcn")
    assert (pending_cn.action, pending_cn.pending_deadline) == ("P", date(2025, 12, 20))


def test_r4_11_r6_4_september_3b_filed_settles_its_records(sandbox):
    seed()

    def rec(recipient, number, section):
        return ImsRecord.objects.get(recipient__gstin=recipient, number=number, section=section)

    accepted = rec(KA, "ACME/25/105", "b2b")
    assert (accepted.active, accepted.left_ims, accepted.deemed_accepted) == (False, True, False)
    untouched = rec(KA, "ACME/25/101", "b2b")
    assert (untouched.action, untouched.left_ims, untouched.deemed_accepted) == ("N", True, True)
    # Pending: carried forward to the next 2B period, still active at P.
    carried = rec(KA, "ACME/25/102", "b2b")
    assert (carried.action, carried.active, carried.itc_period) == ("P", True, 202510)
    # Bharat's final rejection of ACME/CN/01 (20000.00 at 18% IGST) adds back to Acme's first unfiled 3B:
    # Acme filed 092025 before Bharat did, so 102025.
    assert list(
        AddBack.objects.values_list(
            "supplier__gstin", "number", "rejected_in_period", "added_in_period", "igst"
        )
    ) == [(MH, "ACME/CN/01", 202509, 202510, Decimal("3600.00"))]


def test_r5_5_r6_3_demo_shows_every_2b_and_3b_state(sandbox):
    seed()
    tp = {t.gstin: t for t in Taxpayer.objects.all()}
    filed = {
        (g, p, at.astimezone(IST).date())
        for g, p, at in Gstr3bFiling.objects.values_list("taxpayer__gstin", "period", "filed_at")
    }
    assert filed == {
        (MH, 202509, date(2025, 10, 18)),
        (KA, 202509, date(2025, 10, 18)),
        (GJ, 202509, date(2025, 10, 18)),
    }
    versions = {
        (g, p, v, trigger, by, at.astimezone(IST).date())
        for g, p, v, trigger, by, at in Gstr2bVersion.objects.values_list(
            "taxpayer__gstin", "period", "version", "trigger", "by", "generated_at"
        )
    }
    assert versions == {
        (MH, 202509, 1, "schedule", "system", date(2025, 10, 14)),
        (KA, 202509, 1, "schedule", "system", date(2025, 10, 14)),
        (GJ, 202509, 1, "schedule", "system", date(2025, 10, 14)),
        (MH, 202510, 1, "schedule", "system", date(2025, 11, 14)),
        (MH, 202510, 2, "recompute", "acme", date(2025, 11, 20)),
        (KA, 202510, 1, "schedule", "system", date(2025, 11, 14)),
        (GJ, 202510, 1, "schedule", "system", date(2025, 11, 14)),
    }

    def state(gstin, period):
        data = gstr2b_reply(gstr2b_version(taxpayer=tp[gstin], period=period))["data"]
        return data["version"], data["status"], data["stale"]

    # 092025: final once 3B is filed.
    assert state(MH, 202509) == (1, "final", False)
    assert state(KA, 202509) == (1, "final", False)
    # 102025: Bharat acted after the draft (stale); Acme acted too, then recomputed (version 2, current).
    assert state(KA, 202510) == (1, "draft", True)
    assert state(MH, 202510) == (2, "draft", False)
    assert len(gstr2b_reply(gstr2b_version(taxpayer=tp[MH], period=202510))["data"]["docdata"]["b2b"]) == 2

    september = gstr3b_view(taxpayer=tp[KA], period=202509)
    assert (september["status"], september["gstr2b_version"]) == ("filed", 1)
    stale = gstr3b_view(taxpayer=tp[KA], period=202510)
    assert (stale["status"], stale["blocked_by"], stale["gstr2b_version"]) == ("draft", ["2B_STALE"], 1)
    ready = gstr3b_view(taxpayer=tp[MH], period=202510)
    assert (ready["status"], ready["blocked_by"], ready["gstr2b_version"]) == ("draft", [], 2)
    assert ready["tables"]["liability"]["addback"]["igst"] == Decimal("3600.00")
    assert gstr3b_view(taxpayer=tp[KA], period=202511)["blocked_by"] == [
        "PREVIOUS_3B_NOT_FILED",
        "2B_NOT_GENERATED",
    ]

    # Missing 2Bs and why: 102025 3B unfiled, Chennai quarterly.
    assert not_generated_reason(MH, 202511) == "PREVIOUS_3B_NOT_FILED"
    assert not_generated_reason(KA, 202511) == "PREVIOUS_3B_NOT_FILED"
    assert not_generated_reason(TN, 202509) == "BEFORE_START_PERIOD"
    assert not_generated_reason(TN, 202510) == "QUARTERLY_TAXPAYER"
    assert not_generated_reason(TN, 202511) == "QUARTERLY_TAXPAYER"
    assert not_generated_reason(TN, 202512) == "NOT_YET_GENERATED"
    # On 05-12-2025 neither the 112025 nor the quarter's 2B is due yet (R-5.2: the 14th).
    assert gstr2b_recompute_refusal(taxpayer=tp[KA], period=202511) == "DRAFT_NOT_DUE"
    assert gstr2b_recompute_refusal(taxpayer=tp[TN], period=202512) == "DRAFT_NOT_DUE"
    assert gstr2b_recompute_refusal(taxpayer=tp[KA], period=202509) == "RETURN_FILED"


def test_r9_4_sandbox_clock_left_at_the_demo_day(sandbox):
    seed()
    row = SandboxClock.objects.get(id=1)
    assert row.business_at == datetime(2025, 12, 5, 10, 0, tzinfo=IST)
    assert clock.today() == date(2025, 12, 5)


def test_seed_twice_changes_nothing(sandbox):
    first_out = seed()
    counts = model_counts()
    records = list(ImsRecord.objects.order_by("id").values())
    audits = list(ImsAudit.objects.order_by("id").values_list("id", "at", "to_action"))
    clock_row = SandboxClock.objects.values_list("business_at", "set_at").get()
    assert counts["auth.User"] == 7
    assert counts["taxpayers.Taxpayer"] == 4
    assert counts["ims.ImsRecord"] > 0 and counts["ims.ImsAudit"] > 0
    assert counts["returns.Gstr2bVersion"] == 7
    assert counts["returns.Gstr2bLine"] > 0
    assert counts["returns.Gstr3bFiling"] == 3
    assert counts["returns.AddBack"] == 1
    assert counts["jobs.Job"] == 0  # seeding calls the services; it starts no job
    versions = list(Gstr2bVersion.objects.order_by("id").values())
    filings = list(Gstr3bFiling.objects.order_by("id").values())

    second_out = seed()

    assert model_counts() == counts
    assert list(ImsRecord.objects.order_by("id").values()) == records
    assert list(ImsAudit.objects.order_by("id").values_list("id", "at", "to_action")) == audits
    assert list(Gstr2bVersion.objects.order_by("id").values()) == versions
    assert list(Gstr3bFiling.objects.order_by("id").values()) == filings
    assert SandboxClock.objects.values_list("business_at", "set_at").get() == clock_row
    assert "Demo data created." in first_out
    assert "already there; nothing changed" in second_out
    for out in (first_out, second_out):
        assert "admin12345" in out and "auditor12345" in out
        assert out.rstrip().endswith("Open http://127.0.0.1:8000/")


def test_r2_4_same_demo_without_the_sandbox_clock(settings, db):
    settings.IMS_SANDBOX_CLOCK = True
    with transaction.atomic():
        seed()
        with_sandbox = fingerprint()
        returns_with_sandbox = returns_fingerprint()
        transaction.set_rollback(True)
    assert not Taxpayer.objects.exists()

    settings.IMS_SANDBOX_CLOCK = False
    seed()

    assert fingerprint() == with_sandbox
    assert returns_fingerprint() == returns_with_sandbox
    assert returns_with_sandbox[0] and returns_with_sandbox[1] and returns_with_sandbox[2]
    # Business time, not the real time of the run: Sept filed on 11-10-2025, Oct on 11-11-2025.
    filed_at = set(ReturnFiling.objects.values_list("filed_at", flat=True))
    assert {f.astimezone(IST).date() for f in filed_at} == {date(2025, 10, 11), date(2025, 11, 11)}
    filed_3b = set(Gstr3bFiling.objects.values_list("filed_at", flat=True))
    assert {f.astimezone(IST).date() for f in filed_3b} == {date(2025, 10, 18)}
    assert not SandboxClock.objects.exists()
    # The patch is gone: the clock gives real time again.
    assert clock.today() > date(2025, 12, 5)


def test_partial_demo_is_refused(sandbox):
    User.objects.create_user(username="admin", password="something-else")
    with pytest.raises(CommandError, match="admin"):
        seed()
    assert not Taxpayer.objects.exists()
    assert authenticate(username="admin", password="something-else") is not None


def test_r3_13_r6_2_acme_files_a_whole_gstr1_and_its_3b_shows_every_table(sandbox):
    """Acme's September GSTR-1 carries every section a real export has; its filed GSTR-3B shows them:
    exports 80,000.00 (IGST 14,400.00) + 60,000.00 without tax; nil 2,500.00 + exempt 4,000.00; non-GST
    1,200.00; B2C large to Delhi 1,50,000.00 less a 10,000.00 note; B2C small inter-state to Gujarat."""
    from invoices.models import SummaryRow

    seed()
    acme = Taxpayer.objects.get(gstin=MH)
    sections = set(Document.objects.filter(supplier=acme, period=202509).values_list("section", flat=True))
    sections |= set(SummaryRow.objects.filter(supplier=acme, period=202509).values_list("section", flat=True))
    assert sections >= {
        "b2b",
        "cdnr",
        "b2cl",
        "exp",
        "cdnur",
        "b2cs",
        "nil",
        "at",
        "txpd",
        "hsn",
        "doc_issue",
    }
    assert not SummaryRow.objects.filter(supplier=acme, period=202509, filed_at__isnull=True).exists()
    filed = Gstr3bFiling.objects.get(taxpayer=acme, period=202509).tables["liability"]
    assert (filed["3_1_b"]["txval"], filed["3_1_b"]["igst"]) == ("140000.00", "14400.00")
    assert (filed["3_1_c"]["txval"], filed["3_1_e"]["txval"]) == ("6500.00", "1200.00")
    assert filed["3_2"] == [
        {"pos": "07", "txval": "140000.00", "igst": "25200.00"},
        {"pos": "24", "txval": "15000.00", "igst": "1800.00"},
    ]


def test_issue16_bharats_november_books_show_every_reconciliation_category(sandbox):
    from recon.models import Match, Register
    from recon.services.match import category_counts

    seed()
    reg = Register.objects.get(taxpayer__gstin=KA, period=202511, current=True)
    assert category_counts(reg) == {
        "matched": 1,
        "duplicate": 1,
        "mismatch": 1,
        "suggested": 1,
        "books_only": 1,
        "ims_only": 1,
    }
    by = {
        (m.category, (m.record or m.line).number)
        for m in Match.objects.filter(register=reg).select_related("line", "record")
    }
    assert by == {
        ("matched", "ACME/25/160"),
        ("duplicate", "ACME/25/160"),
        ("mismatch", "ACME/CN/03"),  # IGST ₹1,200.00 in the books against ₹1,440.00 reported
        ("suggested", "CTX/2526/0101"),  # booked as CTX-2526-101
        ("books_only", "ACME/25/171"),
        ("ims_only", "DLS/1105"),
    }
