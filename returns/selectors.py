"""Reads of GSTR-2B versions in the reply shape of API.md."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Collate, Upper
from rest_framework.utils.encoders import JSONEncoder

from core.api import keyset, page_args
from core.errors import RuleViolation
from core.periods import business_date, format_date, period_add, period_code, period_of
from returns import domain
from returns.models import AddBack, Gstr2bLine, Gstr2bSlice, Gstr2bVersion, Gstr3bFiling
from returns.services.gstr2b import is_stale, latest_version
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

NOTE_SECTIONS = ("cdnr", "cdnra")


def gstr2b_not_generated(taxpayer: Taxpayer, period: int) -> RuleViolation:
    cal = Calendar(taxpayer)
    reason = domain.not_generated_reason(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=cal.quarterly,
        previous_3b_filed=cal.previous_filed(period),
    )
    return RuleViolation(
        "NOT_GENERATED", "GSTR-2B is not generated for this period.", details=[{"reason": reason}], status=404
    )


def gstr2b_version(*, taxpayer: Taxpayer, period: int, version: int | None = None) -> Gstr2bVersion:
    if version is None:
        v = latest_version(taxpayer, period)
    else:
        v = Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period, version=version).first()
    if v is None:
        if version is not None:
            raise RuleViolation("NOT_FOUND", "No such version.", status=404)
        raise gstr2b_not_generated(taxpayer, period)
    return v


def _line(line: Gstr2bLine, rejected: bool) -> dict:
    is_note = line.section in NOTE_SECTIONS
    out = {"id": line.record_id}
    if is_note:
        out.update({"ntnum": line.number, "typ": "C" if line.doc_type == "CN" else "D"})
    else:
        out.update({"inum": line.number, "typ": line.inv_typ})
    out.update(
        {
            "dt": format_date(line.doc_date),
            "val": line.val,
            "pos": line.pos,
            "rev": "Y" if line.rev else "N",
            "itcavl": "Y" if line.grp == "itcavl" else "N",
            "rsn": line.rsn,
            "txval": line.txval,
            "igst": line.igst,
            "cgst": line.cgst,
            "sgst": line.sgst,
            "cess": line.cess,
            "imsStatus": line.action,
        }
    )
    if line.is_amendment:
        key = "ont_num" if is_note else "oinum"
        out[key] = line.orig_number
        out["ont_dt" if is_note else "oidt"] = format_date(line.orig_date)
        out["delta"] = {
            "txval": line.c_txval,
            "igst": line.c_igst,
            "cgst": line.c_cgst,
            "sgst": line.c_sgst,
            "cess": line.c_cess,
        }
    if line.sub == "othersup" or line.itc_red_req is not None:
        out.update(
            {
                "itcRedReq": line.itc_red_req,
                "declIgst": line.decl_igst,
                "declCgst": line.decl_cgst,
                "declSgst": line.decl_sgst,
                "declCess": line.decl_cess,
            }
        )
    if rejected:
        out["remarks"] = line.remarks
    return out


def boe_line(line: Gstr2bLine) -> dict:
    """A bill of entry in ``impg`` / ``impgsez`` as GSTN names its fields (GSTN-FORMATS §2.5, R-10.3)."""
    return {
        "refdt": format_date(line.refdt),
        "recdt": format_date(line.recdt),
        "portcode": line.portcode,
        "boenum": line.number,
        "boedt": format_date(line.doc_date),
        "isamd": "Y" if line.is_amendment else "N",
        "txval": line.txval,
        "igst": line.igst,
        "cess": line.cess,
        "imsStatus": line.action,
    }


def _boe_line(line: Gstr2bLine) -> dict:
    """Our reply's BoE line: GSTN's fields, the record id, and for an amendment (isamd Y) the difference
    it counts."""
    out = {"id": line.record_id, **boe_line(line)}
    if line.is_amendment:
        out["delta"] = {"txval": line.c_txval, "igst": line.c_igst, "cess": line.c_cess}
    return out


def _entries(lines, rejected: bool):
    """``(section, entry)`` in reply order from lines ordered by section, supplier and number: a supplier
    with its documents (``inv``/``nt``/``boe``), or for ``impg`` one bill of entry. Consumes ``lines`` as it
    goes, so a streamed reply holds one supplier's documents at a time."""
    party, key = None, None
    for line in lines:
        if line.section == "impg":
            if party is not None:
                yield key[0], party
                party, key = None, None
            yield "impg", _boe_line(line)
            continue
        if (line.section, line.ctin) != key:
            if party is not None:
                yield key[0], party
            key = (line.section, line.ctin)
            if line.section == "impgsez":
                party = {"ctin": line.ctin, "trdnm": line.trdnm, "boe": []}
            else:
                party = {
                    "ctin": line.ctin,
                    "trdnm": line.trdnm,
                    "supprd": period_code(line.supprd),
                    "supfildt": format_date(business_date(line.supfildt)) if line.supfildt else None,
                    ("nt" if line.section in NOTE_SECTIONS else "inv"): [],
                }
        if line.section == "impgsez":
            party["boe"].append(_boe_line(line))
        else:
            party["nt" if line.section in NOTE_SECTIONS else "inv"].append(_line(line, rejected))
    if party is not None:
        yield key[0], party


