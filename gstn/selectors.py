"""Reads in GSTN's shapes: IMS counts and records (§3.2, §3.3), GSTR-2B v4 (§2), from the same rows as
/api/v1/ — the recipient's IMS records and the stored 2B versions."""

import hashlib
import math
from decimal import Decimal

from django.core import signing
from django.db.models import Count, Sum

from core.errors import ValidationFailed
from core.periods import IST, format_date, period_code
from gstn import domain
from ims.models import ImsRecord
from ims.selectors import ACTION_NAMES, ims_summary
from ims.serializers import amounts, blocked_flags
from returns.models import Gstr2bLine, Gstr2bVersion
from returns.selectors import boe_line, gstr2b_line_count
from returns.services.gstr2b import is_stale
from taxpayers.models import Taxpayer

ZERO = Decimal("0.00")
# GETINV answers at most this many records at once; more are offered as files (GSTN's token mechanism).
GETINV_FILE_RECORDS = 10_000
# GET2B splits a return into files of this many documents (``fc``, ``file_num``).
GSTR2B_FILE_DOCS = 10_000
TOKEN_SALT = "gstn.getinv"


# --- IMS ---------------------------------------------------------------------------------------------


def ims_counts(recipient: Taxpayer, goods_typ: str) -> dict:
    """GETCNT (§3.2): counts per section and status of one goods type, integers."""
    key, sections = domain.GOODS[goods_typ]
    summary = ims_summary(recipient=recipient)
    zero = {name: 0 for name in ACTION_NAMES.values()}
    block = {s: dict(summary.get(s, zero)) for s in sections}
    block = {"ttl_cnt": sum(sum(c.values()) for c in block.values()), **block}
    return {key: block}


def _blocked(flag: bool) -> str:
    return "Y" if flag else "N"


def gstn_record(rec: ImsRecord, today) -> dict:
    """One record as GETINV shows it (§3.3): flat, GSTN's names, ``cess`` not ``csamt``."""
    section = rec.section
    if section in domain.BOE_SECTIONS:
        out = {
            "portcode": rec.portcode,
            "boenum": rec.number,
            "boedt": format_date(rec.doc_date),
            "refdt": format_date(rec.refdt),
            "recdt": format_date(rec.recdt),
            "isamd": "Y" if section in ("impga", "impgseza") else "N",
        }
        if rec.stin:
            out = {"stin": rec.stin, "trdnm": rec.trdnm, **out}
        out.update({"txval": rec.txval, "iamt": rec.iamt, "cess": rec.cess, "action": rec.action})
        out.update(
            {"ispendactblocked": "N", "isRemarksBlocked": "Y", "isItcRedReqBlocked": "Y", "hash": rec.hash}
        )
        return out
    out = {"stin": rec.stin, "rtnprd": period_code(rec.rtnprd), "srcform": rec.srcform}
    out["srcfilstatus"] = "Filed" if rec.filed_at else "Not Filed"
    if section in domain.NOTE_SECTIONS:
        out.update({"nt_num": rec.number, "nt_dt": format_date(rec.doc_date)})
        if section in domain.AMENDED_NOTE_SECTIONS:
            out.update({"ont_num": rec.orig_number, "ont_dt": format_date(rec.orig_date)})
    else:
        out.update({"inum": rec.number, "idt": format_date(rec.doc_date)})
        if section in domain.AMENDED_INVOICE_SECTIONS:
            out.update({"oinum": rec.orig_number, "oidt": format_date(rec.orig_date)})
    if section not in domain.ECO_SECTIONS:
        out["inv_typ"] = rec.inv_typ
    else:
        out["sply_stin"] = rec.sply_stin or rec.stin
    pend_blocked, decl_blocked = blocked_flags(rec, today)
    out.update(
        {
            "pos": rec.pos,
            **amounts(rec),
            "action": rec.action,
            "ispendactblocked": _blocked(pend_blocked),
            "isRemarksBlocked": "N",
            "isItcRedReqBlocked": _blocked(decl_blocked),
            "hash": rec.hash,
        }
    )
    if rec.remarks:
        out["remarks"] = rec.remarks
    if rec.itc_red_req:
        out["itcRedReq"] = rec.itc_red_req
        for head, key in (
            ("igst", "declIgst"),
            ("cgst", "declCgst"),
            ("sgst", "declSgst"),
            ("cess", "declCess"),
        ):
            value = getattr(rec, f"decl_{head}")
            if value is not None:
                out[key] = value
    return out


def _records(recipient: Taxpayer, section: str, status: str | None):
    qs = ImsRecord.objects.filter(recipient=recipient, active=True, section=section)
    if status:
        qs = qs.filter(action=status)
    return qs


