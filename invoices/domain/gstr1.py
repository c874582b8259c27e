"""Validation of a GSTR-1 JSON batch (RULES.md R-3.2 to R-3.7, R-3.11, R-3.13, R-3.14). Pure Python.

``parse_gstr1`` walks the whole payload once, in request order, and reports every problem it finds
as ``{"path", "code", "message"}`` with the path of the offending value as typed in the request
(``b2b[0].inv[2].itms[0].itm_det.iamt``) and a message that names the table, the row or document and
the field in a practitioner's words. Documents that passed every check come back as ``DocInput``
(B2B, B2C large, export and unregistered-note documents) and summary rows as ``SummaryInput`` (B2C
small, advances, nil-rated, HSN, documents issued, e-commerce tables; ``gstr1_tables``). Checks that
need the database (numbers already saved or filed, originals of amendments) belong to the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import orjson

from core.errors import DomainError
from core.money import ZERO, amount_limit, money, parse_amount
from core.periods import fy_start_year, parse_doc_date, period_code, period_last_day
from invoices.domain.gstr1_tables import ALL_SECTIONS, TablesMixin, describe
from taxpayers.domain import GST_START, POS_CODES, gstin_error, normalize_gstin

SECTIONS = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma")
# IFF carries only these (the B2B sections); every other section is WRONG_FORM there.
IFF_SECTIONS = frozenset(SECTIONS)
AMENDMENT_SECTIONS = frozenset({"b2ba", "cdnra", "ecoma", "b2cla", "expa", "cdnura"})
NOTE_SECTIONS = frozenset({"cdnr", "cdnra", "cdnur", "cdnura"})
# Documents to unregistered persons and exporters: no recipient GSTIN, never in anyone's IMS.
UNREGISTERED_SECTIONS = frozenset({"b2cl", "b2cla", "exp", "expa", "cdnur", "cdnura"})
ECO_SECTIONS = frozenset({"ecom", "ecoma"})
ECO_SUBSECTION = {"ecom": "b2b", "ecoma": "b2ba"}
METADATA_KEYS = frozenset({"gt", "cur_gt", "version", "hash"})

INVOICE_TYPES = ("R", "SEWP", "SEWOP", "DE", "CBW")
NOT_INTRA_TYPES = frozenset({"SEWP", "SEWOP", "CBW"})
NOTE_TYPES = {"C": "CN", "D": "DN"}
SUPPLY_TYPES = ("INTRA", "INTER")

# the dict maps any equal Decimal (18, 18.0, 18.00) to one canonical value.
RATES: dict[Decimal, Decimal] = {
    Decimal(r): Decimal(r)
    for r in ("0", "0.1", "0.25", "1", "1.5", "3", "5", "6", "7.5", "12", "18", "28", "40")
}
RATE_40 = Decimal("40")
RATE_40_FROM = date(2025, 9, 22)
DIFF_PERCENT = Decimal("0.65")
TAX_TOLERANCE = Decimal("1.00")
TAX_HEADS = ("iamt", "camt", "samt", "csamt")
HEAD_NAMES = {"iamt": "IGST", "camt": "CGST", "samt": "SGST", "csamt": "Cess"}

_NUMBER_RE = re.compile(r"[A-Za-z0-9/-]{1,16}")
_NUMBER_SIGNIFICANT_RE = re.compile(r"[A-Za-z1-9]")


class _Bad:
    """Marker for a value that failed validation (its error is already recorded)."""

    __slots__ = ()

    def __repr__(self) -> str:  # pragma: no cover
        return "BAD"


BAD = _Bad()
_REQUIRED = object()


@dataclass
class DocInput:
    path: str
    section: str
    doc_type: str
    ctin: str
    stin: str | None
    sply_ty: str | None
    number: str
    doc_date: date
    orig_number: str | None
    orig_date: date | None
    val: Decimal
    pos: str
    rchrg: bool
    inv_typ: str
    diff_percent: Decimal | None
    items: list[dict]
    txval: Decimal | None = None
    iamt: Decimal | None = None
    camt: Decimal | None = None
    samt: Decimal | None = None
    csamt: Decimal | None = None
    # Exports and notes to unregistered persons: export type, shipping bill, note's table type.
    exp_typ: str | None = None
    sbpcode: str | None = None
    sbnum: str | None = None
    sbdt: date | None = None
    ur_typ: str | None = None
    etin: str | None = None

    def __post_init__(self) -> None:
        # Sums over the items, unless given.
        for head in ("txval", *TAX_HEADS):
            if getattr(self, head) is None:
                setattr(self, head, sum((it[head] for it in self.items), ZERO))

    @property
    def is_amendment(self) -> bool:
        return self.section in AMENDMENT_SECTIONS

    @property
    def is_eco(self) -> bool:
        return self.section in ECO_SECTIONS

    @property
    def series(self) -> str:
        """R-3.2: one number series for invoices (ECO included), one shared by CNs and DNs."""
        return "NOTE" if self.doc_type in ("CN", "DN") else "INV"

    @property
    def fy(self) -> int:
        return fy_start_year(self.doc_date)

    def number_owner(self, supplier_gstin: str) -> str:
        """Whose number series this is: the actual supplier for ECO documents."""
        return self.stin if self.stin else normalize_gstin(supplier_gstin)

    @property
    def number_key(self) -> str:
        return self.number.upper()

    @property
    def total_tax(self) -> Decimal:
        return self.iamt + self.camt + self.samt + self.csamt

    @property
    def content_hash(self) -> str:
        """sha256 (first 32 hex chars) of every content field; equal content gives an equal hash."""
        content = {
            "section": self.section,
            "doc_type": self.doc_type,
            "ctin": self.ctin,
            "stin": self.stin,
            "sply_ty": self.sply_ty,
            "number": self.number,
            "doc_date": self.doc_date.isoformat(),
            "orig_number": self.orig_number,
            "orig_date": self.orig_date.isoformat() if self.orig_date else None,
            "val": _paise_text(self.val),
            "pos": self.pos,
            "rchrg": self.rchrg,
            "inv_typ": self.inv_typ,
            "diff_percent": _dec_str(self.diff_percent) if self.diff_percent is not None else None,
            "items": [
                {
                    "num": it["num"],
                    "rt": _dec_str(it["rt"]),
                    **{h: _paise_text(it[h]) for h in ("txval", *TAX_HEADS)},
                }
                for it in self.items
            ],
        }
        # Fields of the later tables join the hash only when set, so a B2B document's hash stays as it was.
        extra = {
            "exp_typ": self.exp_typ,
            "sbpcode": self.sbpcode,
            "sbnum": self.sbnum,
            "sbdt": self.sbdt.isoformat() if self.sbdt else None,
            "ur_typ": self.ur_typ,
            "etin": self.etin,
        }
        content.update({k: v for k, v in extra.items() if v is not None})
        # orjson writes exactly what json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        # writes, five times faster (a hash per document of a large upload; saved hashes stay valid).
        canonical = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(canonical).hexdigest()[:32]


def _paise_text(value) -> str:
    """``str(money(value))``, without the rounding for a Decimal already in paise (every amount the validator
    keeps is): five per item of each document a large upload hashes (issue 12)."""
    if type(value) is Decimal:
        text = str(value)
        if text[-3:-2] == "." and "E" not in text:
            return text
    return str(money(value))


def _dec_str(d: Decimal) -> str:
    return format(d.normalize(), "f")


def parse_gstr1(
    payload, *, supplier_gstin: str, period: int, sections=None, eco_operator: bool = True, **streaming
) -> tuple[list, list[dict]]:
    """Validate the whole batch. Returns (documents and summary rows, errors); errors are
    {"path": ..., "code": ..., "message": ...} in request order, one per problem (report ALL
    problems, not just the first). Only documents and rows without any error are returned.

    ``sections``: the sections the target return takes (IFF: the B2B ones, R-3.13), None for all;
    ``eco_operator``: whether the supplier may report ECO documents (R-3.14); ``streaming``: ``sink`` and
    ``chunk``, as in ``parse_gstr1_sections``."""
    v = _Validator(
        normalize_gstin(supplier_gstin), period, sections=sections, eco_operator=eco_operator, **streaming
    )
    v.run(payload)
    v.finish()
    return v.docs, v.errors


def parse_gstr1_sections(
    sections, *, supplier_gstin: str, period: int, allowed=None, eco_operator: bool = True, **streaming
) -> tuple[list, list[dict]]:
    """``parse_gstr1`` over the top-level ``(key, value)`` pairs as a streamed file yields them: the same
    rules and paths, and each section's raw value can be dropped once it is validated. A section's value
    may be an iterator of its entries (a file read entry by entry).

    ``streaming``: with ``sink``, valid documents and rows are not kept: every ``chunk`` of them is handed to
    ``sink(items, clean)`` as soon as they are validated (``clean``: no error so far), and the last
    ones when the batch ends; only the keys the cross-document checks need stay (issue 12: memory flat in
    the size of the file)."""
    v = _Validator(
        normalize_gstin(supplier_gstin), period, sections=allowed, eco_operator=eco_operator, **streaming
    )
    for key, value in sections:
        v.run({key: value})
        del value  # not kept alive while the next section is read
    v.finish()
    return v.docs, v.errors


class FirstUses:
    """R-3.2 within a batch, in memory: each number key with the path of its first use. Called with a chunk
    of ``(key, path)`` in request order, it answers the repeats as ``(index in the chunk, path of the first
    use)`` (``invoices.services.uploads.BatchNumbers`` answers the same from a temporary table)."""

    def __init__(self):
        self.first: dict[str, str] = {}

    def __call__(self, pairs: list[tuple[str, str]]) -> list[tuple[int, str]]:
        repeats = []
        for index, (key, path) in enumerate(pairs):
            first = self.first.get(key)
            if first is None:
                self.first[key] = path
            else:
                repeats.append((index, first))
        return repeats


@dataclass
class _Group:
    ctin: str | _Bad
    stin: str | _Bad | None
    ok: bool


class _Validator(TablesMixin):
    BAD = BAD

    def __init__(
        self,
        supplier: str,
        period: int,
        *,
        sections=None,
        eco_operator: bool = True,
        sink=None,
        chunk: int = 5_000,
        numbers=None,
    ):
        self.supplier = supplier
        self.sink = sink
        self.chunk = chunk
        self.period = period
        self.last_day = period_last_day(period)
        self.allowed = sections
        self.eco_operator = eco_operator
        self.errors: list[dict] = []
        self.docs: list = []
        self.saw_section = False
        # path of a document with an error -> its number, so messages can name the document
        self.numbers: dict[str, str] = {}
        # within the batch, by "owner fy series NUMBER": the keys go to ``find_repeats`` a chunk at a
        # time and it names the repeats. ``FirstUses`` keeps them in memory; a streamed upload passes one that
        # keeps them in the database (issue 12: nothing per document stays in memory).
        self.find_repeats = FirstUses() if numbers is None else numbers
        self.pending_numbers: list[tuple[str, str, str, int]] = []  # key, path, number, where its error goes
        # (section, row key) -> path of the first summary row with that key
        self.seen_rows: dict[tuple, str] = {}

    def err(self, path: str, code: str, message: str) -> None:
        self.errors.append({"path": path, "code": code, "message": message})

    def keep(self, item, number=None) -> None:
        """A valid document or summary row, unless what its items add up to is out of bounds (each amount
        is bounded; so are the sums: GSTN's limits, and what the database columns hold). With a sink,
        handed on in chunks."""
        for head in ("txval", *TAX_HEADS):
            total = getattr(item, head, None)
            limit = amount_limit(head)
            if total is not None and total > limit:
                self.err(f"{item.path}.itms", "INVALID", f"The items' {head} adds up to more than {limit:,}.")
                self.named(item.path, number)
                return
        self.docs.append(item)
        if self.sink is not None and len(self.docs) >= self.chunk:
            self.settle_numbers()
            self.sink(self.docs, not self.errors)
            self.docs = []

    def named(self, path: str, number) -> None:
        """Remember a document's number for the messages of its errors."""
        if isinstance(number, str):
            self.numbers[path] = number

    @staticmethod
    def nobody() -> _Group:
        """The party of a document to an unregistered person or an exporter (no recipient GSTIN)."""
        return _Group(ctin="", stin=None, ok=True)

    @staticmethod
    def make_doc(**fields) -> DocInput:
        return DocInput(stin=None, sply_ty=None, rchrg=False, **fields)

    def finish(self) -> None:
        """R-3.11: a body with no section at all is REQUIRED at the root; every message is prefixed with
        where it is, in words (the table, the row or document, the field)."""
        self.settle_numbers()
        if not self.saw_section and not self.errors:
            self.err("", "REQUIRED", "The GSTR-1 JSON has no section: there is nothing to save.")
        if self.sink is not None and self.docs:
            self.sink(self.docs, not self.errors)
            self.docs = []
        for e in self.errors:
            where = describe(e["path"], self.numbers)
            if where:
                e["message"] = f"{where}: {e['message']}"

    # --- structure ---------------------------------------------------------------------------

    def run(self, payload) -> None:
        if not isinstance(payload, dict):
            self.err("", "INVALID", "The GSTR-1 JSON must be an object.")
            return
        for key, value in payload.items():
            if key == "gstin":
                if value is not None and normalize_gstin(value) != self.supplier:
                    self.err("gstin", "GSTIN_MISMATCH", f"gstin must be {self.supplier}, as in the path.")
            elif key == "fp":
                code = period_code(self.period)
                if value is not None and (not isinstance(value, str) or value.strip() != code):
                    self.err("fp", "FP_MISMATCH", f"fp must be {code}, the period in the path.")
            elif key in METADATA_KEYS:
                continue
            elif key not in ALL_SECTIONS:
                self.err(str(key), "UNSUPPORTED_SECTION", f"'{key}' is not a GSTR-1 section.")
            elif self.allowed is not None and key not in self.allowed:
                self.saw_section = True
                self.err(
                    key,
                    "WRONG_FORM",
                    "IFF carries only B2B invoices, credit/debit notes, ECO documents and their amendments; "
                    "report this table in the quarterly GSTR-1.",
                )
            elif key in ECO_SUBSECTION and not self.eco_operator:
                self.saw_section = True
                self.err(
                    key,
                    "NOT_ECO_OPERATOR",
                    "Only a taxpayer registered as an e-commerce operator reports ECO documents (table 15).",
                )
            else:
                self.saw_section = True
                if key in ECO_SUBSECTION:
                    self.eco_section(key, value)
                elif key in SECTIONS:
                    self.section(key, key, value)
                else:
                    self.table(key, value)

    def eco_section(self, section: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            sub = ECO_SUBSECTION[section]
            self.err(section, "INVALID", f"{section} must be an object with one key, {sub}.")
            return
        for key, sub in value.items():
            path = f"{section}.{key}"
            if key == ECO_SUBSECTION[section]:
                self.section(section, path, sub)
            else:
                self.err(path, "UNSUPPORTED_SECTION", f"Section '{path}' is not supported.")

    def section(self, section: str, path: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, list | Iterator):  # an iterator: a file read entry by entry
            self.err(path, "INVALID", f"{path} must be a list.")
            return
        docs_key = "nt" if section in NOTE_SECTIONS else "inv"
        eco = section in ECO_SECTIONS
        for i, grp in enumerate(value):
            gp = f"{path}[{i}]"
            if not isinstance(grp, dict):
                self.err(gp, "INVALID", "Each entry must be an object.")
                continue
            start = len(self.errors)
            if eco:
                stin = self.gstin_field(grp, gp, "stin")
                ctin = self.gstin_field(grp, gp, "rtin")
                if ctin is not BAD and ctin == stin:
                    self.err(f"{gp}.rtin", "CTIN_IS_SUPPLIER", "rtin must differ from stin, the supplier.")
            else:
                stin = None
                ctin = self.gstin_field(grp, gp, "ctin")
                if ctin is not BAD and ctin == self.supplier:
                    self.err(f"{gp}.ctin", "CTIN_IS_SUPPLIER", "The recipient cannot be the supplier.")
            group = _Group(ctin=ctin, stin=stin, ok=len(self.errors) == start)
            docs = grp.get(docs_key)
            if docs is None:
                self.err(f"{gp}.{docs_key}", "REQUIRED", f"{docs_key} is required.")
            elif not isinstance(docs, list):
                self.err(f"{gp}.{docs_key}", "INVALID", f"{docs_key} must be a list.")
            else:
                for j, raw in enumerate(docs):
                    self.document(section, f"{gp}.{docs_key}[{j}]", raw, group)
                    self.between_documents()

    # --- one document ------------------------------------------------------------------------

    def document(self, section: str, path: str, raw, group: _Group) -> None:
        if not isinstance(raw, dict):
            self.err(path, "INVALID", "Each document must be an object.")
            return
        start = len(self.errors)
        is_note = section in NOTE_SECTIONS
        is_eco = section in ECO_SECTIONS
        is_amend = section in AMENDMENT_SECTIONS

        doc_type = "INV"
        if is_note:
            doc_type = self.choice(raw, path, "ntty", NOTE_TYPES)
        number_key, date_key = ("nt_num", "nt_dt") if is_note else ("inum", "idt")
        number = self.number(raw, path, number_key)
        doc_date = self.date(raw, path, date_key, in_period=True)
        self.check_duplicate(f"{path}.{number_key}", number, doc_date, is_note, group, is_eco)

        orig_number = orig_date = None
        if is_amend:
            onum_key, odt_key = ("ont_num", "ont_dt") if is_note else ("oinum", "oidt")
            orig_number = self.number(raw, path, onum_key)
            orig_date = self.date(raw, path, odt_key, in_period=False)

        val = self.amount(raw, path, "val", required=True)
        pos = self.pos(raw, path)
        sply_ty = None
        if is_eco:
            sply_ty = self.choice(raw, path, "sply_ty", {t: t for t in SUPPLY_TYPES})
            rchrg = False
        else:
            rchrg = self.choice(raw, path, "rchrg", {"Y": True, "N": False}, default=False)
        inv_typ = self.choice(raw, path, "inv_typ", {t: t for t in INVOICE_TYPES}, default="R")
        diff = self.diff_percent(raw, path)

        # intra-state or not, from the (actual) supplier's state and the place of supply.
        supplier = group.stin if is_eco else self.supplier
        intra: bool | None = None
        if isinstance(supplier, str) and pos is not BAD and inv_typ is not BAD:
            intra = supplier[:2] == pos and inv_typ not in NOT_INTRA_TYPES
            if is_eco and sply_ty is not BAD and sply_ty != ("INTRA" if intra else "INTER"):
                want = "INTRA" if intra else "INTER"
                self.err(f"{path}.sply_ty", "TAX_HEAD_WRONG", f"sply_ty must be {want} for this supply.")

        items = self._items(path, raw, doc_date, intra, diff, inv_typ=inv_typ, renumber=False)

        if len(self.errors) != start or not group.ok:
            self.named(path, number)
            return
        self.keep(
            DocInput(
                path=path,
                section=section,
                doc_type=doc_type,
                ctin=group.ctin,
                stin=group.stin,
                sply_ty=sply_ty,
                number=number,
                doc_date=doc_date,
                orig_number=orig_number,
                orig_date=orig_date,
                val=val,
                pos=pos,
                rchrg=rchrg,
                inv_typ=inv_typ,
                diff_percent=diff,
                items=items,
            ),
            number,
        )

    def check_duplicate(self, path, number, doc_date, is_note, group: _Group, is_eco: bool) -> None:
        """R-3.2 within the batch: one number per owner, FY and series; the later one is refused."""
        owner = group.stin if is_eco else self.supplier
        if number is BAD or doc_date is BAD or not isinstance(owner, str):
            return
        key = f"{owner} {fy_start_year(doc_date)} {'NOTE' if is_note else 'INV'} {number.upper()}"
        # Answered with its chunk (``settle_numbers``), the error put where it would have been now.
        self.pending_numbers.append((key, path, number, len(self.errors)))

    def between_documents(self) -> None:
        """After a document: keys waiting for ``numbers`` are handed on once there is a chunk of them (the
        documents kept hand theirs on with their chunk; these come from documents with errors)."""
        if len(self.pending_numbers) >= self.chunk:
            self.settle_numbers()

    def settle_numbers(self) -> None:
        """Hand the waiting keys to ``find_repeats``, which gives the repeats as (index, path of the first
        use); put each repeat's error where ``check_duplicate`` was called — between the document's checks,
        in request order — and drop the repeating documents not yet handed on. Called between documents
        only, so no document's own count of errors moves."""
        pending, self.pending_numbers = self.pending_numbers, []
        if not pending:
            return
        repeated = set()
        for index, first in reversed(self.find_repeats([(key, path) for key, path, _, _ in pending])):
            _, path, number, at = pending[index]  # from the last, so earlier positions stay right
            message = f"Number {number} is already used in this FY at {first}."
            self.errors.insert(at, {"path": path, "code": "NUMBER_DUPLICATE", "message": message})
            doc_path = path.rsplit(".", 1)[0]
            self.named(doc_path, number)
            repeated.add(doc_path)
        if repeated:
            self.docs = [d for d in self.docs if d.path not in repeated]

    def item(
        self,
        ip: str,
        raw,
        doc_date,
        inv_typ,
        intra: bool | None,
        diff,
        *,
        flat: bool = False,
        no_tax: str | None = None,
        base_key: str = "txval",
    ) -> dict | None:
        """One rate-wise item: ``{"num", "itm_det": {...}}``, or (``flat``, as exports and advances carry
        them) the amounts on the item itself. ``no_tax``: the code when the supply carries no tax (SEZ or
        export without payment); ``base_key``: the amount the tax is on (``ad_amt`` for advances)."""
        start = len(self.errors)
        if not isinstance(raw, dict):
            self.err(ip, "INVALID", "Each item must be an object.")
            return None
        num = raw.get("num")
        if flat:
            det, dp = raw, ip
            if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 1):
                self.err(f"{ip}.num", "INVALID", "num must be a whole number from 1.")
        else:
            if num is None:
                self.err(f"{ip}.num", "REQUIRED", "num is required.")
            elif isinstance(num, bool) or not isinstance(num, int) or num < 1:
                self.err(f"{ip}.num", "INVALID", "num must be a whole number from 1.")
            det = raw.get("itm_det")
            if det is None:
                self.err(f"{ip}.itm_det", "REQUIRED", "itm_det is required.")
                return None
            if not isinstance(det, dict):
                self.err(f"{ip}.itm_det", "INVALID", "itm_det must be an object.")
                return None
            dp = f"{ip}.itm_det"
        rt = self.rate(det, dp, doc_date)
        txval = self.amount(det, dp, base_key, required=True)
        heads = {h: self.amount(det, dp, h, required=False) for h in TAX_HEADS}
        if inv_typ == "SEWOP":
            no_tax = no_tax or "TAX_ON_SEWOP"

        if no_tax:
            for h in TAX_HEADS:
                if heads[h] is not BAD and heads[h] != 0:
                    self.err(
                        f"{dp}.{h}", no_tax, "An export or SEZ supply without payment of tax carries no tax."
                    )
        elif intra is not None and rt is not BAD and txval is not BAD and diff is not BAD:
            expected = txval * rt / 100
            if diff is not None:
                expected *= diff
            if intra:
                self.head_zero(dp, "iamt", heads["iamt"], "IGST must be 0 on an intra-state supply.")
                half = expected / 2
                camt_ok = self.head_near(dp, "camt", heads["camt"], half)
                samt_ok = self.head_near(dp, "samt", heads["samt"], half)
                if camt_ok and samt_ok and heads["camt"] != heads["samt"]:
                    self.err(f"{dp}.samt", "CGST_SGST_UNEQUAL", "CGST and SGST must be equal to the paisa.")
            else:
                self.head_near(dp, "iamt", heads["iamt"], expected)
                self.head_zero(dp, "camt", heads["camt"], "CGST must be 0 on an inter-state supply.")
                self.head_zero(dp, "samt", heads["samt"], "SGST must be 0 on an inter-state supply.")

        if len(self.errors) != start:
            return None
        return {"num": num if num is not None else 0, "rt": rt, "txval": txval, **heads}

    def head_zero(self, dp: str, head: str, value, message: str) -> None:
        if value is not BAD and value != 0:
            self.err(f"{dp}.{head}", "TAX_HEAD_WRONG", message)

    def head_near(self, dp: str, head: str, value, expected: Decimal) -> bool:
        """True when the head parsed and is within ±1.00 of the expected tax."""
        if value is BAD:
            return False
        if abs(value - expected) > TAX_TOLERANCE:
            self.err(
                f"{dp}.{head}",
                "TAX_MISMATCH",
                f"{HEAD_NAMES[head]} {value} is not within ₹1.00 of the expected {money(expected)}.",
            )
            return False
        return True

    # --- fields ------------------------------------------------------------------------------

    def missing(self, value) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    def gstin_field(self, raw: dict, path: str, key: str):
        p = f"{path}.{key}"
        value = raw.get(key)
        if self.missing(value):
            self.err(p, "REQUIRED", f"{key} is required.")
            return BAD
        problem = gstin_error(value)
        if problem is not None:
            self.err(p, "CTIN_INVALID", f"{key} is not a valid GSTIN: {problem[1]}")
            return BAD
        return normalize_gstin(value)

    def number(self, raw: dict, path: str, key: str):
        p = f"{path}.{key}"
        value = raw.get(key)
        if self.missing(value):
            self.err(p, "REQUIRED", f"{key} is required.")
            return BAD
        if not isinstance(value, str):
            self.err(p, "INVALID", f"{key} must be a string.")
            return BAD
        s = value.strip()
        if not _NUMBER_RE.fullmatch(s) or not _NUMBER_SIGNIFICANT_RE.search(s):
            self.err(
                p,
                "NUMBER_FORMAT",
                "A document number has 1-16 letters, digits, '/' or '-', "
                "with at least one letter or non-zero digit.",
            )
            return BAD
        return s

    def date(self, raw: dict, path: str, key: str, *, in_period: bool):
        p = f"{path}.{key}"
        value = raw.get(key)
        if self.missing(value):
            self.err(p, "REQUIRED", f"{key} is required.")
            return BAD
        try:
            d = parse_doc_date(value)
        except DomainError as exc:
            self.err(p, exc.code, exc.message)
            return BAD
        if d < GST_START:
            self.err(p, "DATE_BEFORE_GST", "The date cannot be before 01-07-2017, the start of GST.")
        elif in_period and d > self.last_day:
            self.err(p, "DATE_AFTER_PERIOD", f"The date cannot be after {self.last_day:%d-%m-%Y}.")
        return d

    def amount(self, raw: dict, path: str, key: str, *, required: bool):
        value = raw.get(key)
        if value is None:
            if required:
                self.err(f"{path}.{key}", "REQUIRED", f"{key} is required.")
                return BAD
            return ZERO
        limit = amount_limit(key)
        amount = parse_amount(value, limit)
        if amount is None:
            self.err(
                f"{path}.{key}",
                "INVALID",
                f"An amount is a number from 0 to {limit:,} with at most 2 decimals.",
            )
            return BAD
        return amount

    def rate(self, det: dict, dp: str, doc_date):
        p = f"{dp}.rt"
        value = det.get("rt")
        if value is None:
            self.err(p, "REQUIRED", "rt is required.")
            return BAD
        d = _to_decimal(value)
        if d is None:
            self.err(p, "INVALID", "rt must be a number.")
            return BAD
        rate = RATES.get(d) if d.is_finite() else None
        if rate is None:
            self.err(p, "RATE_INVALID", f"{value} is not a GST rate.")
            return BAD
        if rate == RATE_40 and doc_date is not BAD and doc_date < RATE_40_FROM:
            self.err(p, "RATE_NOT_YET_VALID", "The 40% rate applies to documents dated 22-09-2025 or later.")
        return rate

    def pos(self, raw: dict, path: str):
        p = f"{path}.pos"
        value = raw.get("pos")
        if self.missing(value):
            self.err(p, "REQUIRED", "pos is required.")
            return BAD
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100:
            code = f"{value:02d}"
        elif isinstance(value, str):
            code = value.strip()
            if len(code) == 1 and code.isdigit():
                code = "0" + code
        else:
            code = None
        if code not in POS_CODES:
            self.err(p, "INVALID", f"{value!r} is not a place-of-supply code (01-38, 96, 97).")
            return BAD
        return code

    def choice(self, raw: dict, path: str, key: str, allowed: dict, default=_REQUIRED):
        p = f"{path}.{key}"
        value = raw.get(key)
        if self.missing(value):
            if default is _REQUIRED:
                self.err(p, "REQUIRED", f"{key} is required.")
                return BAD
            return default
        if isinstance(value, str) and value.strip().upper() in allowed:
            return allowed[value.strip().upper()]
        self.err(p, "INVALID", f"{key} must be one of {', '.join(allowed)}.")
        return BAD

    def diff_percent(self, raw: dict, path: str):
        value = raw.get("diff_percent")
        if value is None:
            return None
        d = _to_decimal(value)
        if d is None or not d.is_finite() or d != DIFF_PERCENT:
            self.err(f"{path}.diff_percent", "INVALID", "diff_percent is either absent or 0.65.")
            return BAD
        return DIFF_PERCENT


def _to_decimal(value) -> Decimal | None:
    """A JSON number (int, float or Decimal, not bool) as Decimal, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:  # pragma: no cover
        return None
