"""Reads about taxpayers: frequencies per period, and who may see what."""

from functools import cached_property

from taxpayers.domain import FrequencyChange, frequency_for, quarter_last_month

from .models import FilingFrequency, Taxpayer


class Calendar:
    """A taxpayer's filing frequency by period, loaded once (one query) and asked many times."""

    def __init__(self, taxpayer: Taxpayer, changes: list[FrequencyChange] | None = None):
        self.taxpayer = taxpayer
        self._changes = changes

    @cached_property
    def changes(self) -> list[FrequencyChange]:
        if self._changes is not None:
            return self._changes
        rows = FilingFrequency.objects.filter(taxpayer=self.taxpayer).values_list("from_period", "frequency")
        return [FrequencyChange(p, f) for p, f in rows]

    def frequency(self, period: int) -> str:
        return frequency_for(self.changes, period)

    def quarterly(self, period: int) -> bool:
        return self.frequency(period) == "Q"

    def return_period(self, period: int) -> int:
        """The GSTR-1/3B/2B period that covers ``period``: itself, or its quarter's last month."""
        return quarter_last_month(period) if self.quarterly(period) else period


def calendars_for(taxpayers: list[Taxpayer]) -> dict[int, Calendar]:
    """Calendars of many taxpayers with one query."""
    by_id: dict[int, list[FrequencyChange]] = {t.id: [] for t in taxpayers}
    rows = FilingFrequency.objects.filter(taxpayer_id__in=list(by_id)).values_list(
        "taxpayer_id", "from_period", "frequency"
    )
    for tid, p, f in rows:
        by_id[tid].append(FrequencyChange(p, f))
    return {t.id: Calendar(t, by_id[t.id]) for t in taxpayers}
