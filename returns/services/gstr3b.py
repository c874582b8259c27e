"""GSTR-3B (R-6): the tables read now (ITC from the latest 2B, liability aggregated by the database), and
filing, which freezes them and applies R-4.11 (records leave IMS or are carried forward), R-4.7 (waiting
amendments released), R-6.4 (add-backs) and R-5.3 (the next period's 2B generated at once)."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from core import clock
from core.db import retry_on_conflict
from core.errors import RuleViolation
from core.periods import period_add, period_code, quarter_first_month, quarter_last_month
from ims.services.periods import period_close
from ims.services.proposals import open_proposals_in
from invoices.figures import outward_figures
from invoices.models import Document, Form
from returns import domain
from returns.models import AddBack, Gstr3bFiling
from returns.services.addbacks import addbacks_for_filing
from returns.services.gstr2b import HEADS, gstr2b_generate_if_due, is_stale, latest_version
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

ZERO = Decimal("0.00")
LIABILITY_KEYS = ("3_1_a", "3_1_b", "3_1_c", "3_1_d", "3_1_e", "3_1_1_i", "3_2", "addback")
ITC_KEYS = ("4A1", "4A3", "4A5", "4B2", "4D2", "net")

MESSAGES = {
    "ALREADY_FILED": "GSTR-3B of this period is already filed.",
    "BEFORE_START_PERIOD": "This period is before the taxpayer's start period.",
    "QUARTERLY_TAXPAYER": "A quarterly taxpayer files one GSTR-3B per quarter (its last month).",
    "PERIOD_NOT_ENDED": "GSTR-3B can be filed only after its period has ended.",
    "PREVIOUS_3B_NOT_FILED": "GSTR-3B of the previous period must be filed first.",
    "2B_NOT_GENERATED": "GSTR-2B of this period is not generated yet.",
    "2B_STALE": "IMS records changed after GSTR-2B was generated: recompute GSTR-2B first.",
    "GSTR1A_UNFILED": "Saved GSTR-1A documents of this period are not filed: file or delete them first.",
    "PROPOSALS_OPEN": "Proposed IMS actions on this period's records await an owner: approve or return them.",
}


def _total(values: dict | None = None) -> dict:
    values = values or {}
    return {h: Decimal(values.get(h) or ZERO).quantize(Decimal("0.01")) for h in HEADS}


def _add(*totals: dict) -> dict:
    return {h: sum((t[h] for t in totals), ZERO) for h in HEADS}


def _minus(a: dict, b: dict) -> dict:
    return {h: a[h] - b[h] for h in HEADS}


def return_months(period: int, quarterly: bool) -> list[int]:
    """The months a 3B period covers: itself, or the three months of the quarter it ends."""
    if not quarterly:
        return [period]
    first = quarter_first_month(period)
    return [first, period_add(first, 1), period_add(first, 2)]


def next_return_period(period: int, cal: Calendar) -> int:
    """The 3B/2B period after ``period``: the next month, or the next quarter's last month."""
    nxt = period_add(period, 1)
    return quarter_last_month(nxt) if cal.quarterly(nxt) else nxt


def _refuse_reading(taxpayer: Taxpayer, period: int, cal: Calendar) -> None:
    """R-6.5: reading (or filing) answers these before anything else, in the order of R-5.3."""
    if period < taxpayer.ims_start_period:
        raise RuleViolation("BEFORE_START_PERIOD", MESSAGES["BEFORE_START_PERIOD"])
    if domain.is_quarter_month(period, cal.quarterly):
        raise RuleViolation("QUARTERLY_TAXPAYER", MESSAGES["QUARTERLY_TAXPAYER"])


# --- tables (R-6.1, R-6.2) -----------------------------------------------------------------------------

# GSTR-1 columns by GSTR-3B head.
FROM_GSTR1 = {"txval": "txval", "igst": "iamt", "cgst": "camt", "sgst": "samt", "cess": "csamt"}


def _from_gstr1(values: dict) -> dict:
    return _total({head: values.get(col) for head, col in FROM_GSTR1.items()})


