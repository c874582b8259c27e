"""Reads of GSTR-2B versions in the reply shape of API.md."""

from decimal import Decimal

from django.db import connection
from django.db.models.functions import Collate, Upper

from ims_portal.errors import RuleViolation
from returns import domain
from returns.models import Gstr2bLine, Gstr2bVersion, Gstr3bFiling
from returns.services.gstr2b import Context, is_stale, latest_version
from taxpayers.domain import format_date, period_code
from taxpayers.models import Taxpayer

NOTE_SECTIONS = ("cdnr", "cdnra")


def gstr2b_not_generated(taxpayer: Taxpayer, period: int) -> RuleViolation:
    ctx = Context(taxpayer)
    reason = domain.not_generated_reason(
        period=period,
        start_period=taxpayer.ims_start_period,
        quarterly=ctx.calendar.quarterly,
        previous_3b_filed=ctx.previous_filed(period),
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


def _docdata(lines: list[Gstr2bLine], rejected: bool) -> dict:
    out = {s: [] for s in domain.DOC_SECTIONS}
    groups: dict = {}
    for line in lines:
        key = (line.section, line.ctin)
        if key not in groups:
            groups[key] = {
                "ctin": line.ctin,
                "trdnm": line.trdnm,
                "supprd": period_code(line.supprd),
                "supfildt": format_date(line.supfildt.date()) if line.supfildt else None,
                ("nt" if line.section in NOTE_SECTIONS else "inv"): [],
            }
            out[line.section].append(groups[key])
        groups[key]["nt" if line.section in NOTE_SECTIONS else "inv"].append(_line(line, rejected))
    return out


def _amounts(itcsumm: dict) -> dict:
    """Totals are stored as strings (JSON); money in replies is a number (API.md conventions)."""
    return {
        grp: {
            sub: {key: {h: Decimal(x) for h, x in t.items()} for key, t in block.items()}
            for sub, block in subs.items()
        }
        for grp, subs in itcsumm.items()
    }


def gstr2b_reply(v: Gstr2bVersion) -> dict:
    # lines sort by ctin, then number. Numbers compare case-insensitively, by code point
    # whatever the database's collation, so the order never depends on the server's locale.
    # Code-point collation: "C" on PostgreSQL, "BINARY" on SQLite (the `make run` database).
    cp = "C" if connection.vendor == "postgresql" else "BINARY"
    lines = list(
        Gstr2bLine.objects.filter(version=v).order_by(
            "section", Collate("ctin", cp), Collate(Upper("number"), cp), "record_id"
        )
    )
    filed = Gstr3bFiling.objects.filter(taxpayer_id=v.taxpayer_id, period=v.period).exists()
    latest = latest_version(v.taxpayer, v.period)
    is_latest = latest is not None and latest.id == v.id
    return {
        "data": {
            "gstin": v.taxpayer.gstin,
            "rtnprd": period_code(v.period),
            "version": v.version,
            "gendt": v.generated_at.isoformat(),
            "status": "final" if filed and is_latest else "draft",
            "stale": (not filed) and is_latest and is_stale(v),
            "itcsumm": _amounts(v.itcsumm),
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
