"""The one lock order of the system (docs/DECISIONS.md "Locks"): a transaction that writes a taxpayer's
returns, documents or IMS records first locks the taxpayer rows concerned, in ascending id, with
``FOR NO KEY UPDATE``; only then documents, then IMS records in ascending id, then job rows. The customs
feed (R-10.1) takes its own advisory lock before all of these (``customs.services``).

``NO KEY UPDATE`` (not ``FOR UPDATE``) because every insert of a row that references a taxpayer (an audit
row, a record, a job) takes ``KEY SHARE`` on it: with ``FOR UPDATE`` such an insert in one transaction
and the taxpayer lock in another waited on each other in opposite orders (issue 14, High 4)."""

from taxpayers.models import Taxpayer


def lock_taxpayers(ids) -> list[int]:
    """Lock these taxpayer rows until the end of the current transaction, in ascending id. Call inside
    ``transaction.atomic``: outside one the lock would end with the statement."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    return list(
        Taxpayer.objects.select_for_update(no_key=True)
        .filter(id__in=wanted)
        .order_by("id")
        .values_list("id", flat=True)
    )
