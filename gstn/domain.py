"""GSTN's vocabulary (GSTN-FORMATS.md) and how it maps onto ours. Pure: no Django.

Request section codes (``section=CN``) differ from the JSON keys (``b2bcn``): the keys are our IMS section
names, which are GSTN's."""

from __future__ import annotations

from decimal import Decimal

# GETINV / SAVE: request code -> IMS section (= GSTN's JSON key), §3.1 and §3.3.
SECTION_CODES = {
    "B2B": "b2b",
    "B2BA": "b2ba",
    "CN": "b2bcn",
    "CNA": "b2bcna",
    "DN": "b2bdn",
    "DNA": "b2bdna",
    "ECOM": "ecom",
    "ECOMA": "ecoma",
    "IMPG": "impg",
    "IMPGA": "impga",
    "IMPGSEZ": "impgsez",
    "IMPGSEZA": "impgseza",
}
# GETCNT goods types (§3.2): reply key and sections. The portal has no ISD documents: INV_SUPP_ISD counts
# are zero, as GSTN answers a taxpayer without any.
GOODS = {
    "ALL_OTH": ("all_oth", ("b2b", "b2ba", "b2bdn", "b2bdna", "b2bcn", "b2bcna", "ecom", "ecoma")),
    "INV_SUPP_ISD": ("inv_supp_isd", ("isd", "isda")),
    "IMP_GDS": ("imp_gds", ("impg", "impga", "impgsez", "impgseza")),
}
NOTE_SECTIONS = ("b2bdn", "b2bdna", "b2bcn", "b2bcna")
AMENDED_NOTE_SECTIONS = ("b2bdna", "b2bcna")
AMENDED_INVOICE_SECTIONS = ("b2ba", "ecoma")
ECO_SECTIONS = ("ecom", "ecoma")
BOE_SECTIONS = ("impg", "impga", "impgsez", "impgseza")
# The values a SAVE record must still have (GSTN refuses a record whose values changed: IMSSAV0010).
VALUE_KEYS = ("txval", "iamt", "camt", "samt", "cess")

# GSTR-2B (§2.5): document type codes differ from GSTR-1 / IMS (SEWP -> SEZWP).
TYP_2B = {"R": "R", "SEWP": "SEZWP", "SEWOP": "SEZWOP", "DE": "DE", "CBW": "CBW"}
# GSTR-1 per-section GETs (§1): action -> section key.
GSTR1_ACTIONS = {
    "B2B": "b2b",
    "B2BA": "b2ba",
    "B2CL": "b2cl",
    "B2CLA": "b2cla",
    "B2CS": "b2cs",
    "B2CSA": "b2csa",
    "CDNR": "cdnr",
    "CDNRA": "cdnra",
    "CDNUR": "cdnur",
    "CDNURA": "cdnura",
    "EXP": "exp",
    "EXPA": "expa",
    "AT": "at",
    "ATA": "ata",
    "TXP": "txpd",
    "TXPA": "txpda",
    "NIL": "nil",
    "HSNSUM": "hsn",
    "DOCISS": "doc_issue",
    "SUPECO": "supeco",
    "SUPECOA": "supecoa",
    "ECOM": "ecom",
    "ECOMA": "ecoma",
}
# Job outcome -> GSTN's request status (§3.5, §2.1).
RUNNING, PROCESSED, WITH_ERRORS, ERROR = "IP", "P", "PE", "ER"


def diff_fraction(percent: Decimal | None) -> Decimal | None:
    """GSTN's ``diffprcnt`` is a fraction (0.65); GSTR-1's ``diff_percent`` a percentage (65)."""
    if percent is None:
        return None
    return (percent / 100).quantize(Decimal("0.01"))


def request_status(job_status: str, errors: int) -> str:
    if job_status in ("queued", "running"):
        return RUNNING
    if job_status == "failed":
        return ERROR
    return WITH_ERRORS if errors else PROCESSED