def _outward_liability(taxpayer: Taxpayer, months: list[int]) -> dict:
    """R-6.2 from the taxpayer's own filed GSTR-1/IFF/1A of the period (``invoices.figures``, aggregated in
    SQL; amendments by difference, credit notes and adjusted advances reducing, reverse charge counting
    nothing): 3.1(a) taxable supplies (B2B, B2C large and small, notes to unregistered persons on B2C
    large, advances net), 3.1(b) zero-rated (exports, notes on them, SEZ), 3.1(c) nil-rated and exempt,
    3.1(e) non-GST, 3.1.1(i) ECO documents filed as operator, and 3.2 inter-state supplies to
    unregistered persons by place of supply."""
    f = outward_figures(supplier=taxpayer, months=months, filed_only=True)
    return {
        "3_1_a": _from_gstr1(f.classes["a"]),
        "3_1_b": _from_gstr1(f.classes["b"]),
        "3_1_c": _total({"txval": f.nil["nil_amt"] + f.nil["expt_amt"]}),
        "3_1_e": _total({"txval": f.nil["ngsup_amt"]}),
        "3_1_1_i": _from_gstr1(f.classes["eco"]),
        "3_2": [
            {"pos": pos, "txval": _money(v["txval"]), "igst": _money(v["iamt"])}
            for pos, v in sorted(f.inter_unregistered.items())
        ],
    }


def _money(v) -> Decimal:
    return Decimal(v or ZERO).quantize(Decimal("0.01"))


def _addback_total(taxpayer: Taxpayer, period: int) -> dict:
    """R-6.4: the sum of the entries added to this period (a reversal carries negative amounts)."""
    aggs = {h: Sum(h) for h in HEADS}
    return _total(AddBack.objects.filter(supplier=taxpayer, added_in_period=period).aggregate(**aggs))


def _itc_tables(itcsumm: dict | None) -> tuple[dict, dict]:
    """R-6.1 from the latest 2B's summary (zeros before a 2B exists), and 3.1(d) of R-6.2."""
    s = itcsumm or {}

    def group(grp: str, sub: str) -> dict:
        return _total(s.get(grp, {}).get(sub, {}).get("total"))

    a5, a3, b2 = group("itcavl", "nonrevsup"), group("itcavl", "revsup"), group("itcavl", "othersup")
    d2 = _add(group("itcunavl", "nonrevsup"), group("itcunavl", "revsup"))
    a1 = group("itcavl", "imports")  # import of goods
    itc = {"4A1": a1, "4A3": a3, "4A5": a5, "4B2": b2, "4D2": d2, "net": _minus(_add(a1, a3, a5), b2)}
    rcm = _add(group("itcavl", "revsup"), group("itcunavl", "revsup"))
    return itc, rcm


def _tables_now(taxpayer: Taxpayer, period: int, quarterly: bool, version) -> dict:
    itc, rcm = _itc_tables(version.itcsumm if version else None)
    liability = _outward_liability(taxpayer, return_months(period, quarterly))
    liability.update({"3_1_d": rcm, "addback": _addback_total(taxpayer, period)})
    return {"liability": {k: liability[k] for k in LIABILITY_KEYS}, "itc": itc}


def _frozen(tables: dict) -> dict:
    """Tables as stored with a filing: amounts as text."""

    def text(t):
        return (
            [{k: str(v) for k, v in row.items()} for row in t]
            if isinstance(t, list)
            else {h: str(v) for h, v in t.items()}
        )

    return {part: {k: text(t) for k, t in block.items()} for part, block in tables.items()}


def _thawed(tables: dict) -> dict:
    """Stored tables back as amounts; a return filed before a table existed shows it as zero (empty 3.2)."""
    liability = tables.get("liability", {})
    itc = tables.get("itc", {})
    return {
        "liability": {
            k: [
                {"pos": r["pos"], "txval": _money(r["txval"]), "igst": _money(r["igst"])}
                for r in liability.get(k, [])
            ]
            if k == "3_2"
            else _total(liability.get(k))
            for k in LIABILITY_KEYS
        },
        "itc": {k: _total(itc.get(k)) for k in ITC_KEYS},
    }


