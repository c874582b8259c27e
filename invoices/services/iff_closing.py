"""R-2.1: an IFF closes at 00:00 IST on the 14th of the next month, and its saved documents move into the
quarterly GSTR-1 with their recipients' records. Closing is an event, not a side effect of the supplier's
next visit: every request runs ``close_due_iffs`` before its view (``ims_portal.middleware``), a Celery
beat task runs it at 00:00 IST on the 14th, and saving and filing run it again under the supplier's lock.
Each supplier's move commits on its own, so a refused filing or a failed upload never rolls it back."""

from django.db import transaction

from core import clock
from core.periods import period_add, period_of
from invoices.models import Document, Form
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer


def closed_through(today) -> int:
    """The latest month whose IFF has closed on ``today``: an IFF of month M is open until the 13th of M+1."""
    return period_add(period_of(today), -1 if today.day >= 14 else -2)


# The last closing this process knows to be done (issue 12: a request then costs no cache round trip).
_known_done: str | None = None


def close_due_iffs_once() -> int:
    """``close_due_iffs`` at most once per closing (per ``closed_through`` month) across every process,
    remembered in the shared cache and, once seen there, in the process: a request then costs neither a
    query across all suppliers (issue 13: on Citus that query would visit every shard) nor, after the first,
    a cache read. No IFF of a closed month can be saved after, so nothing is missed; saving and filing still
    close under the supplier's lock."""
    global _known_done
    from django.core.cache import cache

    today = clock.today()
    key = f"iff-closed-through:{closed_through(today)}"
    if key == _known_done:
        return 0
    if cache.get(key):
        _known_done = key
        return 0
    moved = close_due_iffs(today)
    cache.set(key, True, timeout=24 * 3600)
    _known_done = key
    return moved


def forget_closings() -> None:
    """Forget what this process knows (with the shared cache emptied: a test's fresh database)."""
    global _known_done
    _known_done = None


def close_due_iffs(today=None) -> int:
    """Move every closed IFF's unfiled documents into the quarterly GSTR-1. One indexed query when there is
    nothing to move (the common case); idempotent. Returns how many suppliers had documents moved."""
    from invoices.services.documents import iff_close_sweep

    today = today or clock.today()
    last = closed_through(today)
    due = set(
        Document.objects.filter(form=Form.IFF, filed_at__isnull=True, period__lte=last)
        .values_list("supplier_id", flat=True)
        .distinct()
    )
    for supplier_id in sorted(due):
        with transaction.atomic():
            # The lock order of a save or a filing: the supplier's Taxpayer row first (docs/DECISIONS.md).
            lock_taxpayers([supplier_id])
            supplier = Taxpayer.objects.get(id=supplier_id)
            iff_close_sweep(supplier=supplier, today=today)
    return len(due)