def ims_getinv(recipient: Taxpayer, section: str, status: str | None, today) -> dict:
    """GETINV: ``{key: [records]}``, or above GETINV_FILE_RECORDS ``{"token", "est"}`` to fetch as files
    (FILEDET). The token names the section, status and each file's first id (keyset files)."""
    qs = _records(recipient, section, status)
    n = qs.count()
    if n <= GETINV_FILE_RECORDS:
        return {section: [gstn_record(r, today) for r in qs.order_by("id")]}
    ids = list(qs.order_by("id").values_list("id", flat=True)[::GETINV_FILE_RECORDS])
    token = signing.dumps({"g": recipient.gstin, "s": section, "st": status, "ids": ids}, salt=TOKEN_SALT)
    return {"token": token, "est": 0}


def ims_filedet(recipient: Taxpayer, token: str, file_num: int | None, today) -> dict:
    """FILEDET: without ``file_num`` the list of files (``fc``, ``urls``); with it, that file's records."""
    try:
        t = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        t = None
    if not t or t.get("g") != recipient.gstin:
        raise ValidationFailed([{"path": "token", "code": "INVALID", "message": "Unknown or expired token."}])
    starts = t["ids"]
    if file_num is None:
        return {
            "fc": len(starts),
            "urls": [
                {"ul": f"?action=FILEDET&gstin={recipient.gstin}&token={token}&file_num={i}", "ic": i}
                for i in range(1, len(starts) + 1)
            ],
        }
    if not 1 <= file_num <= len(starts):
        raise ValidationFailed(
            [{"path": "file_num", "code": "INVALID", "message": f"file_num is 1 to {len(starts)}."}]
        )
    qs = _records(recipient, t["s"], t["st"]).filter(id__gte=starts[file_num - 1])
    if file_num < len(starts):
        qs = qs.filter(id__lt=starts[file_num])
    return {t["s"]: [gstn_record(r, today) for r in qs.order_by("id")]}


# --- GSTR-2B v4 ------------------------------------------------------------------------------------------

HEADS4 = ("igst", "cgst", "sgst", "cess")
# GSTN's members of each group (§2.3) beside ours: a member we never fill is present at zero.
GSTN_MEMBERS = {
    "nonrevsup": ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma"),
    "revsup": ("b2b", "b2ba", "cdnr", "cdnra"),
    "isdsup": ("isd", "isda"),
    "imports": ("impg", "impgsez", "impga", "impgasez"),
    "othersup": ("cdnr", "cdnra", "cdnrrev", "cdnrarev", "isd", "isda"),
}


def _heads(total: dict | None) -> dict:
    total = total or {}
    return {h: Decimal(str(total.get(h, "0"))) for h in HEADS4}


def gstn_itcsumm(ours: dict) -> dict:
    """Our itcsumm (``{grp: {sub: {key: total, "total": total}}}``) in GSTN's nesting: each group carries its
    total's tax heads and one node per member."""
    out = {}
    for grp, subs in ours.items():
        block = {}
        for sub in (*subs, *(s for s in GSTN_MEMBERS if s not in subs and grp == "itcavl")):
            keys = subs.get(sub, {})
            node = _heads(keys.get("total"))
            for member in dict.fromkeys((*GSTN_MEMBERS.get(sub, ()), *(k for k in keys if k != "total"))):
                node[member] = _heads(keys.get(member))
            block[sub] = node
        out[grp] = block
    return out


def _amount(v) -> Decimal:
    return Decimal(str(v)) if v is not None else ZERO


def _items(line: Gstr2bLine) -> list[dict]:
    return [
        {
            "num": it.get("num", i + 1),
            "rt": _amount(it.get("rt")),
            "txval": _amount(it.get("txval")),
            "igst": _amount(it.get("iamt")),
            "cgst": _amount(it.get("camt")),
            "sgst": _amount(it.get("samt")),
            "cess": _amount(it.get("csamt")),
        }
        for i, it in enumerate(line.items or [])
    ]


def _doc(line: Gstr2bLine, rejected: bool) -> dict:
    """One document line of docdata / docRejdata (§2.5)."""
    if line.section in ("impg", "impgsez"):
        return boe_line(line)
    note = line.section in ("cdnr", "cdnra")
    if note:
        out = {
            "ntnum": line.number,
            "typ": "C" if line.doc_type == "CN" else "D",
            "suptyp": domain.TYP_2B.get(line.inv_typ, line.inv_typ),
        }
    else:
        out = {"inum": line.number, "typ": domain.TYP_2B.get(line.inv_typ, line.inv_typ or "R")}
    out.update(
        {"dt": format_date(line.doc_date), "val": line.val, "pos": line.pos, "rev": "Y" if line.rev else "N"}
    )
    out["itcavl"] = "Y" if line.grp == "itcavl" else "N"
    if line.rsn:
        out["rsn"] = line.rsn
    if (diff := domain.diff_fraction(line.diffprcnt)) is not None:
        out["diffprcnt"] = diff
    out.update(
        {"txval": line.txval, "igst": line.igst, "cgst": line.cgst, "sgst": line.sgst, "cess": line.cess}
    )
    out["items"] = _items(line)
    if line.is_amendment and note:
        out.update({"onttyp": out["typ"], "ontnum": line.orig_number, "ontdt": format_date(line.orig_date)})
    elif line.is_amendment:
        out.update({"oinum": line.orig_number, "oidt": format_date(line.orig_date)})
    if line.itc_red_req is not None:
        out["itcRedReq"] = line.itc_red_req
        for head, key in (
            ("igst", "declIgst"),
            ("cgst", "declCgst"),
            ("sgst", "declSgst"),
            ("cess", "declCess"),
        ):
            if getattr(line, f"decl_{head}") is not None:
                out[key] = getattr(line, f"decl_{head}")
    out["imsStatus"] = line.action
    if rejected and line.remarks:
        out["remarks"] = line.remarks
    return out


