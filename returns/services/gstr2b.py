"""GSTR-2B generation (R-5.2 to R-5.6): lines copied by one INSERT … SELECT from the recipient's own
IMS records, totals aggregated by the database, one stored version per generation."""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, F, Max, Q, Sum, When

from ims_portal.errors import RuleViolation
from invoices.models import ImsRecord
from returns import domain
from returns.models import Gstr2bLine, Gstr2bVersion, Gstr3bFiling
from taxpayers import clock
from taxpayers.domain import business_date
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

HEADS = ("txval", "igst", "cgst", "sgst", "cess")
ZERO_TOTAL = {h: Decimal("0.00") for h in HEADS}

# Placement of a record. Records at P, amendments waiting on their original, superseded and
# removed records, and unfiled documents are left out by the WHERE clause.
_GRP = "CASE WHEN r.rsn IS NOT NULL THEN 'itcunavl' WHEN r.action = 'R' THEN 'itcRejected' ELSE 'itcavl' END"
_SUB = (
    "CASE WHEN r.itc_reducing = %(true)s THEN 'othersup' WHEN r.rchrg = %(true)s THEN 'revsup' "
    "ELSE 'nonrevsup' END"
)
_SECTION = (
    "CASE r.section WHEN 'b2bdn' THEN 'cdnr' WHEN 'b2bcn' THEN 'cdnr' WHEN 'b2bdna' THEN 'cdnra' "
    "WHEN 'b2bcna' THEN 'cdnra' ELSE r.section END"
)
# cdnrrev holds reverse-charge credit notes (and their ITC-reducing amendments) only; an ITC-reducing
# amendment of a reverse-charge invoice or DN keeps its own section key in part B (b2ba, cdnra).
_KEY = (
    "CASE WHEN r.itc_reducing = %(true)s AND r.rchrg = %(true)s AND r.doc_type = 'CN' THEN 'cdnrrev' "
    f"ELSE {_SECTION} END"
)
# A line's c_* columns are the counted effect: the document's own values, or for an amendment the
# magnitude of its effect (its ``delta``). Part B totals count tax as declared instead (R-4.6; full when
# deemed or nothing declared); _summary substitutes the declaration in the aggregate.
_COUNTED = "ABS(COALESCE(r.eff_{h}, r.{col}))"

INSERT_LINES = f"""
INSERT INTO returns_gstr2bline (
    version_id, taxpayer_id, period, record_id, grp, sub, key, section, ims_section, ctin, trdnm, supprd,
    supfildt, number, doc_date, orig_number, orig_date, doc_type, inv_typ, val, pos, rev, rsn,
    txval, igst, cgst, sgst, cess, c_txval, c_igst, c_cgst, c_sgst, c_cess, is_amendment, action, remarks,
    itc_red_req, decl_igst, decl_cgst, decl_sgst, decl_cess)
SELECT
    %(version)s, r.recipient_id, r.itc_period, r.id, {_GRP}, {_SUB}, {_KEY}, {_SECTION}, r.section, r.stin,
    r.trdnm, r.rtnprd, r.filed_at, r.number, r.doc_date, r.orig_number, r.orig_date, r.doc_type, r.inv_typ,
    r.val, r.pos, r.rchrg, r.rsn, r.txval, r.iamt, r.camt, r.samt, r.cess,
    {_COUNTED.format(h="txval", col="txval")},
    {_COUNTED.format(h="igst", col="iamt")},
    {_COUNTED.format(h="cgst", col="camt")},
    {_COUNTED.format(h="sgst", col="samt")},
    {_COUNTED.format(h="cess", col="cess")},
    r.section IN ('b2ba', 'b2bdna', 'b2bcna', 'ecoma'), r.action, r.remarks,
    r.itc_red_req, r.decl_igst, r.decl_cgst, r.decl_sgst, r.decl_cess
FROM invoices_imsrecord r
WHERE r.recipient_id = %(recipient)s AND r.itc_period = %(period)s AND r.filed_at IS NOT NULL
  AND r.removed = %(false)s AND r.superseded = %(false)s AND r.action <> 'P'
  AND r.waiting_on_original = %(false)s
"""


class Context:
    """What the 2B rules need about one recipient, read once."""

    def __init__(self, taxpayer: Taxpayer):
        self.taxpayer = taxpayer
        self.calendar = Calendar(taxpayer)
        self.filed_3b = set(Gstr3bFiling.objects.filter(taxpayer=taxpayer).values_list("period", flat=True))

    def previous_filed(self, period: int) -> bool:
        prev = domain.previous_return(
            period, quarterly=self.calendar.quarterly, start_period=self.taxpayer.ims_start_period
        )
        return prev is None or prev in self.filed_3b


def latest_version(taxpayer: Taxpayer, period: int) -> Gstr2bVersion | None:
    return Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period).order_by("-version").first()


