"""Output shapes of API.md: IMS records and GSTR-1 documents in GSTN's field names."""

from invoices import domain
from invoices.models import Document, ImsAudit, ImsRecord
from taxpayers.domain import format_date, period_code

from .services.records import regime_period

NOTE_SECTIONS = ("b2bdn", "b2bdna", "b2bcn", "b2bcna")


def _iso(dt):
    return dt.isoformat() if dt else None


def record_out(rec: ImsRecord, today) -> dict:
    regime = regime_period(rec)
    is_note = rec.section in NOTE_SECTIONS
    out = {
        "id": rec.id,
        "section": rec.section,
        "stin": rec.stin,
        "trdnm": rec.trdnm,
        "sply_stin": rec.sply_stin or None,
        "rtnprd": period_code(rec.rtnprd),
        "srcform": rec.srcform,
        "srcfilstatus": "Filed" if rec.filed_at else "Not Filed",
    }
    if is_note:
        out.update(
            {
                "nt_num": rec.number,
                "nt_dt": format_date(rec.doc_date),
                "ont_num": rec.orig_number or None,
                "ont_dt": format_date(rec.orig_date),
            }
        )
        out["typ"] = "C" if rec.doc_type == "CN" else "D"
    else:
        out.update(
            {
                "inum": rec.number,
                "idt": format_date(rec.doc_date),
                "oinum": rec.orig_number or None,
                "oidt": format_date(rec.orig_date),
            }
        )
    pend_blocked = (
        rec.itc_reducing
        and domain.pending_refusal(
            itc_reducing=True, itc_period=regime, deadline=rec.pending_deadline, today=today
        )
        is not None
    )
    out.update(
        {
            "inv_typ": rec.inv_typ,
            "pos": rec.pos,
            "rchrg": "Y" if rec.rchrg else "N",
            "val": rec.val,
            "txval": rec.txval,
            "iamt": rec.iamt,
            "camt": rec.camt,
            "samt": rec.samt,
            "cess": rec.cess,
            "action": rec.action,
            "ispendactblocked": "Y" if pend_blocked else "N",
            "pending_deadline": format_date(rec.pending_deadline),
            "remarks": rec.remarks,
            "itcRedReq": rec.itc_red_req,
            "isItcRedReqBlocked": "Y"
            if domain.declaration_blocked(itc_reducing=rec.itc_reducing, itc_period=regime)
            else "N",
            "declIgst": rec.decl_igst,
            "declCgst": rec.decl_cgst,
            "declSgst": rec.decl_sgst,
            "declCess": rec.decl_cess,
            "itc_period": period_code(rec.itc_period),
            "left_ims": rec.left_ims,
            "deemed_accepted": rec.deemed_accepted,
            "kept_out": rec.kept_out,
            "rsn": rec.rsn,
            "superseded": rec.superseded,
            "waiting_on_original": rec.waiting_on_original,
            "itc_reducing": rec.itc_reducing,
            "hash": rec.hash,
            "updated_at": _iso(rec.updated_at),
        }
    )
    return out


def audit_out(a: ImsAudit) -> dict:
    return {
        "at": _iso(a.at),
        "by": a.by,
        "channel": a.channel,
        "from": a.from_action or None,
        "to": a.to_action or None,
        "remarks": a.remarks,
        "decl": a.decl,
        "reason": a.reason or None,
    }


def _items_out(doc: Document) -> list[dict]:
    from decimal import Decimal

    out = []
    for it in doc.items:
        det = {k: Decimal(str(it[k])) for k in ("rt", "txval", "iamt", "camt", "samt", "csamt") if k in it}
        out.append({"num": it.get("num"), "itm_det": det})
    return out


def documents_gstr1_json(*, gstin: str, period: int, docs: list[Document]) -> dict:
    """A period's documents in GSTR-1 JSON, each with id, form and status."""
    out: dict = {"gstin": gstin, "fp": period_code(period)}
    groups: dict = {}
    for doc in docs:
        is_note = doc.section in ("cdnr", "cdnra")
        is_eco = doc.section in ("ecom", "ecoma")
        body = {"id": doc.id, "form": doc.form, "status": "filed" if doc.filed_at else "saved"}
        if is_note:
            body.update(
                {
                    "ntty": "C" if doc.doc_type == "CN" else "D",
                    "nt_num": doc.number,
                    "nt_dt": format_date(doc.doc_date),
                }
            )
            if doc.orig_number:
                body.update({"ont_num": doc.orig_number, "ont_dt": format_date(doc.orig_date)})
        else:
            body.update({"inum": doc.number, "idt": format_date(doc.doc_date)})
            if doc.orig_number:
                body.update({"oinum": doc.orig_number, "oidt": format_date(doc.orig_date)})
        body.update({"val": doc.val, "pos": doc.pos, "inv_typ": doc.inv_typ})
        if is_eco:
            body["sply_ty"] = doc.sply_ty
        else:
            body["rchrg"] = "Y" if doc.rchrg else "N"
        if doc.diff_percent is not None:
            body["diff_percent"] = doc.diff_percent
        body["itms"] = _items_out(doc)
        if is_eco:
            key = (doc.section, doc.stin, doc.ctin)
            if key not in groups:
                sub = "b2b" if doc.section == "ecom" else "b2ba"
                groups[key] = {"stin": doc.stin, "rtin": doc.ctin, "inv": []}
                out.setdefault(doc.section, {}).setdefault(sub, []).append(groups[key])
            groups[key]["inv"].append(body)
        else:
            key = (doc.section, doc.ctin)
            if key not in groups:
                groups[key] = {"ctin": doc.ctin, ("nt" if is_note else "inv"): []}
                out.setdefault(doc.section, []).append(groups[key])
            groups[key]["nt" if is_note else "inv"].append(body)
    return out
