"""Pure rules of GSTR-2B and GSTR-3B sequencing (RULES.md R-5.2, R-5.3, R-5.5, R-5.6, R-6.3, R-6.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from core.periods import is_quarter_last_month, period_add, period_first_day

# docdata sections of GSTR-2B by IMS section
SECTION_2B = {
    "b2b": "b2b",
    "b2ba": "b2ba",
    "b2bdn": "cdnr",
    "b2bcn": "cdnr",
    "b2bdna": "cdnra",
    "b2bcna": "cdnra",
    "ecom": "ecom",
    "ecoma": "ecoma",
    "impg": "impg",
    "impga": "impg",
    "impgsez": "impgsez",
    "impgseza": "impgsez",
}
GROUP_KEYS = {
    ("itcavl", "nonrevsup"): ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma"),
    ("itcavl", "revsup"): ("b2b", "b2ba", "cdnr", "cdnra"),
    ("itcavl", "othersup"): ("cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev"),
    ("itcavl", "imports"): ("impg", "impgsez"),  # GSTR-3B 4A(1)
    ("itcunavl", "nonrevsup"): ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma"),
    ("itcunavl", "revsup"): ("b2b", "b2ba", "cdnr", "cdnra"),
    ("itcunavl", "othersup"): ("cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev"),
    ("itcRejected", "nonrevsup"): ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma"),
    ("itcRejected", "othersup"): ("cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev"),
}
DOC_SECTIONS = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma", "impg", "impgsez")


def draft_date(period: int) -> date:
    """R-5.2: a 2B for month M (or the quarter ending in M) first exists on the 14th of M+1."""
    return period_first_day(period_add(period, 1)).replace(day=14)


def is_quarter_month(period: int, quarterly: Callable[[int], bool]) -> bool:
    """R-5.6 / R-6.5: months 1 and 2 of a quarterly taxpayer's quarter have no 2B or 3B of their own."""
    return quarterly(period) and not is_quarter_last_month(period)


def not_generated_reason(
    *, period: int, start_period: int, quarterly: Callable[[int], bool], previous_3b_filed: bool
) -> str:
    """R-5.3: why no 2B exists (for GET), first that applies."""
    if period < start_period:
        return "BEFORE_START_PERIOD"
    if is_quarter_month(period, quarterly):
        return "QUARTERLY_TAXPAYER"
    if not previous_3b_filed:
        return "PREVIOUS_3B_NOT_FILED"
    return "NOT_YET_GENERATED"


def _generation_refusal(
    *,
    period: int,
    start_period: int,
    quarterly: Callable[[int], bool],
    done: str | None,
    today: date,
    previous_3b_filed: bool,
) -> str | None:
    """R-5.5's order, shared by the scheduled/admin jobs and recompute; ``done`` is the one reason that
    differs between them (ALREADY_GENERATED or RETURN_FILED), checked third."""
    if period < start_period:
        return "BEFORE_START_PERIOD"
    if is_quarter_month(period, quarterly):
        return "QUARTERLY_TAXPAYER"
    if done:
        return done
    if today < draft_date(period):
        return "DRAFT_NOT_DUE"
    if not previous_3b_filed:
        return "PREVIOUS_3B_NOT_FILED"
    return None


def schedule_skip_reason(
    *,
    period: int,
    start_period: int,
    quarterly: Callable[[int], bool],
    has_version: bool,
    today: date,
    previous_3b_filed: bool,
) -> str | None:
    """R-5.5: the scheduled and admin jobs generate only where no version exists."""
    return _generation_refusal(
        period=period,
        start_period=start_period,
        quarterly=quarterly,
        done="ALREADY_GENERATED" if has_version else None,
        today=today,
        previous_3b_filed=previous_3b_filed,
    )


def recompute_refusal(
    *,
    period: int,
    start_period: int,
    quarterly: Callable[[int], bool],
    filed_3b: bool,
    today: date,
    previous_3b_filed: bool,
) -> str | None:
    """R-5.5: a recompute always adds a version, until GSTR-3B of the period is filed."""
    return _generation_refusal(
        period=period,
        start_period=start_period,
        quarterly=quarterly,
        done="RETURN_FILED" if filed_3b else None,
        today=today,
        previous_3b_filed=previous_3b_filed,
    )


def gstr3b_blockers(
    *,
    period: int,
    start_period: int,
    quarterly: Callable[[int], bool],
    filed: bool,
    today: date,
    previous_3b_filed: bool,
    has_2b: bool,
    stale_2b: bool,
    gstr1a_unfiled: bool,
    proposals_open: bool = False,
) -> list[str]:
    """R-6.3: every reason filing GSTR-3B is refused, in order (the first is the error); and issue 17's
    maker-checker proposals still open on the period's records."""
    from core.periods import period_ended

    out = []
    if filed:
        out.append("ALREADY_FILED")
    if period < start_period:
        out.append("BEFORE_START_PERIOD")
    if is_quarter_month(period, quarterly):
        out.append("QUARTERLY_TAXPAYER")
    if not period_ended(period, today):
        out.append("PERIOD_NOT_ENDED")
    if not previous_3b_filed:
        out.append("PREVIOUS_3B_NOT_FILED")
    if not has_2b:
        out.append("2B_NOT_GENERATED")
    elif stale_2b:
        out.append("2B_STALE")
    if gstr1a_unfiled:
        out.append("GSTR1A_UNFILED")
    if proposals_open and not filed:
        out.append("PROPOSALS_OPEN")
    return out
