"""The GSTR-1 tables beyond B2B (R-3.13), validated as GSTN's offline tool does: B2C large invoices
(`b2cl`), exports (`exp`), notes to unregistered persons and exporters (`cdnur`), and the summary tables —
B2C small (`b2cs`), advances received and adjusted (`at`, `txpd`), nil-rated/exempt/non-GST (`nil`), the
HSN summary (`hsn`), documents issued (`doc_issue`), supplies through e-commerce operators (`supeco`) —
with their amendments. Pure Python.

Documents of the first three come back as ``DocInput`` (numbered, amended and filed like B2B documents);
summary rows as ``SummaryInput``, each with its natural key within the return. ``TablesMixin`` is part of
``gstr1._Validator``; ``describe`` turns a path into the words a practitioner reads."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.errors import DomainError
from core.money import ZERO, money, rupees
from core.periods import parse_period, period_code, period_last_day

B2B_SECTIONS = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma")
DOCUMENT_TABLES = ("b2cl", "b2cla", "exp", "expa", "cdnur", "cdnura")
SUMMARY_SECTIONS = (
    "b2cs",
    "b2csa",
    "at",
    "ata",
    "txpd",
    "txpda",
    "nil",
    "hsn",
    "doc_issue",
    "supeco",
    "supecoa",
)
ALL_SECTIONS = frozenset(B2B_SECTIONS + DOCUMENT_TABLES + SUMMARY_SECTIONS)
# A summary amendment and the section of the row it amends.
SUMMARY_AMENDS = {"b2csa": "b2cs", "ata": "at", "txpda": "txpd", "supecoa": "supeco"}

# B2C large is an inter-state invoice above this value (by the document's date).
B2CL_LIMIT_FROM = date(2024, 8, 1)
B2CL_LIMIT = Decimal("100000.00")
B2CL_LIMIT_BEFORE = Decimal("250000.00")
EXPORT_POS = "96"
NIL_TYPES = ("INTRB2B", "INTRAB2B", "INTRB2C", "INTRAB2C")
CDNUR_TYPES = ("B2CL", "EXPWP", "EXPWOP")
EXPORT_TYPES = ("WPAY", "WOPAY")
B2CS_TYPES = ("OE", "E")
# GSTN's units of quantity (UQC) for the HSN summary; NA for services.
_UQC_LIST = (
    "BAG BAL BDL BKL BOU BOX BTL BUN CAN CBM CCM CMS CTN DOZ DRM GGK GMS GRS GYD KGS KLR KME LTR MLT MTR "
    "MTS NOS OTH PAC PCS PRS QTL ROL SET SQF SQM SQY TBS TGM THD TON TUB UGS UNT YDS NA"
)
UQC = frozenset(_UQC_LIST.split())
_HSN_RE = re.compile(r"\d{4}|\d{6}|\d{8}")
_SERIAL_RE = re.compile(r"[A-Za-z0-9/-]{1,16}")

TABLE_WORDS = {
    "b2b": ("B2B", "invoice"),
    "b2ba": ("B2B amendment", "invoice"),
    "cdnr": ("Credit/debit notes (registered)", "note"),
    "cdnra": ("Credit/debit note amendment (registered)", "note"),
    "ecom": ("ECO documents", "invoice"),
    "ecoma": ("ECO document amendment", "invoice"),
    "b2cl": ("B2CL", "invoice"),
    "b2cla": ("B2CL amendment", "invoice"),
    "exp": ("Exports", "invoice"),
    "expa": ("Export amendment", "invoice"),
    "cdnur": ("Credit/debit notes (unregistered)", "note"),
    "cdnura": ("Credit/debit note amendment (unregistered)", "note"),
    "b2cs": ("B2CS", "row"),
    "b2csa": ("B2CS amendment", "row"),
    "at": ("Advances received", "row"),
    "ata": ("Advances received, amendment", "row"),
    "txpd": ("Advances adjusted", "row"),
    "txpda": ("Advances adjusted, amendment", "row"),
    "nil": ("Nil rated, exempted and non-GST", "row"),
    "hsn": ("HSN summary", "row"),
    "doc_issue": ("Documents issued", "row"),
    "supeco": ("Supplies through e-commerce operators", "row"),
    "supecoa": ("Supplies through e-commerce operators, amendment", "row"),
}
FIELD_WORDS = {
    "pos": "place of supply",
    "sply_ty": "supply type",
    "rt": "rate",
    "txval": "taxable value",
    "iamt": "IGST",
    "camt": "CGST",
    "samt": "SGST",
    "csamt": "cess",
    "val": "invoice value",
    "inum": "invoice number",
    "idt": "invoice date",
    "nt_num": "note number",
    "nt_dt": "note date",
    "oinum": "original invoice number",
    "oidt": "original invoice date",
    "ont_num": "original note number",
    "ont_dt": "original note date",
    "ctin": "recipient GSTIN",
    "rtin": "recipient GSTIN",
    "stin": "supplier GSTIN",
    "etin": "e-commerce operator GSTIN",
    "oetin": "original e-commerce operator GSTIN",
    "exp_typ": "export type",
    "sbpcode": "shipping bill port code",
    "sbnum": "shipping bill number",
    "sbdt": "shipping bill date",
    "typ": "type",
    "ntty": "note type",
    "ad_amt": "advance amount",
    "nil_amt": "nil-rated value",
    "expt_amt": "exempted value",
    "ngsup_amt": "non-GST value",
    "hsn_sc": "HSN code",
    "uqc": "unit of quantity (UQC)",
    "qty": "quantity",
    "desc": "description",
    "doc_num": "kind of document",
    "from": "serial number from",
    "to": "serial number to",
    "totnum": "total number",
    "cancel": "cancelled",
    "net_issue": "net issued",
    "suppval": "net value of supplies",
    "omon": "original month",
    "diff_percent": "differential rate",
    "inv_typ": "invoice type",
    "rchrg": "reverse charge",
    "igst": "IGST",
    "cgst": "CGST",
    "sgst": "SGST",
    "cess": "cess",
    "num": "serial number",
    "flag": "flag",
}
_ROW_LISTS = {
    "inv",
    "nt",
    "data",
    "hsn_b2b",
    "hsn_b2c",
    "clttx",
    "paytx",
    "clttxa",
    "paytxa",
    "docs",
    "doc_det",
}
_TOKEN = re.compile(r"([A-Za-z_0-9]+)(?:\[(\d+)\])?")


def describe(path: str, numbers: dict[str, str]) -> str:
    """``b2cs[2].pos`` → "B2CS row 3, place of supply"; ``b2b[0].inv[1].itms[0].itm_det.iamt`` →
    "B2B invoice INV-7, item 1, IGST" (the number when it was read). "" for the root."""
    tokens = _TOKEN.findall(path or "")
    if not tokens or tokens[0][0] not in TABLE_WORDS:
        return ""
    section, index = tokens[0]
    table, noun = TABLE_WORDS[section]
    words = [table]
    so_far = section + (f"[{index}]" if index else "")
    if index and noun == "row" and len(tokens) == 1 or index and noun == "row":
        words[0] = f"{table} row {int(index) + 1}"
    elif index:
        words[0] = f"{table} entry {int(index) + 1}"
    for name, idx in tokens[1:]:
        so_far += f".{name}" + (f"[{idx}]" if idx else "")
        if name in ("inv", "nt") and idx and section not in ("nil",):
            number = numbers.get(so_far)
            words = [f"{table} {noun} {number}" if number else f"{words[0]}, {noun} {int(idx) + 1}"]
        elif name == "itms" and idx:
            words.append(f"item {int(idx) + 1}")
        elif name in _ROW_LISTS and idx:
            words = [
                f"{table} row {int(idx) + 1}" if name != "docs" else f"{words[-1]}, range {int(idx) + 1}"
            ]
        elif name in FIELD_WORDS:
            words.append(FIELD_WORDS[name])
    return ", ".join(words)


def _dec(d) -> str:
    return format(Decimal(d).normalize(), "f") if d is not None else ""


@dataclass
class SummaryInput:
    """A summary row of a table (B2CS, advances, nil, HSN, documents issued, e-commerce), with its
    natural key within a return: saving the same key again edits the row (R-3.8)."""

    path: str
    section: str
    key: tuple
    data: dict  # the row as GSTN shapes it (amounts as text), stored and read back as is
    pos: str = ""
    sply_ty: str = ""
    rt: Decimal | None = None
    omon: int | None = None
    txval: Decimal = ZERO
    iamt: Decimal = ZERO
    camt: Decimal = ZERO
    samt: Decimal = ZERO
    csamt: Decimal = ZERO
    nil_amt: Decimal = ZERO
    expt_amt: Decimal = ZERO
    ngsup_amt: Decimal = ZERO
    delete: bool = False  # GSTN's `flag: "D"`: delete the saved row with this key
    original_key: tuple | None = field(default=None)  # amendments: the amended row's key

    @property
    def key_str(self) -> str:
        return "|".join(_dec(k) if isinstance(k, Decimal) else str(k) for k in self.key)

    @property
    def original_key_str(self) -> str:
        return "|".join(_dec(k) if isinstance(k, Decimal) else str(k) for k in self.original_key or ())

    @property
    def original_section(self) -> str | None:
        return SUMMARY_AMENDS.get(self.section)

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _money_text(d: Decimal) -> str:
    return str(money(d))


class TablesMixin:
    """Validators of the tables beyond B2B; methods of ``gstr1._Validator`` (they use its field helpers:
    ``number``, ``date``, ``amount``, ``pos``, ``choice``, ``rate``, ``diff_percent``, ``item``, …)."""

    def table(self, section: str, value) -> None:
        handler = {
            "b2cl": self.b2cl,
            "b2cla": self.b2cl,
            "exp": self.exp,
            "expa": self.exp,
            "cdnur": self.cdnur,
            "cdnura": self.cdnur,
            "b2cs": self.b2cs,
            "b2csa": self.b2cs,
            "at": self.advances,
            "ata": self.advances,
            "txpd": self.advances,
            "txpda": self.advances,
            "nil": self.nil,
            "hsn": self.hsn,
            "doc_issue": self.doc_issue,
            "supeco": self.supeco,
            "supecoa": self.supeco,
        }[section]
        handler(section, value)

    # --- helpers ---------------------------------------------------------------------------------

    def _list(self, path: str, value, what: str = "a list") -> list | None:
        if value is None:
            return None
        if not isinstance(value, list | Iterator):  # an iterator: a file read entry by entry
            self.err(path, "INVALID", f"This must be {what}.")
            return None
        return value

    def _obj(self, path: str, raw) -> bool:
        if not isinstance(raw, dict):
            self.err(path, "INVALID", "Each entry must be an object.")
            return False
        return True

    def _omon(self, raw: dict, path: str):
        """An amendment's original month (`omon`, MMYYYY): before the return period."""
        value = raw.get("omon")
        if self.missing(value):
            self.err(f"{path}.omon", "REQUIRED", "The original month (MMYYYY) is required.")
            return self.BAD
        try:
            omon = parse_period(value)
        except DomainError as exc:
            self.err(f"{path}.omon", exc.code, exc.message)
            return self.BAD
        if omon >= self.period:
            self.err(f"{path}.omon", "INVALID", "An amendment amends a row of an earlier month.")
            return self.BAD
        return omon

    def _flag_delete(self, raw: dict, path: str) -> bool:
        flag = raw.get("flag")
        if flag in (None, "", "N", "E"):
            return False
        if flag == "D":
            return True
        self.err(f"{path}.flag", "INVALID", "flag is D (delete the saved row) or absent.")
        return False

    def _etin(self, raw: dict, path: str, key: str = "etin", required: bool = False):
        value = raw.get(key)
        if self.missing(value):
            if required:
                self.err(f"{path}.{key}", "REQUIRED", "The e-commerce operator's GSTIN is required.")
                return self.BAD
            return None
        return self.gstin_field(raw, path, key)

    def _once(self, section: str, key: tuple, path: str) -> None:
        """Within one batch a row's key may appear once (a repeat would silently replace it)."""
        first = self.seen_rows.get((section, key))
        if first is None:
            self.seen_rows[(section, key)] = path
        else:
            self.err(path, "DUPLICATE", f"This row repeats {first} (same {self._key_words(section)}).")

    @staticmethod
    def _key_words(section: str) -> str:
        base = SUMMARY_AMENDS.get(section, section)
        return {
            "b2cs": "place of supply, rate, type and operator",
            "at": "place of supply",
            "txpd": "place of supply",
            "nil": "supply type",
            "hsn": "HSN code, unit and rate",
            "doc_issue": "kind of document and serial",
            "supeco": "operator",
        }.get(base, "key")

    def _intra(self, pos, sply_ty_path: str, sply_ty) -> bool | None:
        """Intra-state when the place of supply is the supplier's state; ``sply_ty`` must agree (R-3.5)."""
        if pos is self.BAD:
            return None
        intra = pos == self.supplier[:2]
        want = "INTRA" if intra else "INTER"
        if sply_ty is not self.BAD and sply_ty is not None and sply_ty != want:
            if intra:
                why = f"place of supply {pos} is the supplier's own state, so tax is CGST + SGST"
            else:
                why = (
                    f"place of supply {pos} is not the supplier's state ({self.supplier[:2]}), so tax is IGST"
                )
            self.err(sply_ty_path, "TAX_HEAD_WRONG", f"{why}: the supply type is {want}.")
        return intra

    # --- B2C large, exports, notes to unregistered persons: documents ----------------------------------

    def _unregistered_doc(
        self,
        section: str,
        path: str,
        raw,
        *,
        pos,
        doc_type: str,
        intra,
        no_tax: str | None = None,
        flat_items: bool = False,
        extra: dict | None = None,
    ):
        """One numbered document with no recipient GSTIN; its items, number, dates and amendment keys."""
        if not self._obj(path, raw):
            return
        start = len(self.errors)
        is_note = doc_type in ("CN", "DN")
        number_key, date_key = ("nt_num", "nt_dt") if is_note else ("inum", "idt")
        number = self.number(raw, path, number_key)
        doc_date = self.date(raw, path, date_key, in_period=True)
        self.check_duplicate(f"{path}.{number_key}", number, doc_date, is_note, self.nobody(), False)
        orig_number = orig_date = None
        if section.endswith("a"):
            onum_key, odt_key = ("ont_num", "ont_dt") if is_note else ("oinum", "oidt")
            orig_number = self.number(raw, path, onum_key)
            orig_date = self.date(raw, path, odt_key, in_period=False)
        val = self.amount(raw, path, "val", required=True)
        diff = self.diff_percent(raw, path)
        etin = self._etin(raw, path) if section in ("b2cl", "b2cla") else None
        if section in ("b2cl", "b2cla") and val is not self.BAD and doc_date is not self.BAD:
            limit = B2CL_LIMIT if doc_date >= B2CL_LIMIT_FROM else B2CL_LIMIT_BEFORE
            if val <= limit:
                self.err(
                    f"{path}.val",
                    "B2CL_LIMIT",
                    f"a B2C invoice of {rupees(val)} is not above {rupees(limit)}: it belongs in B2CS.",
                )
        items = self._items(path, raw, doc_date, intra, diff, no_tax=no_tax, flat=flat_items)
        if len(self.errors) != start or pos is self.BAD:
            self.named(path, number)
            return
        self.keep(
            self.make_doc(
                path=path,
                section=section,
                doc_type=doc_type,
                ctin="",
                number=number,
                doc_date=doc_date,
                orig_number=orig_number,
                orig_date=orig_date,
                val=val,
                pos=pos,
                inv_typ="R",
                diff_percent=diff,
                items=items,
                etin=etin,
                **(extra or {}),
            ),
            number,
        )

    def _items(
        self, path, raw, doc_date, intra, diff, *, no_tax=None, flat=False, inv_typ="R", renumber=True
    ) -> list[dict]:
        """A document's items, each checked with its own rate (R-3.5, R-3.6). B2B documents keep an item's
        absent serial number as 0 (``renumber=False``: their saved content hashes depend on it)."""
        items: list[dict] = []
        itms = raw.get("itms")
        if itms is None or (isinstance(itms, list) and not itms):
            self.err(f"{path}.itms", "REQUIRED", "At least one item is required.")
        elif not isinstance(itms, list):
            self.err(f"{path}.itms", "INVALID", "itms must be a list.")
        else:
            for k, it in enumerate(itms):
                is_flat = flat and not (isinstance(it, dict) and "itm_det" in it)
                item = self.item(
                    f"{path}.itms[{k}]", it, doc_date, inv_typ, intra, diff, flat=is_flat, no_tax=no_tax
                )
                if item is not None:
                    if renumber and item["num"] == 0:
                        item["num"] = k + 1
                    items.append(item)
        return items

    def b2cl(self, section: str, value) -> None:
        groups = self._list(section, value)
        for i, grp in enumerate(groups or ()):
            gp = f"{section}[{i}]"
            if not self._obj(gp, grp):
                continue
            pos = self.pos(grp, gp)
            if pos is not self.BAD and pos == self.supplier[:2]:
                self.err(
                    f"{gp}.pos",
                    "B2CL_LIMIT",
                    f"place of supply {pos} is the supplier's own state: an intra-state B2C supply "
                    "belongs in B2CS.",
                )
                pos = self.BAD
            invs = self._list(f"{gp}.inv", grp.get("inv"))
            if grp.get("inv") is None:
                self.err(f"{gp}.inv", "REQUIRED", "inv is required.")
            for j, raw in enumerate(invs or ()):
                self._unregistered_doc(section, f"{gp}.inv[{j}]", raw, pos=pos, doc_type="INV", intra=False)
                self.between_documents()

    def exp(self, section: str, value) -> None:
        groups = self._list(section, value)
        for i, grp in enumerate(groups or ()):
            gp = f"{section}[{i}]"
            if not self._obj(gp, grp):
                continue
            exp_typ = self.choice(grp, gp, "exp_typ", {t: t for t in EXPORT_TYPES})
            if grp.get("inv") is None:
                self.err(f"{gp}.inv", "REQUIRED", "inv is required.")
            for j, raw in enumerate(self._list(f"{gp}.inv", grp.get("inv")) or ()):
                path = f"{gp}.inv[{j}]"
                if not isinstance(raw, dict):
                    self._obj(path, raw)
                    continue
                sbpcode, sbnum, sbdt = self._shipping_bill(raw, path)
                self._unregistered_doc(
                    section,
                    path,
                    raw,
                    pos=EXPORT_POS if exp_typ is not self.BAD else self.BAD,
                    doc_type="INV",
                    intra=False,
                    no_tax="EXPORT_TYPE_TAX" if exp_typ == "WOPAY" else None,
                    flat_items=True,
                    extra={"exp_typ": exp_typ, "sbpcode": sbpcode, "sbnum": sbnum, "sbdt": sbdt},
                )
                self.between_documents()

    def _shipping_bill(self, raw: dict, path: str):
        sbpcode = raw.get("sbpcode")
        if self.missing(sbpcode):
            sbpcode = None
        elif not isinstance(sbpcode, str) or not re.fullmatch(r"[A-Za-z0-9]{6}", sbpcode.strip()):
            self.err(f"{path}.sbpcode", "INVALID", "A port code has 6 letters or digits (INBOM4).")
            sbpcode = None
        else:
            sbpcode = sbpcode.strip().upper()
        sbnum = raw.get("sbnum")
        if self.missing(sbnum):
            sbnum = None
        else:
            sbnum = str(sbnum).strip()
            if not re.fullmatch(r"\d{3,7}", sbnum):
                self.err(f"{path}.sbnum", "INVALID", "A shipping bill number has 3 to 7 digits.")
                sbnum = None
        sbdt = None if self.missing(raw.get("sbdt")) else self.date(raw, path, "sbdt", in_period=False)
        return sbpcode, sbnum, (None if sbdt is self.BAD else sbdt)

    def cdnur(self, section: str, value) -> None:
        for i, raw in enumerate(self._list(section, value) or ()):
            path = f"{section}[{i}]"
            if not self._obj(path, raw):
                continue
            typ = self.choice(raw, path, "typ", {t: t for t in CDNUR_TYPES})
            doc_type = self.choice(raw, path, "ntty", {"C": "CN", "D": "DN"})
            if typ == "B2CL":
                pos = self.pos(raw, path)
                if pos is not self.BAD and pos == self.supplier[:2]:
                    self.err(
                        f"{path}.pos",
                        "B2CL_LIMIT",
                        f"place of supply {pos} is the supplier's own state: a note on a B2C large invoice "
                        "is inter-state.",
                    )
                    pos = self.BAD
            else:
                pos = EXPORT_POS if typ is not self.BAD else self.BAD
            if doc_type is self.BAD:
                continue
            self._unregistered_doc(
                section,
                path,
                raw,
                pos=pos,
                doc_type=doc_type,
                intra=False,
                no_tax="EXPORT_TYPE_TAX" if typ == "EXPWOP" else None,
                extra={"ur_typ": typ if typ is not self.BAD else None},
            )
            self.between_documents()

    # --- summary tables -------------------------------------------------------------------------

    def _row_taxes(self, path: str, raw: dict, period_day, intra, diff, base_key: str = "txval"):
        """A flat rate-wise row's amounts checked as an item (R-3.5, R-3.6)."""
        return self.item(path, raw, period_day, "R", intra, diff, flat=True, base_key=base_key)

    def b2cs(self, section: str, value) -> None:
        for i, raw in enumerate(self._list(section, value) or ()):
            path = f"{section}[{i}]"
            if not self._obj(path, raw):
                continue
            start = len(self.errors)
            omon = self._omon(raw, path) if section == "b2csa" else None
            pos = self.pos(raw, path)
            sply_ty = self.choice(raw, path, "sply_ty", {"INTER": "INTER", "INTRA": "INTRA"})
            intra = self._intra(pos, f"{path}.sply_ty", sply_ty)
            typ = self.choice(raw, path, "typ", {t: t for t in B2CS_TYPES}, default="OE")
            etin = self._etin(raw, path, required=typ == "E")
            if typ == "OE" and etin:
                self.err(
                    f"{path}.etin",
                    "INVALID",
                    "An operator's GSTIN goes with type E (through an e-commerce operator).",
                )
            diff = self.diff_percent(raw, path)
            day = period_last_day(omon) if isinstance(omon, int) else self.last_day
            item = self._row_taxes(path, raw, day, intra, diff)
            delete = self._flag_delete(raw, path)
            if len(self.errors) != start or item is None:
                continue
            base = (pos, item["rt"], typ, etin or "", _dec(diff))
            key = (period_code(omon), *base) if omon else base
            self._once(section, key, path)
            data = {"sply_ty": sply_ty, "typ": typ, "pos": pos, "rt": item["rt"]}
            data.update({h: item[h] for h in ("txval", "iamt", "camt", "samt", "csamt")})
            if etin:
                data["etin"] = etin
            self._rate_row(path, section, key, base, data, item, pos, sply_ty, omon, diff, delete)

    def _rate_row(self, path, section, key, base, data, amounts, pos, sply_ty, omon, diff, delete, rt=...):
        """A B2C small or advances row: its differential rate and original month noted, then kept; an
        amendment's original is the row of ``omon`` with the ``base`` key."""
        if diff is not None:
            data["diff_percent"] = diff
        if omon:
            data["omon"] = period_code(omon)
        self._summary(
            path,
            section,
            key,
            data,
            amounts,
            pos=pos,
            sply_ty=sply_ty,
            omon=omon,
            delete=delete,
            original_key=base if omon else None,
            rt=rt,
        )

    def advances(self, section: str, value) -> None:
        """Advances received (`at`) and adjusted (`txpd`): per place of supply, rate-wise items of the
        advance amount (`ad_amt`) and its tax."""
        for i, raw in enumerate(self._list(section, value) or ()):
            path = f"{section}[{i}]"
            if not self._obj(path, raw):
                continue
            start = len(self.errors)
            omon = self._omon(raw, path) if section in ("ata", "txpda") else None
            pos = self.pos(raw, path)
            sply_ty = self.choice(raw, path, "sply_ty", {"INTER": "INTER", "INTRA": "INTRA"})
            intra = self._intra(pos, f"{path}.sply_ty", sply_ty)
            diff = self.diff_percent(raw, path)
            day = period_last_day(omon) if isinstance(omon, int) else self.last_day
            items = []
            itms = raw.get("itms")
            if not isinstance(itms, list) or not itms:
                self.err(f"{path}.itms", "REQUIRED", "At least one rate-wise item is required.")
            else:
                for k, it in enumerate(itms):
                    item = self._row_taxes(f"{path}.itms[{k}]", it, day, intra, diff, base_key="ad_amt")
                    if item is not None:
                        items.append(item)
            delete = self._flag_delete(raw, path)
            if len(self.errors) != start:
                continue
            base = (pos, _dec(diff))
            key = (period_code(omon), *base) if omon else base
            self._once(section, key, path)
            totals = {
                h: sum((it[h] for it in items), ZERO) for h in ("txval", "iamt", "camt", "samt", "csamt")
            }
            data = {
                "pos": pos,
                "sply_ty": sply_ty,
                "itms": [
                    {
                        "rt": it["rt"],
                        "ad_amt": it["txval"],
                        **{h: it[h] for h in ("iamt", "camt", "samt", "csamt")},
                    }
                    for it in items
                ],
            }
            self._rate_row(path, section, key, base, data, totals, pos, sply_ty, omon, diff, delete, rt=None)

    def nil(self, section: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.err(section, "INVALID", 'nil is an object: {"inv": [...]}.')
            return
        for k in value:
            if k != "inv":
                self.err(f"{section}.{k}", "UNSUPPORTED_SECTION", f"'{k}' is not part of the nil table.")
        for i, raw in enumerate(self._list(f"{section}.inv", value.get("inv")) or ()):
            path = f"{section}.inv[{i}]"
            if not self._obj(path, raw):
                continue
            start = len(self.errors)
            sply_ty = self.choice(raw, path, "sply_ty", {t: t for t in NIL_TYPES})
            amounts = {
                k: self.amount(raw, path, k, required=False) for k in ("nil_amt", "expt_amt", "ngsup_amt")
            }
            if len(self.errors) != start:
                continue
            self._once(section, (sply_ty,), path)
            data = {"sply_ty": sply_ty, **amounts}
            self._summary(path, section, (sply_ty,), data, {}, sply_ty=sply_ty, nil=amounts)

    def hsn(self, section: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.err(
                section,
                "INVALID",
                'hsn is an object: {"data": [...]} or {"hsn_b2b": [...], "hsn_b2c": [...]}.',
            )
            return
        for part, rows in value.items():
            if part not in ("data", "hsn_b2b", "hsn_b2c"):
                self.err(
                    f"{section}.{part}", "UNSUPPORTED_SECTION", f"'{part}' is not part of the HSN summary."
                )
                continue
            for i, raw in enumerate(self._list(f"{section}.{part}", rows) or ()):
                self._hsn_row(section, part, f"{section}.{part}[{i}]", raw)

    def _hsn_row(self, section: str, part: str, path: str, raw) -> None:
        if not self._obj(path, raw):
            return
        start = len(self.errors)
        code = raw.get("hsn_sc")
        code = str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else None
        if not code:
            self.err(f"{path}.hsn_sc", "REQUIRED", "The HSN or SAC code is required.")
        elif not _HSN_RE.fullmatch(code):
            self.err(f"{path}.hsn_sc", "HSN_CODE", f"'{code}' is not an HSN/SAC code of 4, 6 or 8 digits.")
        uqc = raw.get("uqc")
        uqc = uqc.strip().upper() if isinstance(uqc, str) else None
        if not uqc:
            self.err(f"{path}.uqc", "REQUIRED", "The unit of quantity (UQC) is required; NA for services.")
        elif uqc not in UQC:
            self.err(
                f"{path}.uqc", "UQC_INVALID", f"'{uqc}' is not one of GSTN's units of quantity (NOS, KGS, …)."
            )
        qty = self.amount(raw, path, "qty", required=False)
        rt = self.rate(raw, path, self.last_day) if raw.get("rt") is not None else None
        desc = raw.get("desc")
        if desc is not None and (not isinstance(desc, str) or len(desc) > 30):
            self.err(f"{path}.desc", "INVALID", "A description has at most 30 characters.")
        heads = {
            h: self.amount(raw, path, h, required=h == "txval")
            for h in ("txval", "iamt", "camt", "samt", "csamt")
        }
        delete = self._flag_delete(raw, path)
        if len(self.errors) != start:
            return
        key = (part, code, uqc, _dec(rt))
        self._once(section, key, path)
        data = {"part": part, "hsn_sc": code, "uqc": uqc, "qty": qty, "txval": heads["txval"]}
        if desc:
            data["desc"] = desc
        if rt is not None:
            data["rt"] = rt
        data.update({h: heads[h] for h in ("iamt", "camt", "samt", "csamt")})
        self._summary(path, section, key, data, heads, rt=rt, delete=delete)

    def doc_issue(self, section: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.err(section, "INVALID", 'doc_issue is an object: {"doc_det": [...]}.')
            return
        for i, det in enumerate(self._list(f"{section}.doc_det", value.get("doc_det")) or ()):
            dpath = f"{section}.doc_det[{i}]"
            if not self._obj(dpath, det):
                continue
            kind = det.get("doc_num")
            if isinstance(kind, bool) or not isinstance(kind, int) or not 1 <= kind <= 12:
                self.err(f"{dpath}.doc_num", "INVALID", "The kind of document is a number from 1 to 12.")
                continue
            for j, raw in enumerate(self._list(f"{dpath}.docs", det.get("docs")) or ()):
                self._doc_range(section, kind, f"{dpath}.docs[{j}]", raw)

    def _doc_range(self, section: str, kind: int, path: str, raw) -> None:
        if not self._obj(path, raw):
            return
        start = len(self.errors)
        counts = {}
        for k in ("num", "totnum", "cancel", "net_issue"):
            v = raw.get(k)
            if isinstance(v, bool) or not isinstance(v, int) or v < (1 if k == "num" else 0):
                self.err(
                    f"{path}.{k}",
                    "INVALID",
                    "This is a whole number" + (" from 1." if k == "num" else " from 0."),
                )
            counts[k] = v
        for k in ("from", "to"):
            v = raw.get(k)
            if not isinstance(v, str) or not _SERIAL_RE.fullmatch(v.strip()):
                self.err(
                    f"{path}.{k}", "NUMBER_FORMAT", "A serial number has 1-16 letters, digits, '/' or '-'."
                )
        if len(self.errors) != start:
            return
        if counts["cancel"] > counts["totnum"]:
            self.err(
                f"{path}.cancel", "DOC_ISSUE_COUNT", "More documents cancelled than issued in the range."
            )
            return
        if counts["net_issue"] != counts["totnum"] - counts["cancel"]:
            self.err(
                f"{path}.net_issue",
                "DOC_ISSUE_COUNT",
                f"net issued must be total {counts['totnum']} less cancelled {counts['cancel']}: "
                f"{counts['totnum'] - counts['cancel']}.",
            )
            return
        key = (kind, counts["num"])
        self._once(section, key, path)
        data = {"doc_num": kind, "num": counts["num"], "from": raw["from"].strip(), "to": raw["to"].strip()}
        data.update({k: counts[k] for k in ("totnum", "cancel", "net_issue")})
        self._summary(path, section, key, data, {})

    def supeco(self, section: str, value) -> None:
        amended = section == "supecoa"
        parts = ("clttxa", "paytxa") if amended else ("clttx", "paytx")
        if value is None:
            return
        if not isinstance(value, dict):
            self.err(section, "INVALID", f"{section} is an object: {{{', '.join(parts)}}}.")
            return
        for part, rows in value.items():
            if part not in parts:
                self.err(f"{section}.{part}", "UNSUPPORTED_SECTION", f"'{part}' is not part of table 14.")
                continue
            for i, raw in enumerate(self._list(f"{section}.{part}", rows) or ()):
                path = f"{section}.{part}[{i}]"
                if not self._obj(path, raw):
                    continue
                start = len(self.errors)
                etin = self._etin(raw, path, required=True)
                omon = self._omon(raw, path) if amended else None
                oetin = self._etin(raw, path, "oetin", required=True) if amended else None
                amounts = {
                    k: self.amount(raw, path, k, required=k == "suppval")
                    for k in ("suppval", "igst", "cgst", "sgst", "cess")
                }
                if len(self.errors) != start:
                    continue
                kind = part.removesuffix("a")
                base = (kind, oetin or etin)
                key = (kind, period_code(omon), oetin, etin) if amended else (kind, etin)
                self._once(section, key, path)
                data = {"part": part, "etin": etin, **amounts}
                if amended:
                    data.update({"oetin": oetin, "omon": period_code(omon)})
                taxes = {
                    "txval": amounts["suppval"],
                    "iamt": amounts["igst"],
                    "camt": amounts["cgst"],
                    "samt": amounts["sgst"],
                    "csamt": amounts["cess"],
                }
                self._summary(
                    path, section, key, data, taxes, omon=omon, original_key=base if amended else None
                )

    def _summary(
        self,
        path,
        section,
        key,
        data,
        amounts,
        *,
        pos="",
        sply_ty="",
        rt=...,
        omon=None,
        delete=False,
        nil=None,
        original_key=None,
    ):
        heads = {h: amounts.get(h, ZERO) or ZERO for h in ("txval", "iamt", "camt", "samt", "csamt")}
        nil = nil or {}
        self.keep(
            SummaryInput(
                path=path,
                section=section,
                key=key,
                data=_jsonable(data),
                pos=pos or "",
                sply_ty=sply_ty or "",
                rt=amounts.get("rt") if rt is ... else rt,
                omon=omon,
                **heads,
                nil_amt=nil.get("nil_amt") or ZERO,
                expt_amt=nil.get("expt_amt") or ZERO,
                ngsup_amt=nil.get("ngsup_amt") or ZERO,
                delete=delete,
                original_key=original_key,
            )
        )


def _jsonable(data: dict) -> dict:
    """Amounts and rates as text (exact, JSON-safe); the rest as is."""
    out = {}
    for k, v in data.items():
        if isinstance(v, Decimal):
            out[k] = _money_text(v) if k not in ("rt", "diff_percent") else _dec(v)
        elif isinstance(v, list):
            out[k] = [_jsonable(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out
