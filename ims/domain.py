"""Pure rules of the recipient's IMS and the 2B period of a record (RULES.md R-4.x, R-5.1, R-5.4).

No Django here. Periods are ints ``yyyymm`` (see ``taxpayers.domain``); money is ``Decimal``. A
refusal is ``(code, human message)``; ``None`` means allowed.

Vocabulary used in argument names:

* *amended document* - the document an amendment replaces (the previous document in force of the
  chain; for a first amendment, the original).
* *counted* - a document counted in GSTR-2B/3B: accepted or deemed accepted (``N`` when GSTR-3B was
  filed) and GSTR-3B for its 2B period filed (R-5.4).
* *regime period* - the record's 2B period as first assigned at filing (the provisional one before
  filing). It decides whether the pre- or post-October-2025 rules apply (R-4.4, R-4.6) and does not
  change when a pending or waiting record is carried forward to a later 2B period.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from core.money import ZERO
from core.periods import business_date, fy_start_year, period_add, period_of, quarter_last_month
from taxpayers.domain import PENDING_RULE_SWITCH, gstr3b_due_date

# Sections of suppliers' documents (GSTN's goods_typ ALL_OTH, "All other ITC") and of bills of entry from
# customs (IMP_GDS, "Import of goods", R-10.2); IMS_SECTIONS is every section a recipient's IMS shows.
SUPPLIER_SECTIONS = ("b2b", "b2ba", "b2bdn", "b2bdna", "b2bcn", "b2bcna", "ecom", "ecoma")
BOE_SECTIONS = ("impg", "impga", "impgsez", "impgseza")
IMS_SECTIONS = SUPPLIER_SECTIONS + BOE_SECTIONS
ACTIONS = ("N", "A", "R", "P")
HEADS = ("igst", "cgst", "sgst", "cess")
VALUE_KEYS = ("txval", "igst", "cgst", "sgst", "cess")
DOC_TYPES = ("INV", "DN", "CN", "ECO", "BOE")
# Issue 16: a document number as books and suppliers write it differently. A financial year standing alone
# between separators ("2025-26", "25-26", "FY2025-26", "2025/2026") is dropped, then every character that is
# not a letter or digit, then the leading zeros of every run of digits.
_PIECES = re.compile(r"[0-9A-Z]+|[^0-9A-Z]+")
_FY_FIRST = re.compile(r"(?:FY)?(?:20)?(\d{2})")
_FY_SECOND = re.compile(r"(?:20)?(\d{2})")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def number_norm(number: str) -> str:
    """The number's reconciliation key (issue 16): "inv/2025-26/0042", "INV-42" and "Inv 42" all give
    "INV42"; "CTX/2526/0101" and "CTX-2526-101" give "CTX2526101". Case, spaces, ``/``, ``-`` and other
    separators, leading zeros and financial-year prefixes or suffixes do not distinguish two numbers here."""
    if number.isascii() and number.isalnum():  # one piece (most numbers): no year to drop, only zeros
        piece = number.upper()
        return (_LEADING_ZEROS.sub("", piece) if "0" in piece else piece)[:16]
    pieces = _PIECES.findall(number.upper())
    kept, i = [], 0
    while i < len(pieces):
        first = _FY_FIRST.fullmatch(pieces[i])
        second = _FY_SECOND.fullmatch(pieces[i + 2]) if first and i + 2 < len(pieces) else None
        if second and pieces[i + 1] in ("-", "/") and (int(first.group(1)) + 1) % 100 == int(second.group(1)):
            i += 3
            continue
        if pieces[i] != "FY" and pieces[i][0].isalnum():
            kept.append(pieces[i])
        i += 1
    # A number that is nothing but a financial year keeps it.
    kept = kept or [p for p in pieces if p[0].isalnum()]
    # Zeros lead each piece's runs of digits: "CTX/2526/0101" is CTX 2526 101, as "CTX-2526-101" is.
    return "".join(_LEADING_ZEROS.sub("", p) if "0" in p else p for p in kept)[:16]


# bills of entry whose 2B period is this one or later are acted on in IMS; earlier ones go
# straight to GSTR-2B, as before IMS had an Import of goods tab.
BOE_IMS_FROM = 202510

REMARKS_MAX = 500

Refusal = tuple[str, str]


# --- sections and keep-out ---------------------------------------------------------------

_SECTION_BY_GSTR1 = {
    ("b2b", None): "b2b",
    ("b2ba", None): "b2ba",
    ("cdnr", "DN"): "b2bdn",
    ("cdnr", "CN"): "b2bcn",
    ("cdnra", "DN"): "b2bdna",
    ("cdnra", "CN"): "b2bcna",
    ("ecom", None): "ecom",
    ("ecoma", None): "ecoma",
}


def ims_section(*, gstr1_section: str, doc_type: str) -> str:
    """The IMS section of a document by its GSTR-1 section; ``doc_type`` ("DN"/"CN") matters for cdnr(a).

    ValueError for an unknown section or a cdnr(a) document that is neither DN nor CN.
    """
    key = (gstr1_section, doc_type if gstr1_section in ("cdnr", "cdnra") else None)
    try:
        return _SECTION_BY_GSTR1[key]
    except KeyError:
        raise ValueError(f"no IMS section for {gstr1_section!r} / {doc_type!r}") from None


def section_16_4_last_date(doc_date: date) -> date:
    """Section 16(4): 30 November following the end of the FY of ``doc_date``."""
    return date(fy_start_year(doc_date) + 1, 11, 30)


def keep_out_reason(
    *,
    supplier_state: str,
    pos: str,
    recipient_state: str,
    rchrg: bool,
    doc_type: str,
    doc_date: date,
    filed_on: date | None,
) -> tuple[bool, str | None]:
    """R-4.1: ``(kept_out, rsn)``; precedence P, then C, then reverse charge (kept out, ``rsn`` None).

    ``supplier_state``: the supplier GSTIN's state (for ECO documents the actual supplier ``stin``'s).
    ``filed_on``: IST business date of filing; None for a saved document. To find a saved record
    that has become late (it leaves IMS then), pass ``filed_on=today``.
    """
    if pos == supplier_state and pos != recipient_state:
        return True, "P"
    if doc_type != "CN" and filed_on is not None and filed_on > section_16_4_last_date(doc_date):
        return True, "C"
    if rchrg:
        return True, None
    return False, None


# --- which 2B period ----------------------------------------------------------------

_CUTOFF_DAY = {"GSTR1": 11, "GSTR1A": 11, "IFF": 13, "GSTR1Q": 13}


def window_period(*, filed_at: datetime, form: str) -> int:
    """R-5.1 cut-off window containing ``filed_at`` (aware; judged on the IST business date).

    ``form``: "GSTR1" (monthly supplier's GSTR-1) and "GSTR1A": 12th of M .. end of 11th of M+1 -> M;
    "IFF" and "GSTR1Q" (quarterly GSTR-1): 14th of M .. end of 13th of M+1 -> M.
    """
    if form not in _CUTOFF_DAY:
        raise ValueError(f"unknown form {form!r}")
    if filed_at.tzinfo is None or filed_at.utcoffset() is None:
        raise ValueError("filed_at must be timezone-aware")
    d = business_date(filed_at)
    p = period_of(d)
    return p if d.day > _CUTOFF_DAY[form] else period_add(p, -1)


_MAX_STEPS = 1200  # 100 years of filed 3Bs: a guard against a caller whose is_3b_filed is always True


def _as_2b_period(p: int, is_quarterly: Callable[[int], bool]) -> int:
    return quarter_last_month(p) if is_quarterly(p) else p


def assign_itc_period(
    *,
    window: int,
    start_period: int,
    is_quarterly: Callable[[int], bool],
    is_3b_filed: Callable[[int], bool],
) -> int:
    """R-5.1: the 2B period a record lands in at filing.

    ``max(window, start_period)``, as the quarter (its last month) when the recipient is quarterly in
    that month; while the recipient has filed GSTR-3B for it, the next period (again as a quarter
    where quarterly). ``is_quarterly(month)``: the recipient's frequency for that month;
    ``is_3b_filed(period)``: 3B filed, keyed by the quarter's last month for a quarterly recipient.
    """
    p = _as_2b_period(max(window, start_period), is_quarterly)
    for _ in range(_MAX_STEPS):
        if not is_3b_filed(p):
            return p
        p = _as_2b_period(period_add(p, 1), is_quarterly)
    raise RuntimeError("no 2B period with an unfiled GSTR-3B found")


def provisional_itc_period(*, rtnprd: int, recipient_quarterly: bool, start_period: int | None = None) -> int:
    """R-4.4: a saved record's 2B period before filing: the supplier return period, as the quarter (its
    last month) for a quarterly recipient. Optional ``start_period`` (the recipient's) lifts an earlier
    period to it, as R-5.1 will at filing (choice: the provisional period never precedes the start)."""
    p = rtnprd if start_period is None else max(rtnprd, start_period)
    return quarter_last_month(p) if recipient_quarterly else p


# --- ITC-reducing records ---------------------------------------------------------------


def is_itc_reducing(
    *,
    doc_type: str,
    is_amendment: bool,
    tax_increases: bool | None = None,
    amended_action: str | None = None,
    amended_counted: bool = False,
) -> bool:
    """R-4.3.

    ``doc_type``: "INV", "DN", "CN" or "ECO". ``tax_increases`` is tri-state, comparing total tax of
    the amendment with the amended document: True = increases, False = decreases, None = equal.
    ``amended_action``: the amended document's action; ``amended_counted``: it counted (see module doc).

    (a) an original CN; (b) a CN amendment that increases; (c) a CN amendment whose amended document
    is at "R"; (c') choice: any other CN amendment whose amended document did not count (e.g. it was
    superseded in the same 2B period): by R-5.4 it counts in full, so it reduces ITC in full - the
    reason (c) gives; (d) an INV/DN/ECO amendment that decreases, when the amended document counted.
    """
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    if doc_type == "BOE":
        # a bill of entry is never ITC-reducing; a lower amended value nets off in 4A(1).
        return False
    if not is_amendment:
        return doc_type == "CN"
    if doc_type == "CN":
        return tax_increases is True or amended_action == "R" or not amended_counted
    return tax_increases is False and amended_counted


# --- amendment effect and the record's reduction -----------------------------------------------


def _values(d: Mapping[str, Decimal | None] | None, keys: tuple[str, ...]) -> dict[str, Decimal]:
    d = d or {}
    return {k: (d.get(k) if d.get(k) is not None else ZERO) for k in keys}


def amendment_effect(
    *,
    amendment: Mapping[str, Decimal],
    amended: Mapping[str, Decimal],
    amended_counted: bool,
) -> dict[str, Decimal]:
    """R-5.4 counted effect of an amendment, signed, per ``txval, igst, cgst, sgst, cess``.

    ``amendment``: the amendment's own values; ``amended``: the amended document's own values;
    ``amended_counted``: whether it counted. Effect = amendment - amended (amendment in full when the
    amended document did not count). Missing keys count 0. The sign is in the document's own sense:
    for a CN amendment a positive effect is a larger credit note (reduces ITC).
    """
    new = _values(amendment, VALUE_KEYS)
    old = _values(amended, VALUE_KEYS) if amended_counted else _values(None, VALUE_KEYS)
    return {k: new[k] - old[k] for k in VALUE_KEYS}


def record_reduction(
    *,
    itc_reducing: bool,
    is_amendment: bool,
    values: Mapping[str, Decimal],
    effect: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """The record's reduction per head (igst, cgst, sgst, cess), the bound of R-4.6 declarations.

    Not ITC-reducing: zeros. Original CN: its own tax (``values``). Amendment: the magnitude of the
    counted effect per head (``effect`` from ``amendment_effect``).
    """
    if not itc_reducing:
        return _values(None, HEADS)
    if not is_amendment:
        return _values(values, HEADS)
    if effect is None:
        raise ValueError("an amendment's reduction needs its effect")
    return {h: abs(v) for h, v in _values(effect, HEADS).items()}


# --- pending ---------------------------------------------------------------------------------


def pending_deadline(
    *, itc_reducing: bool, first_itc_period: int, next_period_quarterly: bool, recipient_state: str
) -> date | None:
    """R-4.4: the last day ``P`` is allowed on an ITC-reducing record whose first (or provisional) 2B
    period is 202510 or later: the GSTR-3B due date (R-2.2) of the period after ``first_itc_period``
    (for a quarterly recipient that is a quarter's last month, so the period after is the next quarter).
    ``next_period_quarterly``: the recipient's frequency in that next period. Else None."""
    if not itc_reducing or first_itc_period < PENDING_RULE_SWITCH:
        return None
    return gstr3b_due_date(period_add(first_itc_period, 1), next_period_quarterly, recipient_state)


def pending_refusal(
    *, itc_reducing: bool, itc_period: int, deadline: date | None, today: date
) -> Refusal | None:
    """R-4.4: why ``P`` is refused on a record, or None. ``itc_period`` is the regime period (module
    doc); ``today`` the IST business date (from 00:00 IST the day after the deadline it is expired)."""
    if not itc_reducing:
        return None
    if itc_period < PENDING_RULE_SWITCH:
        return (
            "PENDING_NOT_ALLOWED",
            "An ITC-reducing record of a 2B period before 10-2025 cannot be kept pending.",
        )
    if deadline is not None and today > deadline:
        return (
            "PENDING_EXPIRED",
            f"This record could be kept pending until {deadline:%d-%m-%Y}; that time has passed.",
        )
    return None


def ispendactblocked(*, itc_reducing: bool, itc_period: int, deadline: date | None, today: date) -> str:
    """R-4.4 ``ispendactblocked``: "Y" exactly when ``pending_refusal`` refuses."""
    refused = pending_refusal(
        itc_reducing=itc_reducing, itc_period=itc_period, deadline=deadline, today=today
    )
    return "Y" if refused else "N"


# --- remarks -------------------------------------------------------------------------------


def stored_remarks(action: str, remarks: str | None) -> str | None:
    """R-4.5: the remarks an applied action leaves on the record — kept with R and P, dropped otherwise."""
    return normalize_remarks(remarks) if action in ("R", "P") else None


def normalize_remarks(remarks: str | None) -> str | None:
    """Empty string or None -> None (no remarks); anything else is kept exactly as sent (no trimming)."""
    if remarks is None or remarks == "":
        return None
    return remarks


def _bad_char(ch: str) -> bool:
    # Cc: C0/C1 controls (tab, newline, DEL, NEL included); Cs: lone surrogates; line/paragraph separators.
    # Cf (format: ZWJ, variation selectors' neighbours, RTL marks) is allowed: emoji sequences need ZWJ.
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in ("\u2028", "\u2029")


def remarks_refusal(*, action: str, remarks: str | None) -> Refusal | None:
    """R-4.5: remarks only with R or P; 1-500 Unicode code points; no control characters."""
    r = normalize_remarks(remarks)
    if r is None:
        return None
    if action not in ("R", "P"):
        return "REMARKS_NOT_ALLOWED", "Remarks can be given only when rejecting or keeping pending."
    if not isinstance(r, str):
        return "INVALID_REMARKS", "Remarks must be text."
    if len(r) > REMARKS_MAX:
        return "INVALID_REMARKS", f"Remarks can have at most {REMARKS_MAX} characters."
    if any(_bad_char(ch) for ch in r):
        return "INVALID_REMARKS", "Remarks cannot contain control characters or line breaks."
    return None


# --- ITC reduction declaration ------------------------------------------------------------


def declaration_blocked(*, itc_reducing: bool, itc_period: int) -> bool:
    """``isItcRedReqBlocked`` is "Y" when True: a declaration is possible only on an ITC-reducing record
    whose regime period is 202510 or later (and then only with action A)."""
    return not (itc_reducing and itc_period >= PENDING_RULE_SWITCH)


def _norm_red_req(itc_red_req: str | None) -> str | None:
    return None if itc_red_req is None or itc_red_req == "" else itc_red_req


def _given(decl: Mapping[str, Decimal | None] | None) -> dict[str, Decimal]:
    decl = decl or {}
    return {h: decl[h] for h in HEADS if decl.get(h) is not None}


_NOT_ALLOWED = "DECLARATION_NOT_ALLOWED"


def declaration_refusal(
    *,
    action: str,
    itc_reducing: bool,
    itc_period: int,
    itc_red_req: str | None,
    decl: Mapping[str, Decimal | None] | None,
    reduction: Mapping[str, Decimal],
) -> Refusal | None:
    """R-4.6. ``itc_red_req`` None or "" = not sent; ``decl`` per head (missing/None = not sent);
    ``reduction`` per head from ``record_reduction``. Codes, first that applies:

    DECLARATION_NOT_ALLOWED - anything sent with an action other than A, or on a blocked record; an
    ``itcRedReq`` other than "Y"/"N" (choice); any amount (zero included) with "N".
    DECLARATION_EXCEEDS_TAX - a given amount below 0 or above the record's reduction for that head.
    DECLARATION_CGST_SGST - final CGST (given, or the full reduction when omitted) differs from final
    SGST; checked only when CGST or SGST is given, so a plain A is never refused.
    """
    req = _norm_red_req(itc_red_req)
    given = _given(decl)
    if req is None and not given:
        return None
    if action != "A" or declaration_blocked(itc_reducing=itc_reducing, itc_period=itc_period):
        return (
            _NOT_ALLOWED,
            "An ITC reduction declaration can be made only when accepting an ITC-reducing record "
            "of a 2B period from 10-2025.",
        )
    if req not in (None, "Y", "N"):
        return _NOT_ALLOWED, "itcRedReq must be Y or N."
    if req == "N":
        if given:
            return _NOT_ALLOWED, "No amounts can be declared with itcRedReq N."
        return None
    full = _values(reduction, HEADS)
    for h, amount in given.items():
        if amount < 0 or amount > full[h]:
            return (
                "DECLARATION_EXCEEDS_TAX",
                f"The declared {h.upper()} must be between 0 and {full[h]}.",
            )
    if "cgst" in given or "sgst" in given:
        cgst = given.get("cgst", full["cgst"])
        sgst = given.get("sgst", full["sgst"])
        if cgst != sgst:
            return "DECLARATION_CGST_SGST", "The declared CGST must equal the declared SGST."
    return None


def normalize_declaration(
    *,
    action: str,
    itc_reducing: bool,
    itc_period: int,
    itc_red_req: str | None,
    decl: Mapping[str, Decimal | None] | None,
    reduction: Mapping[str, Decimal],
) -> tuple[str | None, dict[str, Decimal | None]]:
    """What to store for an action that ``declaration_refusal`` allowed: ``(itcRedReq, amounts)``.

    No declaration possible (action other than A, or blocked record): ``(None, all None)``.
    "Y" (also by default): each head as given, else the full reduction. "N": all heads 0.00.
    """
    if action != "A" or declaration_blocked(itc_reducing=itc_reducing, itc_period=itc_period):
        return None, {h: None for h in HEADS}
    req = _norm_red_req(itc_red_req) or "Y"
    if req == "N":
        return "N", {h: ZERO for h in HEADS}
    full = _values(reduction, HEADS)
    given = _given(decl)
    return "Y", {h: given.get(h, full[h]) for h in HEADS}


# --- .. one action on one record -----------------------------------------------------------


@dataclass(frozen=True)
class RecordState:
    """What the action rules need to know about one IMS record."""

    itc_reducing: bool
    itc_period: int  # regime period: first assigned 2B period (provisional before filing)
    pending_deadline: date | None
    waiting_on_original: bool  # amendment waiting on its original
    return_filed: bool  # GSTR-3B filed for the record's current 2B period
    active: bool  # in IMS: not kept out, not left, not superseded
    reduction: dict[str, Decimal] = field(default_factory=dict)
    boe: bool = False  # a bill of entry: no reject, no remarks, no declaration


@dataclass(frozen=True)
class ActionRequest:
    action: str
    remarks: str | None = None
    itc_red_req: str | None = None
    # keys igst/cgst/sgst/cess; a missing key or None = the head was not sent
    decl: dict[str, Decimal | None] = field(default_factory=dict)


def action_refusal(*, record: RecordState, request: ActionRequest, today: date) -> Refusal | None:
    """The first refusal of ``request`` on ``record``, in this order: INVALID_ACTION, NOT_FOUND,
    RETURN_FILED, ORIGINAL_NOT_SETTLED, PENDING_NOT_ALLOWED / PENDING_EXPIRED (action P only),
    REMARKS_NOT_ALLOWED / INVALID_REMARKS, DECLARATION_*. ``today``: IST business date."""
    action = request.action
    if action not in ACTIONS:
        return "INVALID_ACTION", "The action must be one of N, A, R, P."
    if not record.active:
        return "NOT_FOUND", "No such record in IMS."
    if record.boe:
        refused = boe_refusal(request)
        if refused:
            return refused
    if record.return_filed:
        return "RETURN_FILED", "GSTR-3B for this record's 2B period has been filed."
    if record.waiting_on_original:
        return (
            "ORIGINAL_NOT_SETTLED",
            "This amendment can be acted on once its original is settled and GSTR-3B for the "
            "original's 2B period is filed.",
        )
    if action == "P":
        refused = pending_refusal(
            itc_reducing=record.itc_reducing,
            itc_period=record.itc_period,
            deadline=record.pending_deadline,
            today=today,
        )
        if refused:
            return refused
    refused = remarks_refusal(action=action, remarks=request.remarks)
    if refused:
        return refused
    return declaration_refusal(
        action=action,
        itc_reducing=record.itc_reducing,
        itc_period=record.itc_period,
        itc_red_req=request.itc_red_req,
        decl=request.decl,
        reduction=record.reduction,
    )


def boe_refusal(request: ActionRequest) -> Refusal | None:
    """R-10.2: a bill of entry is accepted, kept pending or reset; never rejected, and takes neither
    remarks nor an ITC reduction declaration."""
    if request.action == "R":
        return "REJECT_NOT_ALLOWED", "A bill of entry cannot be rejected: accept it or keep it pending."
    if normalize_remarks(request.remarks) is not None:
        return "REMARKS_NOT_ALLOWED", "Remarks cannot be given on a bill of entry."
    if _norm_red_req(request.itc_red_req) is not None or _given(request.decl):
        return "DECLARATION_NOT_ALLOWED", "A bill of entry takes no ITC reduction declaration."
    return None


def action_after_assignment(
    *, action: str, itc_reducing: bool, itc_period: int, deadline: date | None, today: date
) -> str:
    """R-4.4 last sentence: the action a record keeps once filing assigns its 2B period (``itc_period``,
    ``deadline`` recomputed for it): "N" when it was P and P is now refused, else unchanged. (A, R, N are
    allowed in every period; an A whose declaration is no longer allowed keeps A - drop the declaration,
    see ``declaration_blocked``.)"""
    if action == "P" and pending_refusal(
        itc_reducing=itc_reducing, itc_period=itc_period, deadline=deadline, today=today
    ):
        return "N"
    return action


def amendment_order(
    *, original_itc_period: int, amendment_itc_period: int, original_action: str, original_3b_filed: bool
) -> str:
    """R-4.7, decided when the amendment is filed, against the amended document's current 2B period.

    "normal"    - the original is settled: at A, R or N (deemed) and GSTR-3B for its 2B period filed;
                  the amendment is an ordinary record counted by its R-5.4 effect.
    "supersede" - otherwise, same 2B period and original not at P: the original leaves IMS superseded
                  (action dropped) and only the amendment counts.
    "wait"      - otherwise (periods differ, or the original is pending): ORIGINAL_NOT_SETTLED, left out
                  of 2B, carried forward at N until the original settles.
    """
    if original_action not in ACTIONS:
        raise ValueError(f"unknown action {original_action!r}")
    if original_action != "P" and original_3b_filed:
        return "normal"
    if original_action != "P" and original_itc_period == amendment_itc_period:
        return "supersede"
    return "wait"
