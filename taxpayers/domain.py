"""Pure rules about taxpayers, periods and deadlines (RULES.md sections 1 and 2). No Django here.

A period is kept as an int ``yyyymm`` (202510 = October 2025) so that it sorts and compares; the
``MMYYYY`` code of GSTN is for input and output only.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")

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
_PERIOD_RE = re.compile(r"^(0[1-9]|1[0-2])(\d{4})$")


class DomainError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


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
    if g[13] != "Z":
        return "GSTIN_Z", "Character 14 must be the letter Z."
    if g[14] not in _ALNUM or gstin_check_char(g[:14]) != g[14]:
        return "GSTIN_CHECK", "The check character does not match."
    return None


def is_valid_gstin(raw) -> bool:
    return gstin_error(raw) is None


def gstin_state(gstin: str) -> str:
    return gstin[:2]


# --- Periods ---------------------------------------------------------------------------------


def parse_period(code) -> int:
    """``MMYYYY`` -> yyyymm; DomainError("INVALID") otherwise."""
    if not isinstance(code, str) or not (m := _PERIOD_RE.match(code.strip())):
        raise DomainError("INVALID", "A period is written MMYYYY, e.g. 102025.")
    return int(m.group(2)) * 100 + int(m.group(1))


def period_code(p: int) -> str:
    return f"{p % 100:02d}{p // 100:04d}"


def period_of(d: date) -> int:
    return d.year * 100 + d.month


def period_add(p: int, months: int) -> int:
    idx = (p // 100) * 12 + (p % 100 - 1) + months
    return (idx // 12) * 100 + idx % 12 + 1


def period_first_day(p: int) -> date:
    return date(p // 100, p % 100, 1)


def period_last_day(p: int) -> date:
    y, m = divmod(p, 100)
    return date(y, m, calendar.monthrange(y, m)[1])


def quarter_last_month(p: int) -> int:
    """The period naming the quarter that contains ``p`` (Apr-Jun -> 06, ...)."""
    m = p % 100
    return (p // 100) * 100 + ((m - 1) // 3 + 1) * 3


def quarter_first_month(p: int) -> int:
    return period_add(quarter_last_month(p), -2)


def is_quarter_first_month(p: int) -> bool:
    return p % 100 in (1, 4, 7, 10)


def is_quarter_last_month(p: int) -> bool:
    return p % 100 in (3, 6, 9, 12)


def fy_start_year(d: date) -> int:
    """The FY of a date by its first year: 15-01-2026 -> 2025 (FY 2025-26)."""
    return d.year if d.month >= 4 else d.year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse_doc_date(raw) -> date:
    """``DD-MM-YYYY`` -> date; DomainError("INVALID") otherwise."""
    if isinstance(raw, str) and re.fullmatch(r"\d{2}-\d{2}-\d{4}", raw.strip()):
        try:
            return datetime.strptime(raw.strip(), "%d-%m-%Y").date()
        except ValueError:
            pass
    raise DomainError("INVALID", "A date is written DD-MM-YYYY.")


def format_date(d: date | None) -> str | None:
    return d.strftime("%d-%m-%Y") if d else None


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


def period_ended(p: int, today: date) -> bool:
    return today > period_last_day(p)


def period_started(p: int, today: date) -> bool:
    return today >= period_first_day(p)


def business_date(moment: datetime) -> date:
    return moment.astimezone(IST).date()


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=IST)


def day_after(d: date) -> date:
    return d + timedelta(days=1)
