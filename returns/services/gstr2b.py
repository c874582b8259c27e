"""GSTR-2B generation (R-5.2 to R-5.6): one stored version per generation, its lines held as slices
(``Gstr2bSlice``: which records, and their actions at generation, with the totals) written by one
INSERT … SELECT … GROUP BY over the recipient's own IMS records, and notes (``Gstr2bNote``: remarks and
declarations); the lines are read through the ``Gstr2bLine`` view."""

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max

from core import clock, events
from core.db import retry_on_conflict
from core.errors import RuleViolation
from core.periods import business_date, period_code
from ims.models import ImsRecord
from jobs.models import Job, JobKind, JobStatus
from jobs.runner import Child, FanOut, register
from jobs.services import job_progress, job_start
from returns import domain
from returns.models import Gstr2bNote, Gstr2bSlice, Gstr2bVersion
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

HEADS = ("txval", "igst", "cgst", "sgst", "cess")
ZERO_TOTAL = {h: Decimal("0.00") for h in HEADS}

# Placement of a record. Records at P (unless kept out of IMS: those are always in ITC not
# available, R-4.1), amendments waiting on their original, superseded and removed records, and unfiled
# documents are left out by the WHERE clause.
_GRP = "CASE WHEN r.rsn IS NOT NULL THEN 'itcunavl' WHEN r.action = 'R' THEN 'itcRejected' ELSE 'itcavl' END"
_SUB = (
    "CASE WHEN r.doc_type = 'BOE' THEN 'imports' WHEN r.itc_reducing = %(true)s THEN 'othersup' "
    "WHEN r.rchrg = %(true)s THEN 'revsup' ELSE 'nonrevsup' END"
)
# Bills of entry: an amendment is a line of impg / impgsez (isamd Y), counted by its difference.
_SECTION = (
    "CASE r.section WHEN 'b2bdn' THEN 'cdnr' WHEN 'b2bcn' THEN 'cdnr' WHEN 'b2bdna' THEN 'cdnra' "
    "WHEN 'b2bcna' THEN 'cdnra' WHEN 'impga' THEN 'impg' WHEN 'impgseza' THEN 'impgsez' ELSE r.section END"
)
# cdnrrev holds reverse-charge credit notes (and their ITC-reducing amendments) only; an ITC-reducing
# amendment of a reverse-charge invoice or DN keeps its own section key in part B (b2ba, cdnra).
_KEY = (
    "CASE WHEN r.itc_reducing = %(true)s AND r.rchrg = %(true)s AND r.doc_type = 'CN' THEN 'cdnrrev' "
    f"ELSE {_SECTION} END"
)
# The version's records (the WHERE is R-5.4's placement: see above).
_WHERE = """
WHERE r.recipient_id = %(recipient)s AND r.itc_period = %(period)s AND r.filed_at IS NOT NULL
  AND r.removed = %(false)s AND r.superseded = %(false)s AND (r.action <> 'P' OR r.kept_out = %(true)s)
  AND r.waiting_on_original = %(false)s"""
