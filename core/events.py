"""Domain events for whoever listens (issue 17: webhooks): the lower apps emit, an upper app subscribes at
start-up, so no app imports one above it. Listeners run in the emitter's transaction and must be cheap
(a webhook listener only records deliveries; sending happens after commit, in a Celery task)."""

from collections.abc import Callable

# A listener gets the event and its data by taxpayer id (one call for many GSTINs: one query, not one each).
Listener = Callable[[str, dict[int, dict]], None]
_LISTENERS: list[Listener] = []

RECORDS_CHANGED = "ims.records_changed"  # a supplier saved or changed documents in a recipient's IMS
GSTR2B_GENERATED = "gstr2b.generated"
JOB_FINISHED = "job.finished"
EVENTS = (RECORDS_CHANGED, GSTR2B_GENERATED, JOB_FINISHED)


def subscribe(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def emit(event: str, *, taxpayer_id: int | None, data: dict) -> None:
    if taxpayer_id is not None:
        emit_many(event, {taxpayer_id: data})


def emit_many(event: str, by_taxpayer: dict[int, dict]) -> None:
    if by_taxpayer:
        for listener in _LISTENERS:
            listener(event, by_taxpayer)