DOC_SECTIONS = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "impg", "impgsez")
CP_SECTIONS = ("b2b", "b2ba", "cdnr", "cdnra", "impgsez", "ecom", "ecoma")


def _docdata(lines: list[Gstr2bLine], rejected: bool) -> dict:
    out = {s: [] for s in DOC_SECTIONS}
    parties: dict = {}
    for line in lines:
        doc = _doc(line, rejected)
        if line.section == "impg":
            out["impg"].append(doc)
            continue
        key = (line.section, line.ctin)
        if key not in parties:
            if line.section == "impgsez":
                parties[key] = {"ctin": line.ctin, "trdnm": line.trdnm, "boe": []}
            else:
                parties[key] = {
                    "ctin": line.ctin,
                    "trdnm": line.trdnm,
                    "supprd": period_code(line.supprd),
                    "supfildt": format_date(line.supfildt.astimezone(IST).date()) if line.supfildt else None,
                    ("nt" if line.section in ("cdnr", "cdnra") else "inv"): [],
                }
            out[line.section].append(parties[key])
        party = parties[key]
        party[
            "boe" if line.section == "impgsez" else "nt" if line.section in ("cdnr", "cdnra") else "inv"
        ].append(doc)
    return out


def _cpsumm(version: Gstr2bVersion, rejected: bool) -> dict:
    """Supplier-wise summary (§2.4), aggregated by the database."""
    lines = Gstr2bLine.objects.filter(
        taxpayer_id=version.taxpayer_id, version=version, section__in=CP_SECTIONS
    )
    lines = lines.filter(grp="itcRejected") if rejected else lines.exclude(grp="itcRejected")
    rows = (
        lines.values("section", "ctin", "trdnm", "supprd", "doc_type")
        .annotate(
            n=Count("id"),
            txval=Sum("txval"),
            igst=Sum("igst"),
            cgst=Sum("cgst"),
            sgst=Sum("sgst"),
            cess=Sum("cess"),
        )
        .order_by("section", "ctin", "doc_type")
    )
    out = {s: [] for s in CP_SECTIONS}
    for r in rows:
        entry = {"ctin": r["ctin"], "trdnm": r["trdnm"]}
        if r["section"] != "impgsez":
            entry["supprd"] = period_code(r["supprd"])
        if r["section"] in ("cdnr", "cdnra"):
            entry["nttyp"] = "C" if r["doc_type"] == "CN" else "D"
        entry.update(
            {"ttldocs": r["n"], **{h: r[h] or ZERO for h in ("txval", "igst", "cgst", "sgst", "cess")}}
        )
        out[r["section"]].append(entry)
    return out


def gstr2b_gstn(version: Gstr2bVersion, file_num: int | None, whole: bool = False) -> dict:
    """GET2B (§2.2): GSTN's GSTR-2B of one stored version; above GSTR2B_FILE_DOCS documents, one file of
    it (``fc`` files; every file carries the summaries, its own documents). ``whole``: one file however
    large (the browser download)."""
    lines_qs = Gstr2bLine.objects.filter(taxpayer_id=version.taxpayer_id, version=version)
    total = gstr2b_line_count(version)
    per_file = max(total, 1) if whole else GSTR2B_FILE_DOCS
    fc = max(1, math.ceil(total / per_file))
    if file_num is None:
        file_num = 1
    if not 1 <= file_num <= fc:
        raise ValidationFailed(
            [{"path": "file_num", "code": "INVALID", "message": f"file_num is 1 to {fc}."}]
        )
    start = (file_num - 1) * per_file
    lines = list(lines_qs.order_by("grp", "section", "ctin", "number", "record_id")[start : start + per_file])
    generated = version.generated_at.astimezone(IST)
    data = {
        "gstin": version.taxpayer.gstin,
        "rtnprd": period_code(version.period),
        "version": str(version.version),
        "gendt": format_date(generated.date()),
        "fc": fc,
        "itcsumm": gstn_itcsumm(version.itcsumm),
        "cpsumm": _cpsumm(version, rejected=False),
        "cpSummRej": _cpsumm(version, rejected=True),
        "docdata": _docdata([x for x in lines if x.grp != "itcRejected"], False),
        "docRejdata": _docdata([x for x in lines if x.grp == "itcRejected"], True),
    }
    if fc > 1:
        data["file_num"] = file_num
    seed = f"{version.taxpayer.gstin}|{version.period}|{version.version}|{file_num}|{is_stale(version)}"
    return {"chksum": hashlib.sha256(seed.encode()).hexdigest(), "data": data}