_HEAD_COLUMNS = (("txval", "txval"), ("igst", "iamt"), ("cgst", "camt"), ("sgst", "samt"), ("cess", "cess"))
# A line counts the document's own values, or for an amendment the magnitude of its effect (its
# ``delta``, eff_*); a bill of entry's amendment keeps its sign instead: a lower amended value nets off in
# imports, the group 4A(1) reads (R-10.3; bills of entry are never ITC-reducing, so never in part B).
_COUNTED = (
    "COALESCE(sum(r.{col}) FILTER (WHERE r.eff_{h} IS NULL), 0) + COALESCE(sum(CASE WHEN r.doc_type = 'BOE' "
    "THEN r.eff_{h} ELSE ABS(r.eff_{h}) END) FILTER (WHERE r.eff_{h} IS NOT NULL), 0) AS c_{h}"
)
_FACTS = "r.section, r.doc_type, r.rsn, r.action, r.itc_reducing, r.rchrg"
_SUMS = ", ".join(
    [_COUNTED.format(h=h, col=col) for h, col in _HEAD_COLUMNS]
    + [f"COALESCE(sum(r.decl_{h}), 0) AS d_{h}" for h, _ in _HEAD_COLUMNS[1:]]
)
# First the records grouped by the plain columns their group, sub-group and key are made of (a cheap GROUP
# BY), with their ids and actions joined in one order, their counted amounts and their declarations.
_BY_FACTS = f"""
SELECT {_FACTS}, r.itc_red_req IS NOT NULL AS declared, {{ids}} AS ids, {{actions}} AS actions, count(*) AS n,
       {_SUMS}
FROM {ImsRecord._meta.db_table} r {_WHERE}
GROUP BY {_FACTS}, r.itc_red_req IS NOT NULL"""
# Then one row per group, sub-group and key: the slice. Its totals count part B tax as declared where
# a declaration was made (R-4.6; in full when deemed or nothing declared).
_PART_B_DECLARED = f"r.declared AND {_GRP} = 'itcavl' AND {_SUB} = 'othersup'"
_TOTALS = ", ".join(
    ["sum(r.c_txval)"]
    + [f"sum(CASE WHEN {_PART_B_DECLARED} THEN r.d_{h} ELSE r.c_{h} END)" for h, _ in _HEAD_COLUMNS[1:]]
)
_FACTS_ORDER = f"{_FACTS}, r.declared"
_SLICES = f"""
INSERT INTO {Gstr2bSlice._meta.db_table} (version_id, taxpayer_id, period, grp, sub, key, records, actions,
                                          lines, txval, igst, cgst, sgst, cess)
SELECT %(version)s, %(recipient)s, %(period)s, {_GRP}, {_SUB}, {_KEY}, {{join_ids}}, {{join_actions}},
       sum(r.n), {_TOTALS}
FROM ({_BY_FACTS}) r
GROUP BY {_GRP}, {_SUB}, {_KEY}"""
# One statement whatever the number of lines (issue 12). A slice's ids and actions are joined in the same
# order, so the n-th action is the n-th record's: the aggregates of one GROUP BY take a group's rows in one
# order, and the outer ones are given the same ORDER BY.
INSERT_SLICES = {
    "postgresql": _SLICES.format(
        ids="string_agg(r.id::text, ',')",
        actions="string_agg(r.action, '')",
        join_ids=f"string_agg(r.ids, ',' ORDER BY {_FACTS_ORDER})",
        join_actions=f"string_agg(r.actions, '' ORDER BY {_FACTS_ORDER})",
    ),
    # SQLite (`make run`): its aggregates take the rows in the order the subqueries give them.
    "sqlite": _SLICES.replace(
        f"FROM ({_BY_FACTS}) r", f"FROM ({_BY_FACTS} ORDER BY 1, 2, 3, 4, 5, 6, 7) r"
    ).format(
        ids="group_concat(r.id, ',')",
        actions="group_concat(r.action, '')",
        join_ids="group_concat(r.ids, ',')",
        join_actions="group_concat(r.actions, '')",
    ),
}
# The remarks and declarations of the version's records that had any (few: most records have none).
_NOTED = ("remarks", "itc_red_req", "decl_igst", "decl_cgst", "decl_sgst", "decl_cess")
INSERT_NOTES = f"""
INSERT INTO {Gstr2bNote._meta.db_table} (version_id, taxpayer_id, record_id, {", ".join(_NOTED)})
SELECT %(version)s, %(recipient)s, r.id, {", ".join(f"r.{x}" for x in _NOTED)}
FROM {ImsRecord._meta.db_table} r {_WHERE}
  AND ({" OR ".join(f"r.{x} IS NOT NULL" for x in _NOTED)})"""


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
    lock_taxpayers([taxpayer.id])


def _generate(cal: Calendar, period: int, trigger: str, by: str, now) -> Gstr2bVersion:
    last = Gstr2bVersion.objects.filter(taxpayer=cal.taxpayer, period=period).aggregate(m=Max("version"))["m"]
    version = Gstr2bVersion.objects.create(
        taxpayer=cal.taxpayer,
        period=period,
        version=(last or 0) + 1,
        trigger=trigger,
        by=by,
        generated_at=now,
        itcsumm={},
    )
    rows = _write_slices(
        {"version": version.id, "recipient": cal.taxpayer.id, "period": period, "true": True, "false": False}
    )
    version.itcsumm = _summary(rows)
    Gstr2bVersion.objects.filter(taxpayer=cal.taxpayer, id=version.id).update(itcsumm=version.itcsumm)
    events.emit(
        events.GSTR2B_GENERATED,
        taxpayer_id=cal.taxpayer.id,
        data={"rtnprd": period_code(period), "version": version.version, "trigger": trigger},
    )
    return version


