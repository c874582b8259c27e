"""Output shapes of API.md: GSTR-1 documents in GSTN's field names."""

from core.periods import format_date, period_code
from invoices.models import Document


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
