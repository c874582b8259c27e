"""Reads about taxpayers: the filing calendar of a taxpayer (frequency by period, filed GSTR-3B periods),
and who may see what."""

from collections.abc import Callable, Iterable
from functools import cached_property

from core.periods import quarter_last_month
from taxpayers.domain import FrequencyChange, frequency_for, previous_return
from taxpayers.models import FilingFrequency, Taxpayer

# GSTR-3B belongs to the returns app, above this one; it registers this reader at start-up
# (returns.apps.ReturnsConfig.ready): ``reader(taxpayer_ids) -> {taxpayer_id: {period, …}}``. Every rule
# that asks "is this 3B filed?" (IMS actions, 2B periods, GSTR-1A closing) reads through it.
_filed_3b_reader: Callable[[list[int]], dict[int, set[int]]] | None = None


def register_filed_3b_reader(reader: Callable[[list[int]], dict[int, set[int]]]) -> None:
    global _filed_3b_reader
    _filed_3b_reader = reader


def filed_3b_periods(taxpayer_ids: Iterable[int]) -> dict[int, set[int]]:
    """The periods whose GSTR-3B each taxpayer has filed: one query whatever the number of taxpayers."""
    ids = list(taxpayer_ids)
    out: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        if _filed_3b_reader is None:
            raise RuntimeError("No GSTR-3B reader registered: is the returns app installed?")
        for tid, periods in _filed_3b_reader(ids).items():
            out[tid] = set(periods)
    return out


class Calendar:
    """A taxpayer's filing calendar, loaded once (a query each for frequencies and filed GSTR-3Bs, only
    when asked) and asked many times: the one "recipient context" of every IMS and return rule."""

    def __init__(
        self,
        taxpayer: Taxpayer,
        changes: list[FrequencyChange] | None = None,
        filed_3b: set[int] | None = None,
    ):
        self.taxpayer = taxpayer
        self._changes = changes
        self._filed_3b = filed_3b

    @cached_property
    def changes(self) -> list[FrequencyChange]:
        if self._changes is not None:
            return self._changes
        rows = FilingFrequency.objects.filter(taxpayer=self.taxpayer).values_list("from_period", "frequency")
        return [FrequencyChange(p, f) for p, f in rows]

    @cached_property
    def filed_3b(self) -> set[int]:
        """Periods (a month, or a quarter's last month) whose GSTR-3B is filed; add to it after a filing."""
        if self._filed_3b is not None:
            return self._filed_3b
        return filed_3b_periods([self.taxpayer.id])[self.taxpayer.id]

    def frequency(self, period: int) -> str:
        return frequency_for(self.changes, period)

    def quarterly(self, period: int) -> bool:
        return self.frequency(period) == "Q"

    def return_period(self, period: int) -> int:
        """The GSTR-1/3B/2B period that covers ``period``: itself, or its quarter's last month."""
        return quarter_last_month(period) if self.quarterly(period) else period

    def is_3b_filed(self, period: int) -> bool:
        return period in self.filed_3b

    def previous_filed(self, period: int) -> bool:
        """R-5.3: GSTR-3B of the return period before ``period`` is filed (or ``period`` is the first)."""
        prev = previous_return(period, quarterly=self.quarterly, start_period=self.taxpayer.ims_start_period)
        return prev is None or prev in self.filed_3b


def calendars_for(taxpayers: list[Taxpayer]) -> dict[int, Calendar]:
    """Calendars of many taxpayers with two queries (frequencies, filed GSTR-3Bs)."""
    by_id: dict[int, list[FrequencyChange]] = {t.id: [] for t in taxpayers}
    rows = FilingFrequency.objects.filter(taxpayer_id__in=list(by_id)).values_list(
        "taxpayer_id", "from_period", "frequency"
    )
    for tid, p, f in rows:
        by_id[tid].append(FrequencyChange(p, f))
    filed = filed_3b_periods(by_id)
    return {t.id: Calendar(t, by_id[t.id], filed[t.id]) for t in taxpayers}


def calendars_by_gstin(gstins: Iterable[str]) -> dict[str, Calendar]:
    """Calendars of the registered taxpayers among ``gstins``: three queries whatever their number (saving
    or filing a batch never queries per recipient)."""
    taxpayers = list(Taxpayer.objects.filter(gstin__in=set(gstins)))
    cals = calendars_for(taxpayers)
    return {t.gstin: cals[t.id] for t in taxpayers}


def trade_names(gstins: Iterable[str]) -> dict[str, str]:
    """Trade names of the GSTINs registered here, in one query."""
    return {t.gstin: t.display_name for t in Taxpayer.objects.filter(gstin__in=set(gstins))}
