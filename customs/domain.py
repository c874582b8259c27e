"""Pure rules of the customs feed (R-10.1): the shape and values of one reported bill of entry.

No Django here. A problem is ``{"path", "code", "message"}`` with the path of API.md (``boe[3].refdt``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import DomainError
from core.money import TAX_MAX, VALUE_MAX, parse_amount
from core.periods import parse_doc_date
from taxpayers.domain import gstin_error, normalize_gstin

MAX_BOE = 10_000  # per request of POST /customs/boe (API.md); files go through the upload job
KEYS = (
    "gstin",
    "portcode",
    "boenum",
    "boedt",
    "refdt",
    "recdt",
    "txval",
    "igst",
    "cess",
    "sez_ctin",
    "isamd",
    "old_gstin",
)
# Indian customs locations: IN, then five letters or digits (INNSA1 Nhava Sheva, INDEL4 Delhi air cargo).
PORT_CODE = re.compile(r"IN[A-Z0-9]{4}")
BOE_NUMBER = re.compile(r"[0-9]{1,7}")
GST_START = date(2017, 7, 1)


@dataclass(frozen=True, slots=True)
class BoeReport:
    """One validated report: the BoE, its importer, and for a GSTIN amendment the importer it leaves."""

    gstin: str
    portcode: str
    boenum: str
    boedt: date
    refdt: date
    recdt: date
    sez_ctin: str
    txval: Decimal
    igst: Decimal
    cess: Decimal
    isamd: bool
    old_gstin: str

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.portcode, self.boenum, self.boedt)


def _problem(path: str, code: str, message: str) -> dict:
    return {"path": path, "code": code, "message": message}


def _text(item: dict, key: str) -> str:
    raw = item.get(key)
    return raw.strip().upper() if isinstance(raw, str) else ""


def boe_report(item, at: str, today: date) -> tuple[BoeReport | None, list[dict]]:
    """Check one reported BoE (``at`` is its path, ``boe[3]``): the report, or every problem found."""
    if not isinstance(item, dict):
        return None, [_problem(at, "INVALID", "Each bill of entry is a JSON object.")]
    errors: list[dict] = []
    for key in item:
        if key not in KEYS:
            errors.append(
                _problem(f"{at}.{key}", "UNKNOWN", f"Unknown field; the fields are {', '.join(KEYS)}.")
            )

    def gstin(key: str, required: bool) -> str:
        raw = item.get(key)
        if raw is None or raw == "":
            if required:
                errors.append(_problem(f"{at}.{key}", "REQUIRED", "The importer's GSTIN is required."))
            return ""
        if not isinstance(raw, str) or (problem := gstin_error(raw)):
            code, msg = problem if isinstance(raw, str) else ("INVALID", "A GSTIN is text.")
            errors.append(_problem(f"{at}.{key}", code, msg))
            return ""
        return normalize_gstin(raw)

    def when(key: str, required: bool) -> date | None:
        raw = item.get(key)
        if raw is None or raw == "":
            if required:
                errors.append(_problem(f"{at}.{key}", "REQUIRED", "This date is required (DD-MM-YYYY)."))
            return None
        try:
            d = parse_doc_date(raw)
        except DomainError:
            errors.append(_problem(f"{at}.{key}", "INVALID_DATE", "A date is written DD-MM-YYYY."))
            return None
        if d < GST_START:
            errors.append(
                _problem(f"{at}.{key}", "INVALID_DATE", "The date is before GST began (01-07-2017).")
            )
            return None
        if d > today:
            errors.append(_problem(f"{at}.{key}", "FUTURE_DATE", "The date is in the future."))
            return None
        return d

    def amount(key: str, maximum: Decimal) -> Decimal | None:
        raw = item.get(key)
        if raw is None:
            errors.append(_problem(f"{at}.{key}", "REQUIRED", "This amount is required (0 when none)."))
            return None
        value = parse_amount(raw, maximum)
        if value is None:
            errors.append(
                _problem(
                    f"{at}.{key}",
                    "INVALID_AMOUNT",
                    f"An amount is a number from 0 to {maximum:,} with at most 2 decimals.",
                )
            )
        return value

    importer = gstin("gstin", True)
    sez = gstin("sez_ctin", False)
    old = gstin("old_gstin", False)
    portcode, boenum = _text(item, "portcode"), _text(item, "boenum")
    if not PORT_CODE.fullmatch(portcode):
        errors.append(
            _problem(f"{at}.portcode", "INVALID_PORT", "A port code is IN and 4 letters or digits (INNSA1).")
        )
    if not BOE_NUMBER.fullmatch(boenum):
        errors.append(_problem(f"{at}.boenum", "INVALID_NUMBER", "A bill of entry number is 1 to 7 digits."))
    boedt, refdt, recdt = when("boedt", True), when("refdt", True), when("recdt", False)
    if boedt and refdt and refdt < boedt:
        errors.append(
            _problem(f"{at}.refdt", "INVALID_DATE", "The reference date cannot precede the BoE date.")
        )
    if refdt and recdt and recdt < refdt:
        errors.append(
            _problem(f"{at}.recdt", "INVALID_DATE", "The date received cannot precede the reference date.")
        )
    txval, igst, cess = amount("txval", VALUE_MAX), amount("igst", TAX_MAX), amount("cess", TAX_MAX)
    if txval is not None and igst is not None and igst > txval:
        errors.append(_problem(f"{at}.igst", "INVALID_AMOUNT", "IGST cannot exceed the taxable value."))
    isamd = item.get("isamd", "N")
    if isamd not in ("Y", "N"):
        errors.append(_problem(f"{at}.isamd", "INVALID", "isamd is Y (an amendment) or N."))
    if sez and sez == importer:
        errors.append(
            _problem(f"{at}.sez_ctin", "INVALID", "The SEZ supplier cannot be the importer itself.")
        )
    if old and isamd != "Y":
        errors.append(
            _problem(f"{at}.old_gstin", "INVALID", "old_gstin goes only with an amendment (isamd Y).")
        )
    if old and old == importer:
        errors.append(_problem(f"{at}.old_gstin", "INVALID", "old_gstin is the importer the BoE moves from."))
    if errors:
        return None, errors
    return (
        BoeReport(
            gstin=importer,
            portcode=portcode,
            boenum=boenum,
            boedt=boedt,
            refdt=refdt,
            recdt=recdt or today,
            sez_ctin=sez,
            txval=txval,
            igst=igst,
            cess=cess,
            isamd=isamd == "Y",
            old_gstin=old,
        ),
        [],
    )
