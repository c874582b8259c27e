"""The document form of the GSTR-1 pages: typed values in, ONE document as GSTR-1 JSON out, and the
validation details of ``documents_save`` (paths like ``b2b[0].inv[0].itms[0].itm_det.iamt``) mapped back to
the fields they concern. The form checks nothing itself: the service validates exactly as the API does."""

import re
from decimal import Decimal, InvalidOperation

from core.periods import format_date
from core.words import INVOICE_TYPE_NAMES, STATES
from invoices.domain.gstr1 import INVOICE_TYPES, NOT_INTRA_TYPES, RATES
from invoices.models import Document

SECTIONS = {
    "b2b": "B2B invoice",
    "cdnr": "Credit / Debit note",
    "b2ba": "Amendment of B2B invoice",
    "cdnra": "Amendment of credit / debit note",
    # An e-commerce operator's own GSTR-1 table 15: supplies made through it by another supplier.
    "ecom": "ECO document (supplied through you as the operator)",
    "ecoma": "Amendment of ECO document",
}
ECO_FORM_SECTIONS = ("ecom", "ecoma")
# The sections the form edits (the others come by upload or as summary rows).
FORM_SECTIONS = tuple(SECTIONS)
SECTION_TITLES = {
    "b2b": "B2B invoices",
    "b2ba": "Amendments of B2B invoices",
    "cdnr": "Credit / Debit notes",
    "cdnra": "Amendments of credit / debit notes",
    "ecom": "ECO documents",
    "ecoma": "Amendments of ECO documents",
    "b2cl": "B2C (large) invoices",
    "b2cla": "Amendments of B2C (large) invoices",
    "exp": "Export invoices",
    "expa": "Amendments of export invoices",
    "cdnur": "Credit / Debit notes (unregistered)",
    "cdnura": "Amendments of credit / debit notes (unregistered)",
}
# The summary tables of GSTR-1, as the period page titles them.
ROW_TITLES = {
    "b2cs": "B2C (others)",
    "b2csa": "Amendments of B2C (others)",
    "at": "Advances received",
    "ata": "Amendments of advances received",
    "txpd": "Advances adjusted",
    "txpda": "Amendments of advances adjusted",
    "nil": "Nil rated, exempted and non-GST supplies",
    "hsn": "HSN-wise summary",
    "doc_issue": "Documents issued",
    "supeco": "Supplies through e-commerce operators",
    "supecoa": "Amendments of supplies through e-commerce operators",
}
RATE_CHOICES = [format(r.normalize(), "f") for r in sorted(set(RATES.values()))]
HEADER_FIELDS = (
    "section",
    "stin",
    "ctin",
    "number",
    "date",
    "orig_number",
    "orig_date",
    "ntty",
    "pos",
    "rchrg",
    "inv_typ",
    "diff_percent",
    "val",
)
ITEM_FIELDS = ("rt", "txval", "iamt", "camt", "samt", "csamt")
ITEM_LABELS = {
    "rt": "Rate (%)",
    "txval": "Taxable value (₹)",
    "iamt": "IGST (₹)",
    "camt": "CGST (₹)",
    "samt": "SGST/UTGST (₹)",
    "csamt": "Cess (₹)",
}
MIN_ROWS = 1  # issue 15: one row to start; "Add row" adds more, "Remove" takes one away
MAX_ROWS = 200
# JSON key of a document field -> the form field showing it.
DOC_KEYS = {
    "sply_ty": "pos",
    "inum": "number",
    "nt_num": "number",
    "idt": "date",
    "nt_dt": "date",
    "oinum": "orig_number",
    "ont_num": "orig_number",
    "oidt": "orig_date",
    "ont_dt": "orig_date",
    "itms": "itms",
    **{f: f for f in ("ntty", "pos", "rchrg", "inv_typ", "diff_percent", "val")},
}
_PATH_RE = re.compile(
    r"^(?:b2b|b2ba|cdnr|cdnra|ecom\.b2b|ecoma\.b2ba)\[0\](?:\.(ctin|rtin|stin)|\.(?:inv|nt)\[0\](?:\.(.+))?)?$"
)
# A GSTIN key of a group -> the form field showing it (an ECO group names the recipient rtin).
GROUP_KEYS = {"ctin": "ctin", "rtin": "ctin", "stin": "stin"}
_ITEM_RE = re.compile(r"^itms\[(\d+)\](?:\.itm_det)?(?:\.(\w+))?$")