def _write_slices(params: dict) -> list[tuple]:
    """Write the version's slices (one INSERT … SELECT … GROUP BY) and notes (one INSERT … SELECT); the
    slices' totals, for ``_summary``."""
    with connection.cursor() as cur:
        cur.execute(INSERT_SLICES[connection.vendor], params)
        cur.execute(INSERT_NOTES, params)
    totals = Gstr2bSlice.objects.filter(taxpayer_id=params["recipient"], version_id=params["version"])
    return list(totals.values_list("grp", "sub", "key", *HEADS))


def _summary(rows) -> dict:
    """itcsumm: totals per group, sub-group and key, and per sub-group, from the version's slices (a
    sub-group's total is the sum of its keys' slices: every line has one key)."""
    by_key, by_sub = {}, {}
    for grp, sub, key, *sums in rows:
        row = dict(zip(HEADS, sums, strict=True))
        by_key[(grp, sub, key)] = row
        total = by_sub.setdefault((grp, sub), dict.fromkeys(HEADS, Decimal("0")))
        for h in HEADS:
            total[h] += row[h]
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
    return {h: str(row[h].quantize(Decimal("0.01"))) for h in HEADS}


@retry_on_conflict
@transaction.atomic
def gstr2b_generate_if_due(*, taxpayer: Taxpayer, period: int, trigger: str, by: str) -> str | None:
    """Scheduled/admin generation (R-5.2, R-5.5): only where no version exists. Returns None when it
    generated, else the skip reason."""
    _lock(taxpayer)
    cal = Calendar(taxpayer)
    now = clock.now()
    reason = domain.schedule_skip_reason(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=cal.quarterly,
        has_version=Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period).exists(),
        today=business_date(now),
        previous_3b_filed=cal.previous_filed(period),
    )
    if reason:
        return reason
    _generate(cal, period, trigger, by, now)
    return None


def gstr2b_recompute_refusal(*, taxpayer: Taxpayer, period: int) -> str | None:
    cal = Calendar(taxpayer)
    return domain.recompute_refusal(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=cal.quarterly,
        filed_3b=period in cal.filed_3b,
        today=clock.today(),
        previous_3b_filed=cal.previous_filed(period),
    )


@retry_on_conflict
@transaction.atomic
def gstr2b_recompute(
    *, taxpayer: Taxpayer, period: int, by: str, trigger: str = "recompute"
) -> Gstr2bVersion:
    """R-5.5: a recompute always adds a version (version 1 where none exists), until 3B is filed."""
    _lock(taxpayer)
    if code := gstr2b_recompute_refusal(taxpayer=taxpayer, period=period):
        raise RuleViolation(code, RECOMPUTE_MESSAGES.get(code, code))
    return _generate(Calendar(taxpayer), period, trigger, by, clock.now())


def gstr2b_recompute_start(*, taxpayer: Taxpayer, period: int, user):
    """Start the recompute job (the refusal is the caller's, R-5.5), or return the one already queued or
    running for this period: a double click or a client's retry never makes two versions (issue 15)."""
    with transaction.atomic():
        _lock(taxpayer)  # two requests at once queue here; the second finds the first one's job
        running = (
            Job.objects.filter(
                taxpayer=taxpayer,
                kind=JobKind.GSTR2B_RECOMPUTE,
                status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
                params__period=period,
            )
            .order_by("id")
            .first()
        )
        if running is not None:
            return running
        return job_start(
            kind=JobKind.GSTR2B_RECOMPUTE,
            taxpayer=taxpayer,
            user=user,
            params={"period": period, "by": user.username},
        )


RECOMPUTE_MESSAGES = {
    "BEFORE_START_PERIOD": "This period is before the taxpayer's start period.",
    "QUARTERLY_TAXPAYER": "A quarterly taxpayer has one GSTR-2B per quarter (its last month).",
    "RETURN_FILED": "GSTR-3B of this period is filed: its GSTR-2B is final.",
    "DRAFT_NOT_DUE": "GSTR-2B of this period is first generated on the 14th of the next month.",
    "PREVIOUS_3B_NOT_FILED": "GSTR-3B of the previous period must be filed first.",
}


