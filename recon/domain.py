"""Pure rules of purchase-register reconciliation (issue 16): reading a register's columns and values, and
what each row of a register's reconciliation proposes. No Django here; money is ``Decimal``, dates ``date``.

A register line is one document of the recipient's books: the supplier's GSTIN and name, the document's
type, number and date, place of supply, reverse charge, taxable value and the four tax heads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.money import PAISA, TAX_MAX, VALUE_MAX, ZERO
from taxpayers.domain import GST_START, POS_CODES, gstin_error

# The fields of a line, in the order of our template, with the words pages use for them.
FIELDS = {
    "stin": "Supplier GSTIN",
    "trdnm": "Supplier name",
    "doc_type": "Document type",
    "number": "Document number",
    "doc_date": "Document date",
    "pos": "Place of supply",
    "rchrg": "Reverse charge",
    "txval": "Taxable value",
    "iamt": "IGST",
    "camt": "CGST",
    "samt": "SGST",
    "cess": "Cess",
}
REQUIRED = ("stin", "number", "doc_date", "txval")
AMOUNTS = ("txval", "iamt", "camt", "samt", "cess")
TAXES = ("iamt", "camt", "samt", "cess")
MAX_NUMBER = 16


def header_key(text) -> str:
    """A column heading as compared with the known ones: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(text or "").lower())


# Column headings as our template and common accounting exports write them (Tally Prime's GSTR-2 and
# purchase register, Zoho Books, ERPNext's purchase register, GSTN's own GSTR-2B workbook). Compared by
# ``header_key``; the first heading of a file that matches a field wins.
ALIASES = {
    "stin": [
        "Supplier GSTIN",
        "GSTIN of supplier",
        "GSTIN/UIN of supplier",
        "GSTIN/UIN",
        "GSTIN",
        "Party GSTIN",
        "Party GSTIN/UIN",
        "Vendor GSTIN",
        "Supplier GSTIN/UIN",
        "Supplier GSTIN No",
        "GST No",
        "ctin",
        "stin",
    ],
    "trdnm": [
        "Supplier name",
        "Trade/Legal name",
        "Trade name",
        "Legal name",
        "Party name",
        "Particulars",
        "Vendor name",
        "Supplier",
        "Party",
        "Name of supplier",
        "trdnm",
    ],
    "doc_type": [
        "Document type",
        "Doc type",
        "Invoice type",
        "Note type",
        "Voucher type",
        "Type",
        "Transaction type",
        "typ",
    ],
    "number": [
        "Document number",
        "Invoice number",
        "Invoice no",
        "Supplier invoice no",
        "Supplier invoice number",
        "Bill no",
        "Bill number",
        "Voucher ref no",
        "Reference no",
        "Note number",
        "Doc no",
        "Document no",
        "inum",
        "num",
    ],
    "doc_date": [
        "Document date",
        "Invoice date",
        "Supplier invoice date",
        "Bill date",
        "Voucher ref date",
        "Reference date",
        "Note date",
        "Doc date",
        "Date",
        "idt",
        "dt",
    ],
    "pos": ["Place of supply", "POS", "Place of supply (state)", "pos"],
    "rchrg": [
        "Reverse charge",
        "Supply attract reverse charge",
        "Is reverse charge",
        "Reverse charge applicable",
        "RCM",
        "rchrg",
    ],
    "txval": [
        "Taxable value",
        "Taxable amount",
        "Taxable value (₹)",
        "Taxable value (Rs)",
        "Assessable value",
        "Net total",
        "Taxable",
        "txval",
    ],
    "iamt": [
        "IGST",
        "IGST amount",
        "Integrated tax",
        "Integrated tax amount",
        "Integrated tax (₹)",
        "IGST (Rs)",
        "iamt",
    ],
    "camt": [
        "CGST",
        "CGST amount",
        "Central tax",
        "Central tax amount",
        "Central tax (₹)",
        "CGST (Rs)",
        "camt",
    ],
    "samt": [
        "SGST",
        "SGST amount",
        "SGST/UTGST",
        "SGST/UTGST amount",
        "State tax",
        "State tax amount",
        "State/UT tax",
        "State/UT tax (₹)",
        "UTGST",
        "SGST (Rs)",
        "samt",
    ],
    "cess": ["Cess", "Cess amount", "Cess (₹)", "Cess (Rs)", "csamt"],
}
_ALIAS_KEYS = {f: [header_key(a) for a in names] for f, names in ALIASES.items()}

