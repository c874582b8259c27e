"""Periods and business dates: the arithmetic every app shares. Pure Python, no Django.

A period is kept as an int ``yyyymm`` (202510 = October 2025) so that it sorts and compares; the
``MMYYYY`` code of GSTN is for input and output only. Business time is Asia/Kolkata (RULES.md §0).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import DomainError

IST = ZoneInfo("Asia/Kolkata")
_PERIOD_RE = re.compile(r"^(0[1-9]|1[0-2])(\d{4})$")


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


_DOC_DATE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")


def parse_doc_date(raw) -> date:
    """``DD-MM-YYYY`` -> date; DomainError("INVALID") otherwise."""
    found = _DOC_DATE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if found:
        try:  # not strptime: a date per document of a large upload (issue 12)
            return date(int(found[3]), int(found[2]), int(found[1]))
        except ValueError:
            pass
    raise DomainError("INVALID", "A date is written DD-MM-YYYY.")


def format_date(d: date | None) -> str | None:
    # An f-string, not strftime: three dates per record on every list page (issue 12).
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}" if d else None


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


MONTH_NUMBERS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def typed_period(raw: str) -> str:
    """A period as a person types it — "112025", "Nov 2025", "nov-2025", "11-2025", "11/2025" — as MMYYYY;
    anything else unchanged, for the filter to refuse in words (issue 15: pages write "Nov 2025")."""
    text = raw.strip().replace("/", " ").replace("-", " ")
    parts = text.split()
    if len(parts) == 2 and parts[1].isdigit() and len(parts[1]) == 4:
        month = MONTH_NUMBERS.get(parts[0][:3].lower()) if parts[0].isalpha() else None
        if parts[0].isdigit() and 1 <= int(parts[0]) <= 12:
            month = int(parts[0])
        if month:
            return f"{month:02d}{parts[1]}"
    return raw