# --- jobs (R-9.3, issue 13) ----------------------------------------------------------------------------


def _large_recipients(period: int, ids: list[int] | None) -> set[int]:
    """Recipients (among ``ids``, or all) with more records in the period's 2B than GSTR2B_LARGE_RECORDS: one
    GROUP BY (for every taxpayer, no list of ids in the query)."""
    limit = settings.GSTR2B_LARGE_RECORDS
    records = ImsRecord.objects.filter(itc_period=period)
    if ids is not None:
        records = records.filter(recipient_id__in=ids)
    rows = records.values("recipient_id").annotate(n=Count("id")).filter(n__gt=limit).order_by()
    return {r["recipient_id"] for r in rows}


def _aggregate_generate(parent, children) -> dict:
    own = parent.result or {}
    generated = list(own.get("generated", []))
    skipped = list(own.get("skipped", []))
    for child in children:
        generated += (child.result or {}).get("generated", [])
        skipped += (child.result or {}).get("skipped", [])
    out = {"generated": sorted(generated), "skipped": sorted(skipped, key=lambda s: s["gstin"])}
    failed = [g for c in children if c.status == "failed" for g in c.params.get("gstins", [])]
    if failed:
        out["failed"] = sorted(failed)
    return out


@register("gstr2b_generate", aggregate=_aggregate_generate)
def _gstr2b_generate_job(job):
    """Scheduled / admin draft 2B (R-5.2, R-5.5), fanned out (issue 13): the GSTINs in parts of
    FANOUT_CHUNK, a large recipient alone on the ``large`` queue; each part one transaction per GSTIN,
    idempotent (R-9.2). The parent's result is the parts' results together."""
    p = job.params
    period = p["period"]
    listed = p.get("gstins")
    taxpayers = Taxpayer.objects.order_by("id")
    skipped: list[dict] = []
    if listed is not None:
        wanted = list(dict.fromkeys(listed))
        taxpayers = taxpayers.filter(gstin__in=wanted)
        known = set(taxpayers.values_list("gstin", flat=True))
        skipped += [{"gstin": g, "reason": "NOT_FOUND"} for g in wanted if g not in known]
    rows = list(taxpayers.values_list("id", "gstin"))
    large = _large_recipients(period, None if listed is None else [tid for tid, _ in rows])
    base = {"period": period, "trigger": p.get("trigger", "admin"), "by": p.get("by", "system")}
    children = [
        Child(
            "gstr2b_generate_chunk", {**base, "ids": [tid], "gstins": [g]}, 1, taxpayer_id=tid, queue="large"
        )
        for tid, g in rows
        if tid in large
    ]
    small = [(tid, g) for tid, g in rows if tid not in large]
    chunk = max(1, settings.FANOUT_CHUNK)
    for i in range(0, len(small), chunk):
        part = small[i : i + chunk]
        children.append(
            Child(
                "gstr2b_generate_chunk",
                {**base, "ids": [t for t, _ in part], "gstins": [g for _, g in part]},
                len(part),
            )
        )
    return FanOut(children, result={"generated": [], "skipped": skipped})


@register("gstr2b_generate_chunk")
def _gstr2b_generate_chunk_job(job) -> dict:
    """One part of the 14th's run: its GSTINs one by one, each in its own transaction."""
    p = job.params
    generated, skipped = [], []
    job_progress(job, 0, len(p["ids"]))
    for n, taxpayer in enumerate(Taxpayer.objects.filter(id__in=p["ids"]).order_by("id"), start=1):
        reason = gstr2b_generate_if_due(
            taxpayer=taxpayer, period=p["period"], trigger=p["trigger"], by=p["by"]
        )
        if reason is None:
            generated.append(taxpayer.gstin)
        else:
            skipped.append({"gstin": taxpayer.gstin, "reason": reason})
        job_progress(job, n, len(p["ids"]))
    return {"generated": generated, "skipped": skipped}


@register("gstr2b_recompute")
def _gstr2b_recompute_job(job) -> dict:
    job_progress(job, 0, 1)
    version = gstr2b_recompute(taxpayer=job.taxpayer, period=job.params["period"], by=job.params["by"])
    job_progress(job, 1, 1)
    return {"version": version.version}
