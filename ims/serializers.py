"""Output shapes of API.md: IMS records and their history in GSTN's field names."""

from core.periods import format_date, period_code
from ims import domain
from ims.models import ImsAudit, ImsRecord
from ims.services.records import regime_period

NOTE_SECTIONS = ("b2bdn", "b2bdna", "b2bcn", "b2bcna")


def _iso(dt):
    return dt.isoformat() if dt else None


def amounts(rec: ImsRecord) -> dict:
    """A record's value and tax heads under IMS's names (``cess``, not GSTR-1's ``csamt``)."""
    return {
        "val": rec.val,
        "txval": rec.txval,
        "iamt": rec.iamt,
        "camt": rec.camt,
        "samt": rec.samt,
        "cess": rec.cess,
    }


def blocked_flags(rec: ImsRecord, today) -> tuple[bool, bool]:
    """GSTN's ``ispendactblocked`` and ``isItcRedReqBlocked`` of a record (R-4.4, R-4.6)."""
    regime = regime_period(rec)
    pend = rec.itc_reducing and (
        domain.pending_refusal(
            itc_reducing=True, itc_period=regime, deadline=rec.pending_deadline, today=today
        )
        is not None
    )
    return pend, domain.declaration_blocked(itc_reducing=rec.itc_reducing, itc_period=regime)


# The columns ``record_out`` reads: the list API fetches only these (issue 12).
RECORD_FIELDS = (
    "id", "section", "stin", "trdnm", "sply_stin", "rtnprd", "srcform", "filed_at", "number", "doc_date",
    "orig_number", "orig_date", "doc_type", "portcode", "refdt", "recdt", "inv_typ", "pos", "rchrg", "val",
    "txval", "iamt", "camt", "samt", "cess", "action", "pending_deadline", "remarks", "itc_red_req",
    "decl_igst", "decl_cgst", "decl_sgst", "decl_cess", "itc_period", "first_itc_period", "itc_reducing",
    "left_ims", "deemed_accepted", "kept_out", "rsn", "superseded", "waiting_on_original", "hash",
    "updated_at",
)  # fmt: skip