def _docdata(lines: list[Gstr2bLine], rejected: bool) -> dict:
    out = {s: [] for s in domain.DOC_SECTIONS}
    for section, entry in _entries(lines, rejected):
        out[section].append(entry)
    return out


def _amounts(itcsumm: dict) -> dict:
    """Totals are stored as strings (JSON); money in replies is a number (API.md conventions). Every group
    and key of today's layout is present, at zero in a version generated before it existed (imports)."""
    zero = {h: Decimal("0.00") for h in ("txval", "igst", "cgst", "sgst", "cess")}
    out: dict = {}
    for (grp, sub), keys in domain.GROUP_KEYS.items():
        stored = itcsumm.get(grp, {}).get(sub, {})
        out.setdefault(grp, {})[sub] = {
            key: {h: Decimal(x) for h, x in stored[key].items()} if key in stored else dict(zero)
            for key in (*keys, "total")
        }
    return out


def _ordered_lines(v: Gstr2bVersion):
    # lines sort by ctin, then number. Numbers compare case-insensitively, by code point
    # whatever the database's collation, so the order never depends on the server's locale.
    # Code-point collation: "C" on PostgreSQL, "BINARY" on SQLite (the `make run` database).
    cp = "C" if connection.vendor == "postgresql" else "BINARY"
    return Gstr2bLine.objects.filter(taxpayer_id=v.taxpayer_id, version=v).order_by(
        "section", Collate("ctin", cp), Collate(Upper("number"), cp), "record_id"
    )


def _head(v: Gstr2bVersion) -> dict:
    filed = Gstr3bFiling.objects.filter(taxpayer_id=v.taxpayer_id, period=v.period).exists()
    latest = latest_version(v.taxpayer, v.period)
    is_latest = latest is not None and latest.id == v.id
    return {
        "gstin": v.taxpayer.gstin,
        "rtnprd": period_code(v.period),
        "version": v.version,
        "gendt": v.generated_at.isoformat(),
        "status": "final" if filed and is_latest else "draft",
        "stale": (not filed) and is_latest and is_stale(v),
        "itcsumm": _amounts(v.itcsumm),
    }


# Above this many lines GET 2B is sent as it is read (issue 12): the same JSON, never one body in memory.
STREAM_LINES = 10_000


def gstr2b_line_count(v: Gstr2bVersion) -> int:
    """From the version's slices, which count their lines: no line is read."""
    slices = Gstr2bSlice.objects.filter(taxpayer_id=v.taxpayer_id, version=v)
    return slices.aggregate(n=Sum("lines"))["n"] or 0


def gstr2b_is_large(v: Gstr2bVersion) -> bool:
    return gstr2b_line_count(v) > STREAM_LINES


def gstr2b_reply_stream(v: Gstr2bVersion):
    """``gstr2b_reply(v)`` as JSON text in pieces: the head, then each part's sections with one supplier's
    documents at a time, lines read 2,000 per fetch."""
    encode = JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    head = encode(_head(v))
    yield '{"data":' + head[:-1]
    for part, rejected in (("docdata", False), ("docRejdata", True)):
        lines = _ordered_lines(v)
        lines = lines.filter(grp="itcRejected") if rejected else lines.exclude(grp="itcRejected")
        entries = _entries(lines.iterator(chunk_size=2000), rejected)
        pending = next(entries, None)
        yield f',"{part}":{{'
        for i, section in enumerate(domain.DOC_SECTIONS):
            out, first = [("," if i else "") + f'"{section}":['], True
            while pending is not None and pending[0] == section:
                out.append(("" if first else ",") + encode(pending[1]))
                first = False
                pending = next(entries, None)
                if len(out) >= 200:
                    yield "".join(out)
                    out = []
            out.append("]")
            yield "".join(out)
        yield "}"
    yield "}}"