def is_stale(version: Gstr2bVersion) -> bool:
    """R-5.5: any change to a record of the period after the version was generated (action, expiry,
    supersession, late assignment) makes it stale."""
    return ImsRecord.objects.filter(
        recipient_id=version.taxpayer_id, itc_period=version.period, updated_at__gt=version.generated_at
    ).exists()


def _lock(taxpayer: Taxpayer) -> None:
    """Two generations of one recipient's 2B never run at once (R-5.5): a row lock on the taxpayer."""
    Taxpayer.objects.select_for_update().filter(id=taxpayer.id).values_list("id", flat=True).first()


def _generate(ctx: Context, period: int, trigger: str, by: str, now) -> Gstr2bVersion:
    last = Gstr2bVersion.objects.filter(taxpayer=ctx.taxpayer, period=period).aggregate(m=Max("version"))["m"]
    version = Gstr2bVersion.objects.create(
        taxpayer=ctx.taxpayer,
        period=period,
        version=(last or 0) + 1,
        trigger=trigger,
        by=by,
        generated_at=now,
        itcsumm={},
    )
    with connection.cursor() as cur:
        cur.execute(
            INSERT_LINES,
            {
                "version": version.id,
                "recipient": ctx.taxpayer.id,
                "period": period,
                "true": True,
                "false": False,
            },
        )
    version.itcsumm = _summary(version)
    version.save(update_fields=["itcsumm"])
    return version


def _summary(version: Gstr2bVersion) -> dict:
    """itcsumm: totals per group, sub-group and key, and per sub-group, aggregated in SQL."""
    declared = Q(grp="itcavl", sub="othersup", itc_red_req__isnull=False)
    sums = {"s_txval": Sum("c_txval")}
    for h in HEADS[1:]:
        sums[f"s_{h}"] = Sum(Case(When(declared, then=F(f"decl_{h}")), default=F(f"c_{h}")))
    lines = Gstr2bLine.objects.filter(version=version)
    by_key = {
        (row["grp"], row["sub"], row["key"]): row
        for row in lines.values("grp", "sub", "key").annotate(**sums).order_by()
    }
    by_sub = {(row["grp"], row["sub"]): row for row in lines.values("grp", "sub").annotate(**sums).order_by()}
    out: dict = {}
    for (grp, sub), keys in domain.GROUP_KEYS.items():
        block = {}
        for key in keys:
            block[key] = _total(by_key.get((grp, sub, key)))
        block["total"] = _total(by_sub.get((grp, sub)))
        out.setdefault(grp, {})[sub] = block
    return out


def _total(row) -> dict:
    if not row:
        return {h: "0.00" for h in HEADS}
    return {h: str((row[f"s_{h}"] or Decimal("0")).quantize(Decimal("0.01"))) for h in HEADS}


@transaction.atomic
def gstr2b_generate_if_due(*, taxpayer: Taxpayer, period: int, trigger: str, by: str) -> str | None:
    """Scheduled/admin generation (R-5.2, R-5.5): only where no version exists. Returns None when it
    generated, else the skip reason."""
    _lock(taxpayer)
    ctx = Context(taxpayer)
    now = clock.now()
    reason = domain.schedule_skip_reason(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=ctx.calendar.quarterly,
        has_version=Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period).exists(),
        today=business_date(now),
        previous_3b_filed=ctx.previous_filed(period),
    )
    if reason:
        return reason
    _generate(ctx, period, trigger, by, now)
    return None


def gstr2b_recompute_refusal(*, taxpayer: Taxpayer, period: int) -> str | None:
    ctx = Context(taxpayer)
    return domain.recompute_refusal(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=ctx.calendar.quarterly,
        filed_3b=period in ctx.filed_3b,
        today=clock.today(),
        previous_3b_filed=ctx.previous_filed(period),
    )


@transaction.atomic
def gstr2b_recompute(
    *, taxpayer: Taxpayer, period: int, by: str, trigger: str = "recompute"
) -> Gstr2bVersion:
    """R-5.5: a recompute always adds a version (version 1 where none exists), until 3B is filed."""
    _lock(taxpayer)
    if code := gstr2b_recompute_refusal(taxpayer=taxpayer, period=period):
        raise RuleViolation(code, RECOMPUTE_MESSAGES.get(code, code))
    return _generate(Context(taxpayer), period, trigger, by, clock.now())


RECOMPUTE_MESSAGES = {
    "BEFORE_START_PERIOD": "This period is before the taxpayer's start period.",
    "QUARTERLY_TAXPAYER": "A quarterly taxpayer has one GSTR-2B per quarter (its last month).",
    "RETURN_FILED": "GSTR-3B of this period is filed: its GSTR-2B is final.",
    "DRAFT_NOT_DUE": "GSTR-2B of this period is first generated on the 14th of the next month.",
    "PREVIOUS_3B_NOT_FILED": "GSTR-3B of the previous period must be filed first.",
}