def record_out(rec: ImsRecord, today) -> dict:
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
    elif rec.section in domain.BOE_SECTIONS:
        out.update(boe_fields(rec))
    else:
        out.update(
            {
                "inum": rec.number,
                "idt": format_date(rec.doc_date),
                "oinum": rec.orig_number or None,
                "oidt": format_date(rec.orig_date),
            }
        )
    pend_blocked, decl_blocked = blocked_flags(rec, today)
    out.update(
        {
            "inv_typ": rec.inv_typ,
            "pos": rec.pos,
            "rchrg": "Y" if rec.rchrg else "N",
            **amounts(rec),
            "action": rec.action,
            "ispendactblocked": "Y" if pend_blocked else "N",
            "pending_deadline": format_date(rec.pending_deadline),
            "remarks": rec.remarks,
            "itcRedReq": rec.itc_red_req,
            "isItcRedReqBlocked": "Y" if decl_blocked else "N",
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


def boe_fields(rec: ImsRecord) -> dict:
    """A bill of entry's own fields in GSTN's names (GSTN-FORMATS §2.5, R-10.1)."""
    return {
        "portcode": rec.portcode,
        "boenum": rec.number,
        "boedt": format_date(rec.doc_date),
        "refdt": format_date(rec.refdt),
        "recdt": format_date(rec.recdt),
        "isamd": "Y" if rec.section in ("impga", "impgseza") else "N",
    }


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


def number_fields(section: str, number: str, doc_date=None) -> dict:
    """A document's number and date under its IMS section's keys: inum/idt or nt_num/nt_dt."""
    if section in NOTE_SECTIONS:  # IMS section names
        out = {"nt_num": number}
        if doc_date is not None:
            out["nt_dt"] = format_date(doc_date)
    elif section in domain.BOE_SECTIONS:
        out = {"boenum": number}
        if doc_date is not None:
            out["boedt"] = format_date(doc_date)
    else:
        out = {"inum": number}
        if doc_date is not None:
            out["idt"] = format_date(doc_date)
    return out


# Words shared by the IMS and GSTR-2B workbooks (issue 15), GSTN's offline tool's names for the tax heads.
TAX_HEAD_WORDS = {
    "txval": "Taxable value (₹)",
    "igst": "Integrated tax (₹)",
    "cgst": "Central tax (₹)",
    "sgst": "State/UT tax (₹)",
    "cess": "Cess (₹)",
}
DECLARATION_WORDS = {
    "itcRedReq": "ITC reduction declared",
    "declIgst": "Declared integrated tax (₹)",
    "declCgst": "Declared central tax (₹)",
    "declSgst": "Declared state/UT tax (₹)",
    "declCess": "Declared cess (₹)",
}
BOE_FIELD_WORDS = {
    "portcode": "Port code",
    "boenum": "Bill of entry number",
    "boedt": "Bill of entry date",
    "refdt": "Reference date (ICEGATE)",
    "recdt": "Received date",
    "isamd": "Amended",
}

# GSTN's field names as a practitioner reads them (the key stays in a tooltip for ERP people).
FIELD_LABELS = {
    "id": "Record id",
    "section": "IMS section",
    "stin": "Supplier GSTIN",
    "trdnm": "Trade name",
    "sply_stin": "Actual supplier (ECO)",
    "rtnprd": "Return period",
    "srcform": "Source form",
    "srcfilstatus": "Filing status",
    "inum": "Invoice number",
    "idt": "Invoice date",
    "nt_num": "Note number",
    "nt_dt": "Note date",
    "oinum": "Original invoice number",
    "oidt": "Original invoice date",
    "ont_num": "Original note number",
    "ont_dt": "Original note date",
    "typ": "Note type",
    "inv_typ": "Invoice type",
    "pos": "Place of supply",
    "rchrg": "Reverse charge",
    "val": "Document value",
    "txval": "Taxable value",
    "iamt": "IGST",
    "camt": "CGST",
    "samt": "SGST",
    "cess": "Cess",
    "action": "Action",
    "ispendactblocked": "Pending blocked",
    "pending_deadline": "Pending allowed until",
    "remarks": "Remarks",
    "itcRedReq": "ITC reduction declared",
    "isItcRedReqBlocked": "Declaration blocked",
    "declIgst": "Declared IGST",
    "declCgst": "Declared CGST",
    "declSgst": "Declared SGST",
    "declCess": "Declared cess",
    "itc_period": "GSTR-2B period",
    "left_ims": "Left IMS",
    "deemed_accepted": "Deemed accepted",
    "kept_out": "Kept out of IMS",
    "rsn": "Reason kept out",
    "superseded": "Superseded",
    "waiting_on_original": "Waiting on original",
    "itc_reducing": "Reduces ITC",
    "updated_at": "Last changed",
    **BOE_FIELD_WORDS,
}


HIDDEN_FIELDS = {"hash"}
MONEY_FIELDS = {
    "val",
    "txval",
    "iamt",
    "camt",
    "samt",
    "cess",
    "declIgst",
    "declCgst",
    "declSgst",
    "declCess",
}

# The IMS workbook's column headers (issue 15: not API names): the words above, amounts with the rupee sign
# and the tax heads as GSTN's offline tool names them (IMS's keys iamt, camt, samt for 2B's igst, cgst, sgst).
EXCEL_HEADERS = {
    **FIELD_LABELS,
    "val": "Document value (₹)",
    "txval": TAX_HEAD_WORDS["txval"],
    "iamt": TAX_HEAD_WORDS["igst"],
    "camt": TAX_HEAD_WORDS["cgst"],
    "samt": TAX_HEAD_WORDS["sgst"],
    "cess": TAX_HEAD_WORDS["cess"],
    **DECLARATION_WORDS,
}