def gstr2b_reply(v: Gstr2bVersion) -> dict:
    lines = list(_ordered_lines(v))
    return {
        "data": {
            **_head(v),
            "docdata": _docdata([x for x in lines if x.grp != "itcRejected"], False),
            "docRejdata": _docdata([x for x in lines if x.grp == "itcRejected"], True),
        }
    }


def gstr2b_versions(*, taxpayer: Taxpayer, period: int) -> list[dict]:
    rows = Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period).order_by("version")
    return [
        {"version": v.version, "generated_at": v.generated_at.isoformat(), "trigger": v.trigger, "by": v.by}
        for v in rows
    ]


# --- Pages: dashboard, 2B/3B period choice, jobs ---------------------------------------------------------


def gstr2b_version_rows(*, taxpayer: Taxpayer, period: int) -> list[Gstr2bVersion]:
    """The version list of a period, newest first, without the summaries."""
    return list(
        Gstr2bVersion.objects.filter(taxpayer=taxpayer, period=period).defer("itcsumm").order_by("-version")
    )


def next_return(period: int, cal: Calendar) -> int:
    """The 3B/2B period after ``period``: the next month, or the next quarter's last month."""
    return cal.return_period(period_add(period, 1))


def return_periods(cal: Calendar, upto: int) -> list[int]:
    """Every 3B/2B period from the start period to the one covering ``upto``, oldest first."""
    p, last = cal.return_period(cal.taxpayer.ims_start_period), cal.return_period(upto)
    out = []
    while p <= last:
        out.append(p)
        p = next_return(p, cal)
    return out


def relevant_period(cal: Calendar, today: date) -> int:
    """The return period "to do before the 20th": the oldest GSTR-3B still owed among the periods that
    have ended, else the latest ended one (filed); the start period while none has ended."""
    p = period_add(period_of(today), -1)
    while cal.return_period(p) != p:  # months 1-2 of a quarter: its 3B is not due yet
        p = period_add(p, -1)
    first = cal.return_period(cal.taxpayer.ims_start_period)
    if p < first:
        return first
    q = first
    while q < p and q in cal.filed_3b:
        q = next_return(q, cal)
    return q


def latest_2b_period(taxpayer: Taxpayer) -> int | None:
    return (
        Gstr2bVersion.objects.filter(taxpayer=taxpayer)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def gstr2b_status(cal: Calendar, period: int, today: date) -> dict:
    """The 2B of a period at a glance: ``state`` not_generated (with ``reason``), draft, stale or final."""
    version = latest_version(cal.taxpayer, period)
    if version is None:
        reason = domain.not_generated_reason(
            period=period,
            start_period=cal.taxpayer.ims_start_period,
            quarterly=cal.quarterly,
            previous_3b_filed=cal.previous_filed(period),
        )
        # Before the 14th the draft is simply not due, whatever else is missing.
        if reason in ("PREVIOUS_3B_NOT_FILED", "NOT_YET_GENERATED") and today < domain.draft_date(period):
            reason = "DRAFT_NOT_DUE"
        return {"state": "not_generated", "reason": reason, "version": None}
    if period in cal.filed_3b:
        state = "final"
    elif is_stale(version):
        state = "stale"
    else:
        state = "draft"
    return {"state": state, "reason": None, "version": version}


def filed_3b_by_taxpayer(taxpayer_ids: list[int]) -> dict[int, set[int]]:
    """The periods whose GSTR-3B each taxpayer has filed, in one query (registered as the reader of
    ``taxpayers.selectors.filed_3b_periods``)."""
    out: dict[int, set[int]] = {}
    for tid, period in Gstr3bFiling.objects.filter(taxpayer_id__in=taxpayer_ids).values_list(
        "taxpayer_id", "period"
    ):
        out.setdefault(tid, set()).add(period)
    return out


def addbacks_list(*, supplier: Taxpayer, params) -> tuple[list[AddBack], str | None]:
    limit, after = page_args(params)
    return keyset(AddBack.objects.filter(supplier=supplier), limit, after)