def typed_amount(raw: str):
    """A typed amount as a Decimal; anything else as typed, for the service to refuse with its path."""
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        d = Decimal(raw)
    except InvalidOperation:
        return raw
    return d if d.is_finite() else raw


class DocumentForm:
    """Values as typed (strings), item rows, and errors by field (``errors["ctin"]``) and by row
    (``rows[k]["errors"]["iamt"]``); ``general`` holds what belongs to no field."""

    def __init__(self, data: dict | None = None, *, fixed: dict | None = None):
        data = data or {}
        self.values = {f: (data.get(f) or "").strip() for f in HEADER_FIELDS}
        self.values["section"] = self.values["section"] or "b2b"
        self.values["inv_typ"] = self.values["inv_typ"] or "R"
        self.values["ntty"] = self.values["ntty"] or "C"
        if fixed:  # editing: the number and section name the document being replaced
            self.values.update(fixed)
        self.rows = []
        indexes = sorted(
            {
                int(m.group(1))
                for k in data
                for m in [re.fullmatch(r"(?:rt|txval|iamt|camt|samt|csamt)_(\d+)", k)]
                if m
            }
        )
        for i in indexes[:MAX_ROWS]:
            self.rows.append({"values": {f: (data.get(f"{f}_{i}") or "").strip() for f in ITEM_FIELDS}})
        self._pad()
        self.errors: dict[str, list[str]] = {}
        self.general: list[str] = []

    @classmethod
    def from_document(cls, doc: Document, *, amend: bool = False) -> "DocumentForm":
        """The edit form pre-filled from a saved document, or (``amend``) a new amendment of a filed one."""
        section = doc.section
        values = {
            "section": section,
            "stin": doc.stin if section in ECO_FORM_SECTIONS else "",
            "ctin": doc.ctin,
            "number": doc.number,
            "date": format_date(doc.doc_date),
            "orig_number": doc.orig_number,
            "orig_date": format_date(doc.orig_date) or "",
            "ntty": "D" if doc.doc_type == "DN" else "C",
            "pos": doc.pos,
            "rchrg": "Y" if doc.rchrg else "",
            "inv_typ": doc.inv_typ,
            "diff_percent": "0.65" if doc.diff_percent is not None else "",
            "val": str(doc.val),
        }
        if amend:
            values["section"] = {"b2b": "b2ba", "cdnr": "cdnra", "ecom": "ecoma"}.get(section, section)
            values["orig_number"] = doc.orig_number or doc.number
            values["orig_date"] = format_date(doc.orig_date or doc.doc_date)
        for i, it in enumerate(doc.items):
            for f in ITEM_FIELDS:
                if f in it:
                    values[f"{f}_{i}"] = format(Decimal(str(it[f])).normalize(), "f") if f == "rt" else it[f]
        return cls(values)

    def _pad(self) -> None:
        while len(self.rows) < MIN_ROWS:
            self.rows.append({"values": {f: "" for f in ITEM_FIELDS}})
        for row in self.rows:
            row.setdefault("errors", {})
            row.setdefault("general", [])

    @property
    def is_note(self) -> bool:
        return self.values["section"] in ("cdnr", "cdnra")

    @property
    def is_amendment(self) -> bool:
        return self.values["section"] in ("b2ba", "cdnra", "ecoma")

    @property
    def is_eco(self) -> bool:
        return self.values["section"] in ECO_FORM_SECTIONS

    def payload(self) -> dict:
        """ONE document in GSTR-1 JSON; ``self.item_rows[k]`` is the form row of ``itms[k]``."""
        v = self.values
        section = v["section"] if v["section"] in FORM_SECTIONS else "b2b"
        note = section in ("cdnr", "cdnra")
        doc: dict = {("nt_num" if note else "inum"): v["number"], ("nt_dt" if note else "idt"): v["date"]}
        if note:
            doc["ntty"] = v["ntty"]
        if section in ("b2ba", "cdnra", "ecoma"):
            doc["ont_num" if note else "oinum"] = v["orig_number"]
            doc["ont_dt" if note else "oidt"] = v["orig_date"]
        eco = section in ECO_FORM_SECTIONS
        doc.update({"pos": v["pos"], "inv_typ": v["inv_typ"]})
        if eco:
            # Intra-state when the actual supplier's state is the place of supply, as the service
            # checks it; an ECO document has no reverse charge.
            intra = v["stin"][:2] == v["pos"] and v["inv_typ"] not in NOT_INTRA_TYPES
            doc["sply_ty"] = "INTRA" if intra else "INTER"
        else:
            doc["rchrg"] = "Y" if v["rchrg"] else "N"
        if v["diff_percent"]:
            doc["diff_percent"] = typed_amount(v["diff_percent"])
        items, self.item_rows = [], []
        for k, row in enumerate(self.rows):
            typed = row["values"]
            if not any(typed[f] for f in ITEM_FIELDS if f != "rt"):
                continue
            det = {f: amt for f in ITEM_FIELDS if (amt := typed_amount(typed[f])) is not None}
            items.append({"num": len(items) + 1, "itm_det": det})
            self.item_rows.append(k)
        doc["itms"] = items
        val = typed_amount(v["val"])
        if val is None:
            # Left blank: the taxable value plus every tax head of the items (a mistyped amount is reported
            # at its own field, not as a missing document value).
            val = sum(
                (x for it in items for f, x in it["itm_det"].items() if f != "rt" and isinstance(x, Decimal)),
                Decimal("0"),
            )
        if val is not None:
            doc["val"] = val
        if eco:
            group = {"stin": v["stin"], "rtin": v["ctin"], "inv": [doc]}
            return {section: {"b2b" if section == "ecom" else "b2ba": [group]}}
        return {section: [{"ctin": v["ctin"], ("nt" if note else "inv"): [doc]}]}

    def add_errors(self, details: list[dict]) -> None:
        """Put each validation detail beside its field; what matches no field goes on top, path and all."""
        for d in details:
            text = f"{d['message']} ({d['code']})"
            m = _PATH_RE.match(d.get("path") or "")
            if not m:
                self.general.append(f"{d.get('path') or 'document'}: {text}")
                continue
            if m.group(1):
                self.errors.setdefault(GROUP_KEYS[m.group(1)], []).append(text)
                continue
            rest = m.group(2)
            if rest is None:
                self.general.append(text)
                continue
            im = _ITEM_RE.match(rest)
            if im:
                k = int(im.group(1))
                row = self.rows[self.item_rows[k]] if k < len(self.item_rows) else None
                field = im.group(2)
                if row is None:
                    self.errors.setdefault("itms", []).append(text)
                elif field in ITEM_FIELDS:
                    row["errors"].setdefault(field, []).append(text)
                else:
                    row["general"].append(text)
                continue
            field = DOC_KEYS.get(rest)
            if field:
                self.errors.setdefault(field, []).append(text)
            else:
                self.general.append(f"{d['path']}: {text}")

    def table(self) -> list[dict]:
        """Item rows for the template: each amount cell with its value and its errors."""
        out = []
        for i, row in enumerate(self.rows):
            cells = [
                {
                    "field": f,
                    "label": ITEM_LABELS[f],
                    "value": row["values"][f],
                    "errors": row["errors"].get(f, []),
                }
                for f in ITEM_FIELDS
                if f != "rt"
            ]
            out.append(
                {
                    "i": i,
                    "n": i + 1,
                    "rt": row["values"]["rt"],
                    "rt_errors": row["errors"].get("rt", []),
                    "cells": cells,
                    "general": row["general"],
                }
            )
        return out

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general or any(r["errors"] or r["general"] for r in self.rows))