# Layouts the page names (issue 16: "the column layouts that accounting software commonly exports").
LAYOUTS = [
    ("IMS Portal template", [FIELDS[f] for f in FIELDS]),
    (
        "Tally Prime purchase register",
        [
            "Particulars",
            "GSTIN/UIN",
            "Voucher Type",
            "Supplier Invoice No",
            "Supplier Invoice Date",
            "Place of Supply",
            "Taxable Value",
            "Integrated Tax Amount",
            "Central Tax Amount",
            "State Tax Amount",
            "Cess Amount",
        ],
    ),
    (
        "Zoho Books purchase register",
        [
            "Vendor Name",
            "Vendor GSTIN",
            "Bill Number",
            "Bill Date",
            "Place of Supply",
            "Reverse Charge",
            "Taxable Amount",
            "IGST",
            "CGST",
            "SGST",
            "CESS",
        ],
    ),
    (
        "ERPNext purchase register",
        [
            "Supplier",
            "Supplier GSTIN",
            "Bill No",
            "Bill Date",
            "Place of Supply",
            "Is Reverse Charge",
            "Net Total",
            "IGST Amount",
            "CGST Amount",
            "SGST Amount",
            "Cess Amount",
        ],
    ),
    (
        "GSTR-2B workbook (B2B)",
        [
            "GSTIN of supplier",
            "Trade/Legal name",
            "Invoice number",
            "Invoice type",
            "Invoice Date",
            "Place of supply",
            "Supply Attract Reverse Charge",
            "Taxable Value (₹)",
            "Integrated Tax (₹)",
            "Central Tax (₹)",
            "State/UT Tax (₹)",
            "Cess (₹)",
        ],
    ),
]


