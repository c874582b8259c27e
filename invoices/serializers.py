"""Output shapes of API.md: GSTR-1 documents in GSTN's field names."""

from decimal import Decimal

from core.periods import format_date, period_code
from invoices.domain.gstr1_tables import B2B_SECTIONS
from invoices.models import Document, SummaryRow

# Text fields of a summary row's stored data that are amounts or rates (read back as numbers).
_ROW_NUMBERS = {
    "rt",
    "diff_percent",
    "txval",
    "iamt",
    "camt",
    "samt",
    "csamt",
    "ad_amt",
    "nil_amt",
    "expt_amt",
    "ngsup_amt",
    "qty",
    "suppval",
    "igst",
    "cgst",
    "sgst",
    "cess",
}
_ITEM_HEADS = ("rt", "txval", "iamt", "camt", "samt", "csamt")


def _items_out(doc: Document, flat: bool = False) -> list[dict]:
    out = []
    for it in doc.items:
        det = {k: Decimal(str(it[k])) for k in _ITEM_HEADS if k in it}
        out.append(det if flat else {"num": it.get("num"), "itm_det": det})
    return out


def _status(obj) -> dict:
    return {"id": obj.id, "form": obj.form, "status": "filed" if obj.filed_at else "saved"}


def _doc_body(doc: Document) -> dict:
    is_note = doc.doc_type in ("CN", "DN")
    body = _status(doc)
    if doc.section in ("cdnur", "cdnura"):
        body["typ"] = doc.ur_typ
    if is_note:
        ntty = "C" if doc.doc_type == "CN" else "D"
        body.update({"ntty": ntty, "nt_num": doc.number, "nt_dt": format_date(doc.doc_date)})
        if doc.orig_number:
            body.update({"ont_num": doc.orig_number, "ont_dt": format_date(doc.orig_date)})
    else:
        body.update({"inum": doc.number, "idt": format_date(doc.doc_date)})
        if doc.orig_number:
            body.update({"oinum": doc.orig_number, "oidt": format_date(doc.orig_date)})
    body["val"] = doc.val
    if doc.section in ("exp", "expa"):
        for k in ("sbpcode", "sbnum"):
            if getattr(doc, k):
                body[k] = getattr(doc, k)
        if doc.sbdt:
            body["sbdt"] = format_date(doc.sbdt)
    elif doc.section in ("b2cl", "b2cla"):
        if doc.etin:
            body["etin"] = doc.etin
    else:
        body["pos"] = doc.pos
        if doc.section in B2B_SECTIONS:
            body["inv_typ"] = doc.inv_typ
    if doc.section in ("ecom", "ecoma"):
        body["sply_ty"] = doc.sply_ty
    elif doc.section in B2B_SECTIONS:
        body["rchrg"] = "Y" if doc.rchrg else "N"
    if doc.diff_percent is not None:
        body["diff_percent"] = doc.diff_percent
    body["itms"] = _items_out(doc, flat=doc.section in ("exp", "expa"))
    return body


def _row_value(k: str, v):
    if k in _ROW_NUMBERS and isinstance(v, str):
        return Decimal(v)
    if isinstance(v, list):
        return [{kk: _row_value(kk, vv) for kk, vv in x.items()} if isinstance(x, dict) else x for x in v]
    return v


def _row_body(row: SummaryRow, drop=()) -> dict:
    body = _status(row)
    body.update({k: _row_value(k, v) for k, v in row.data.items() if k not in drop})
    return body


def documents_gstr1_json(
    *, gstin: str, period: int, docs: list[Document], rows: list[SummaryRow] = ()
) -> dict:
    """A period's GSTR-1 as GSTN shapes it (R-3.13): documents and summary rows of every section, each
    with id, form and status."""
    out: dict = {"gstin": gstin, "fp": period_code(period)}
    groups: dict = {}
    for doc in docs:
        body = _doc_body(doc)
        section = doc.section
        is_note = doc.doc_type in ("CN", "DN")
        if section in ("ecom", "ecoma"):
            key = (section, doc.stin, doc.ctin)
            if key not in groups:
                sub = "b2b" if section == "ecom" else "b2ba"
                groups[key] = {"stin": doc.stin, "rtin": doc.ctin, "inv": []}
                out.setdefault(section, {}).setdefault(sub, []).append(groups[key])
            groups[key]["inv"].append(body)
        elif section in ("cdnur", "cdnura"):
            out.setdefault(section, []).append(body)
        elif section in ("b2cl", "b2cla"):
            key = (section, doc.pos)
            if key not in groups:
                groups[key] = {"pos": doc.pos, "inv": []}
                out.setdefault(section, []).append(groups[key])
            groups[key]["inv"].append(body)
        elif section in ("exp", "expa"):
            key = (section, doc.exp_typ)
            if key not in groups:
                groups[key] = {"exp_typ": doc.exp_typ, "inv": []}
                out.setdefault(section, []).append(groups[key])
            groups[key]["inv"].append(body)
        else:
            key = (section, doc.ctin)
            if key not in groups:
                groups[key] = {"ctin": doc.ctin, ("nt" if is_note else "inv"): []}
                out.setdefault(section, []).append(groups[key])
            groups[key]["nt" if is_note else "inv"].append(body)
    for row in rows:
        section = row.section
        if section == "nil":
            out.setdefault("nil", {"inv": []})["inv"].append(_row_body(row))
        elif section == "hsn":
            part = row.data.get("part", "data")
            out.setdefault("hsn", {}).setdefault(part, []).append(_row_body(row, drop=("part",)))
        elif section == "doc_issue":
            det = out.setdefault("doc_issue", {"doc_det": []})["doc_det"]
            kind = row.data["doc_num"]
            if not det or det[-1]["doc_num"] != kind:
                det.append({"doc_num": kind, "docs": []})
            det[-1]["docs"].append(_row_body(row, drop=("doc_num",)))
        elif section in ("supeco", "supecoa"):
            part = row.data.get("part")
            out.setdefault(section, {}).setdefault(part, []).append(_row_body(row, drop=("part",)))
        else:
            out.setdefault(section, []).append(_row_body(row))
    return out
