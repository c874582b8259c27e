"""Pure rules about taxpayers and deadlines (RULES.md sections 1 and 2). No Django here.

Period arithmetic (``yyyymm`` ints, ``MMYYYY`` codes, IST business dates) is in ``core.periods``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.periods import (
    is_quarter_first_month,
    period_add,
    period_first_day,
    quarter_first_month,
    quarter_last_month,
)

IMS_LAUNCH_PERIOD = 202410
PENDING_RULE_SWITCH = 202510  # GSTN advisory 624: pending on ITC-reducing records from Oct 2025
GST_START = date(2017, 7, 1)

# state codes in a GSTIN; 96 (other country) only as a place of supply.
GSTIN_STATE_CODES = frozenset([f"{n:02d}" for n in range(1, 39)] + ["97"])
POS_CODES = GSTIN_STATE_CODES | {"96"}

# quarterly GSTR-3B due on the 22nd for these states, the 24th for the rest.
STATES_DUE_22 = frozenset(
    ["22", "23", "24", "25", "26", "27", "29", "30", "31", "32", "33", "34", "35", "36", "37"]
)

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# the 14th character: Z for a normal taxpayer, else the kind of registration (GSTN's pattern
# `Z`, `1-9`, `A`, `B`, `D-J`, plus `C` that e-commerce operators collecting tax carry).
GSTIN_KIND_CHARS = frozenset("Z123456789ABCDEFGHIJ")


# --- GSTIN (R-1.1) ---------------------------------------------------------------------------


def gstin_check_char(first14: str) -> str:
    total = 0
    for i, ch in enumerate(first14):
        product = _ALNUM.index(ch) * (1 if i % 2 == 0 else 2)
        total += product // 36 + product % 36
    return _ALNUM[(36 - total % 36) % 36]


def normalize_gstin(raw) -> str:
    return raw.strip().upper() if isinstance(raw, str) else ""


def gstin_error(raw) -> tuple[str, str] | None:
    """The first problem of a GSTIN as ``(code, message)``, or None when it is valid."""
    g = normalize_gstin(raw)
    if len(g) != 15:
        return "GSTIN_LENGTH", "A GSTIN has 15 characters."
    # Each part is checked by position, so a stray character is reported in the part it spoils.
    if g[:2] not in GSTIN_STATE_CODES:
        return "GSTIN_STATE", f"'{g[:2]}' is not a state code (01-38 or 97)."
    if not re.fullmatch(r"[A-Z]{5}[0-9]{4}[A-Z]", g[2:12]):
        return "GSTIN_PAN", "Characters 3-12 must be a PAN: 5 letters, 4 digits, 1 letter."
    if not re.fullmatch(r"[1-9A-Z]", g[12]):
        return "GSTIN_ENTITY", "Character 13 (entity number) must be 1-9 or A-Z."
    if g[13] not in GSTIN_KIND_CHARS:
        return (
            "GSTIN_Z",
            "Character 14 must be Z for a normal taxpayer, or 1-9, A-J for other kinds of registration "
            "(C for an e-commerce operator collecting tax).",
        )
    if g[14] not in _ALNUM or gstin_check_char(g[:14]) != g[14]:
        return "GSTIN_CHECK", "The check character does not match."
    return None


def is_valid_gstin(raw) -> bool:
    return gstin_error(raw) is None


def gstin_state(gstin: str) -> str:
    return gstin[:2]


# --- Filing frequency (R-1.3, R-1.4) ---------------------------------------------------------


@dataclass(frozen=True)
class FrequencyChange:
    from_period: int
    frequency: str  # "M" | "Q"


def frequency_for(changes: list[FrequencyChange], p: int) -> str:
    """The frequency in force for the quarter containing ``p`` (latest change at or before it)."""
    q_first = quarter_first_month(p)
    current = "M"
    for ch in sorted(changes, key=lambda c: c.from_period):
        if ch.from_period <= q_first:
            current = ch.frequency
    return current


def frequency_change_error(from_period: int, today: date) -> tuple[str, str] | None:
    """R-1.3: a change names a quarter's first month and a quarter that has not begun."""
    if not is_quarter_first_month(from_period):
        return "INVALID", "A frequency change starts in the first month of a quarter."
    if period_first_day(from_period) <= today:
        return "QUARTER_STARTED", "That quarter has already begun; choose a later quarter."
    return None


def start_period_error(p: int, frequency: str) -> tuple[str, str] | None:
    if p < IMS_LAUNCH_PERIOD:
        return "INVALID", "The start period cannot be before 102024, the launch of IMS."
    if frequency == "Q" and not is_quarter_first_month(p):
        return "INVALID", "A quarterly taxpayer starts in the first month of a quarter."
    return None


# --- Deadlines (R-2.1, R-2.2) -----------------------------------------------------------------


def _day_of_next_month(p: int, day: int) -> date:
    return period_first_day(period_add(p, 1)).replace(day=day)


def gstr1_due_date(p: int, quarterly: bool) -> date:
    """Monthly GSTR-1: 11th of the next month; quarterly: 13th after the quarter."""
    return _day_of_next_month(quarter_last_month(p), 13) if quarterly else _day_of_next_month(p, 11)


def iff_last_date(p: int) -> date:
    """IFF for month 1 or 2 of a quarter can be filed until the end of the 13th of the next month."""
    return _day_of_next_month(p, 13)


def gstr3b_due_date(p: int, quarterly: bool, state_code: str) -> date:
    if not quarterly:
        return _day_of_next_month(p, 20)
    day = 22 if state_code in STATES_DUE_22 else 24
    return _day_of_next_month(quarter_last_month(p), day)


def previous_return(period: int, *, quarterly: Callable[[int], bool], start_period: int) -> int | None:
    """The GSTR-3B/2B period before ``period`` (a month, or a quarter's last month); None at the start."""
    first = quarter_first_month(period) if quarterly(period) else period
    if first <= start_period:
        return None
    prev = period_add(first, -1)
    return period_add(quarter_first_month(prev), 2) if quarterly(prev) else prev