# --- view ---------------------------------------------------------------------------------------------


def _draft(taxpayer: Taxpayer, period: int, cal: Calendar) -> tuple[dict, list[str], object]:
    """Tables computed now, the blockers of R-6.3 and the latest 2B version."""
    quarterly = cal.quarterly(period)
    version = latest_version(taxpayer, period)
    gstr1a_unfiled = Document.objects.filter(
        supplier=taxpayer,
        form=Form.GSTR1A,
        period__in=return_months(period, quarterly),
        filed_at__isnull=True,
    ).exists()
    blockers = domain.gstr3b_blockers(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=cal.quarterly,
        filed=False,
        today=clock.today(),
        previous_3b_filed=cal.previous_filed(period),
        has_2b=version is not None,
        stale_2b=version is not None and is_stale(version),
        gstr1a_unfiled=gstr1a_unfiled,
        proposals_open=open_proposals_in(recipient=taxpayer, period=period) > 0,
    )
    return _tables_now(taxpayer, period, quarterly, version), blockers, version


def gstr3b_view(*, taxpayer: Taxpayer, period: int) -> dict:
    """GET /gstr3b/{gstin}/{period}: frozen tables once filed, else computed now with ``blocked_by``."""
    cal = Calendar(taxpayer)
    _refuse_reading(taxpayer, period, cal)
    filing = Gstr3bFiling.objects.filter(taxpayer=taxpayer, period=period).first()
    if filing is not None:
        # A filed return is blocked by its filing only: 2B and GSTR-1A of the period are closed with it.
        return {
            "period": period_code(period),
            "status": "filed",
            "filed_at": filing.filed_at.isoformat(),
            "blocked_by": ["ALREADY_FILED"],
            "gstr2b_version": filing.gstr2b_version,
            "tables": _thawed(filing.tables or {}),
        }
    tables, blockers, version = _draft(taxpayer, period, cal)
    return {
        "period": period_code(period),
        "status": "draft",
        "filed_at": None,
        "blocked_by": blockers,
        "gstr2b_version": version.version if version else None,
        "tables": tables,
    }


# --- filing -------------------------------------------------------------------------------------------


@retry_on_conflict
@transaction.atomic
def gstr3b_file(*, taxpayer: Taxpayer, period: int, by: str) -> dict:
    """R-6.3: refuse with the first blocker; else freeze 2B and 3B and apply R-4.11, R-4.7, R-6.4, R-5.3."""
    # Serialise with 2B generation and IMS changes of this recipient (they lock the same row).
    lock_taxpayers([taxpayer.id])
    if Gstr3bFiling.objects.filter(taxpayer=taxpayer, period=period).exists():
        raise RuleViolation("ALREADY_FILED", MESSAGES["ALREADY_FILED"])
    cal = Calendar(taxpayer)
    _refuse_reading(taxpayer, period, cal)
    tables, blockers, version = _draft(taxpayer, period, cal)
    if blockers:
        raise RuleViolation(blockers[0], MESSAGES.get(blockers[0], blockers[0]))
    now = clock.now()
    try:
        with transaction.atomic():
            Gstr3bFiling.objects.create(
                taxpayer=taxpayer,
                period=period,
                filed_at=now,
                tables=_frozen(tables),
                gstr2b_version=version.version,
            )
    except IntegrityError as exc:
        raise RuleViolation("ALREADY_FILED", MESSAGES["ALREADY_FILED"]) from exc
    cal.filed_3b.add(period)
    nxt = next_return_period(period, cal)
    period_close(recipient=taxpayer, calendar=cal, period=period, next_period=nxt, now=now, by=by)
    addbacks_for_filing(recipient=taxpayer, period=period, now=now)
    # the waiting next 2B is generated at once if its draft date has passed (a skip is no error).
    gstr2b_generate_if_due(taxpayer=taxpayer, period=nxt, trigger="3b_filed", by=by)
    return gstr3b_view(taxpayer=taxpayer, period=period)