def blank_row() -> dict:
    """The add-row template: ``__i__`` and ``__n__`` are replaced by docform.js."""
    cells = [
        {"field": f, "label": ITEM_LABELS[f], "value": "", "errors": []} for f in ITEM_FIELDS if f != "rt"
    ]
    return {"i": "__i__", "n": "__n__", "rt": "", "rt_errors": [], "cells": cells, "general": []}


def choices(*, eco_operator: bool = False) -> dict:
    """Select options of the document form: ECO sections only for an e-commerce operator (R-3.14)."""
    return {
        "section_choices": [
            (k, v) for k, v in SECTIONS.items() if eco_operator or k not in ECO_FORM_SECTIONS
        ],
        "state_choices": list(STATES.items()),
        "rate_choices": RATE_CHOICES,
        "inv_typ_choices": [(t, INVOICE_TYPE_NAMES[t]) for t in INVOICE_TYPES],
    }


# --- an error's place in a GSTR-1 file, in words (issue 15: upload errors were JSON paths) ------------------

_FIELD_WORDS = {
    "ctin": "recipient GSTIN", "inum": "invoice number", "idt": "invoice date", "nt_num": "note number",
    "nt_dt": "note date", "oinum": "original invoice number", "oidt": "original invoice date",
    "ont_num": "original note number", "ont_dt": "original note date", "val": "document value",
    "pos": "place of supply", "rchrg": "reverse charge", "inv_typ": "invoice type", "ntty": "note type",
    "rt": "rate", "txval": "taxable value", "iamt": "IGST", "camt": "CGST", "samt": "SGST", "csamt": "cess",
    "diff_percent": "differential percentage", "etin": "e-commerce operator GSTIN", "sply_ty": "supply type",
    "typ": "type", "exp_typ": "export type", "sbpcode": "port code", "sbnum": "shipping bill number",
    "sbdt": "shipping bill date", "hsn_sc": "HSN code", "uqc": "unit", "qty": "quantity", "ad_amt": "advance",
    "num": "item number", "from": "from serial number", "to": "to serial number", "totnum": "total number",
    "cancel": "cancelled", "net_issue": "net issued", "flag": "flag", "omon": "original month",
}  # fmt: skip
_LEVEL_WORDS = {"inv": "document", "nt": "note", "itms": "item", "data": "row", "doc_det": "document type",
                "docs": "range"}  # fmt: skip
_PART = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


def path_words(path: str) -> str:
    """``b2b[0].inv[1].itms[0].itm_det.rt`` as "B2B invoices, recipient 1, document 2, item 1: rate"."""
    if not path:
        return "The file"
    words, field = [], ""
    for k, part in enumerate(path.split(".")):
        m = _PART.match(part)
        if m is None:
            return path
        name, index = m.group(1), m.group(2)
        number = int(index) + 1 if index is not None else None
        if k == 0:
            title = SECTION_TITLES.get(name) or ROW_TITLES.get(name) or name
            words.append(
                f"{title}, {'recipient' if name in ('b2b', 'b2ba', 'cdnr', 'cdnra') else 'entry'} {number}"
                if number
                else title
            )
        elif name == "itm_det":
            continue
        elif number is not None:
            words.append(f"{_LEVEL_WORDS.get(name, name)} {number}")
        else:
            field = _FIELD_WORDS.get(name, name)
    return ", ".join(words) + (f": {field}" if field else "")