def auto_mapping(headers: list) -> dict[str, int]:
    """Each field's column (0-based) in ``headers``, for the fields whose heading is known."""
    keys = [header_key(h) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for field, aliases in _ALIAS_KEYS.items():
        for alias in aliases:
            col = next((i for i, k in enumerate(keys) if k == alias and i not in taken), None)
            if col is not None:
                mapping[field] = col
                taken.add(col)
                break
    return mapping


def missing_fields(mapping: dict[str, int]) -> list[str]:
    return [f for f in REQUIRED if f not in mapping]


def header_score(values: list) -> int:
    """How many known headings a row holds (to find the heading row below a report's title rows)."""
    return len(auto_mapping(values))


@dataclass(frozen=True, slots=True)
class LineFacts:
    stin: str
    trdnm: str
    doc_type: str
    number: str
    doc_date: date
    pos: str
    rchrg: bool
    txval: Decimal
    iamt: Decimal
    camt: Decimal
    samt: Decimal
    cess: Decimal


_TYPE_WORDS = {
    "INV": {
        "inv",
        "invoice",
        "taxinvoice",
        "b2b",
        "regular",
        "r",
        "purchase",
        "purchaseinvoice",
        "bill",
        "i",
    },
    "CN": {"cn", "c", "creditnote", "credit", "cdnrc", "crn"},
    "DN": {"dn", "d", "debitnote", "debit", "cdnrd", "drn"},
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def parse_type(raw) -> str | None:
    key = header_key(raw)
    if not key:
        return "INV"
    for code, words in _TYPE_WORDS.items():
        if key in words:
            return code
    if "credit" in key:
        return "CN"
    if "debit" in key:
        return "DN"
    if "invoice" in key or "purchase" in key:
        return "INV"
    return None


def parse_date(raw) -> date | None:
    """DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD, DD-Mon-YYYY or DD-Mon-YY text, or a spreadsheet
    date."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    parts = (int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else None
    if not m and (m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][0-9:]+)?", text)):
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if not parts and (m := re.fullmatch(r"(\d{1,2})[- ]([A-Za-z]{3})[A-Za-z]*[- ,]+(\d{2}|\d{4})", text)):
        month = _MONTHS.get(m.group(2).lower())
        year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
        parts = (year, month, int(m.group(1))) if month else None
    if not parts:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def parse_money(raw, maximum: Decimal) -> Decimal | None | str:
    """A register amount: blank is 0; commas, spaces and ₹ are ignored; a float from a spreadsheet is
    rounded to paise. None when it is not a number; "negative" when below 0."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ZERO
    if isinstance(raw, bool):
        return None
    try:
        if isinstance(raw, float):
            value = Decimal(repr(round(raw, 2)))
        elif isinstance(raw, (int, Decimal)):
            value = Decimal(raw)
        else:
            text = str(raw).strip().replace(",", "").replace("₹", "").replace(" ", "")
            text = text.removeprefix("Rs.").removeprefix("Rs")
            negative = text.startswith("(") and text.endswith(")")
            value = Decimal(text.strip("()"))
            if negative:
                value = -value
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    if value < 0:
        return "negative"
    if value > maximum or value != value.quantize(PAISA):
        return None
    return value.quantize(PAISA)


# Place of supply written as a state's name (Tally and others export names): its GST state code.
STATE_CODES = {
    "jammuandkashmir": "01",
    "himachalpradesh": "02",
    "punjab": "03",
    "chandigarh": "04",
    "uttarakhand": "05",
    "haryana": "06",
    "delhi": "07",
    "rajasthan": "08",
    "uttarpradesh": "09",
    "bihar": "10",
    "sikkim": "11",
    "arunachalpradesh": "12",
    "nagaland": "13",
    "manipur": "14",
    "mizoram": "15",
    "tripura": "16",
    "meghalaya": "17",
    "assam": "18",
    "westbengal": "19",
    "jharkhand": "20",
    "odisha": "21",
    "orissa": "21",
    "chhattisgarh": "22",
    "madhyapradesh": "23",
    "gujarat": "24",
    "damananddiu": "25",
    "dadraandnagarhavelianddamananddiu": "26",
    "dadraandnagarhaveli": "26",
    "maharashtra": "27",
    "karnataka": "29",
    "goa": "30",
    "lakshadweep": "31",
    "kerala": "32",
    "tamilnadu": "33",
    "puducherry": "34",
    "pondicherry": "34",
    "andamanandnicobarislands": "35",
    "telangana": "36",
    "andhrapradesh": "37",
    "ladakh": "38",
    "othercountries": "96",
    "otherterritory": "97",
}


def parse_pos(raw) -> str | None:
    """A place of supply: "29", "29-Karnataka", "Karnataka" or blank (""); None when it names no state."""
    text = str(raw or "").strip()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        text = f"{int(raw):02d}"
    if not text:
        return ""
    if m := re.match(r"^(\d{1,2})(\D|$)", text):
        code = f"{int(m.group(1)):02d}"
        return code if code in POS_CODES else None
    return STATE_CODES.get(header_key(text.replace("&", "and")))


def parse_bool(raw) -> bool | None:
    key = header_key(raw)
    if key in ("", "n", "no", "false", "0"):
        return False
    if key in ("y", "yes", "true", "1"):
        return True
    return None


def parse_line(get) -> tuple[LineFacts | None, list[tuple[str, str]], bool]:
    """One row, ``get(field)`` giving its raw value (None when the column is not mapped): the line, or the
    errors as ``(field, message)``; the last value says the row was left out (no supplier GSTIN: an
    unregistered supplier is never in IMS)."""
    errors: list[tuple[str, str]] = []
    stin = str(get("stin") or "").strip().upper()
    if not stin:
        return None, [], True
    if bad := gstin_error(stin):
        errors.append(("stin", bad[1]))
    doc_type = parse_type(get("doc_type"))
    if doc_type is None:
        errors.append(("doc_type", "Use Invoice, Credit note or Debit note."))
    number = str(get("number") or "").strip()
    if isinstance(get("number"), float) and get("number").is_integer():
        number = str(int(get("number")))  # a spreadsheet turned "1001" into 1001.0
    if not number:
        errors.append(("number", "The document number is missing."))
    elif len(number) > MAX_NUMBER:
        errors.append(("number", f"A document number has at most {MAX_NUMBER} characters."))
    doc_date = parse_date(get("doc_date"))
    if doc_date is None:
        errors.append(("doc_date", "Write the date as DD-MM-YYYY."))
    elif doc_date < GST_START:
        errors.append(("doc_date", "The date is before GST began (01-07-2017)."))
    pos = parse_pos(get("pos"))
    if pos is None:
        errors.append(("pos", "Use the two-digit state code or the state's name, e.g. 27 or Maharashtra."))
    rchrg = parse_bool(get("rchrg"))
    if rchrg is None:
        errors.append(("rchrg", "Write Y or N."))
    amounts: dict[str, Decimal] = {}
    for field in AMOUNTS:
        value = parse_money(get(field), VALUE_MAX if field == "txval" else TAX_MAX)
        if value == "negative":
            errors.append(
                (
                    field,
                    "Amounts are not negative: a credit note has positive amounts and the type Credit note.",
                )
            )
        elif value is None:
            errors.append((field, "Write a number in rupees with at most 2 decimals."))
        else:
            amounts[field] = value
    if errors:
        return None, errors, False
    trdnm = re.sub(r"[\x00-\x1f\x7f]", " ", str(get("trdnm") or "")).strip()[:200]
    return (
        LineFacts(
            stin=stin,
            trdnm=trdnm,
            doc_type=doc_type,
            number=number,
            doc_date=doc_date,
            pos=pos,
            rchrg=bool(rchrg),
            **amounts,
        ),
        [],
        False,
    )


# --- proposals -------------------------------------------------------------------------------------------

DIFF_FIELDS = {
    "type": "document type",
    "date": "date",
    "txval": "taxable value",
    "iamt": "IGST",
    "camt": "CGST",
    "samt": "SGST",
    "cess": "cess",
    "gstin": "GSTIN",
    "number": "number",
}


def differing_words(fields: str) -> list[str]:
    return [DIFF_FIELDS.get(f, f) for f in fields.split(",") if f]
