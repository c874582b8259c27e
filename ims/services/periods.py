"""What filing GSTR-3B does to the recipient's IMS (R-4.11, R-4.7): records of the period leave IMS or are
carried forward, records of unfiled documents move on, and amendments waiting on a now settled original are
released. Called by the returns app inside its filing transaction, after the filing row is written."""

from django.db import connection

from core.db import bulk_insert, rows_update
from ims.models import Action, ImsAudit, ImsRecord
from ims.services.records import EFFECT, apply_amendment_facts, deadline, regime_period, system_audit
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

# Records of the period that filing concerns: filed, in force, not superseded.
_PERIOD_RECORDS = """
    recipient_id = %(recipient)s AND itc_period = %(period)s AND filed_at IS NOT NULL
    AND removed = %(false)s AND superseded = %(false)s"""
_LEAVING = (
    _PERIOD_RECORDS
    + """
    AND (kept_out = %(true)s OR (active = %(true)s AND action IN ('A', 'R', 'N')
         AND waiting_on_original = %(false)s))"""
)
_CARRIED = (
    _PERIOD_RECORDS
    + """
    AND active = %(true)s AND (action = 'P' OR waiting_on_original = %(true)s)"""
)
# The set-based form of records.system_audit: one audit row per record matching ``where``, from its state
# before the change (the action stays; ``reason`` is an SQL expression).
_AUDIT_INSERT = f"""
INSERT INTO {ImsAudit._meta.db_table}
    (recipient_id, record_id, at, by, channel, from_action, to_action, reason)
SELECT recipient_id, id, %(now)s, %(by)s, 'job', action, action, {{reason}}
FROM {ImsRecord._meta.db_table} WHERE {{where}}"""
_TABLE = ImsRecord._meta.db_table


def period_close(
    *, recipient: Taxpayer, calendar: Calendar, period: int, next_period: int, now, by: str
) -> None:
    """GSTR-3B of ``period`` was just filed (``calendar.filed_3b`` includes it): R-4.11, then R-4.7."""
    _leave_or_carry(recipient, period, next_period, now, by)
    _move_unfiled(recipient, calendar, period, next_period, now)
    _release_waiting(recipient, calendar, now)


def _leave_or_carry(taxpayer: Taxpayer, period: int, nxt: int, now, by: str) -> None:
    """R-4.11 in set-based SQL: A/R/N records leave active IMS (N deemed accepted); P records and
    amendments waiting on their original move to the next 2B period. Kept-out records (R-4.1) are marked
    left too: they were never active, and the flag tells the supplier (R-7.1) their 2B period is closed.
    Audit rows are written first, from the records' state before the change."""
    params = {
        "recipient": taxpayer.id,
        "period": period,
        "next": nxt,
        "now": now,
        "by": by,
        "true": True,
        "false": False,
    }
    leave_reason = (
        "CASE WHEN kept_out = %(true)s THEN 'GSTR-3B filed: 2B period closed (kept out of IMS)' "
        "WHEN action = 'N' THEN 'GSTR-3B filed: left IMS, deemed accepted' "
        "ELSE 'GSTR-3B filed: left IMS' END"
    )
    with connection.cursor() as cur:
        cur.execute(_AUDIT_INSERT.format(reason=leave_reason, where=_LEAVING), params)
        cur.execute(
            f"UPDATE {_TABLE} SET active = %(false)s, left_ims = %(true)s, updated_at = %(now)s, "
            "deemed_accepted = (action = 'N' AND kept_out = %(false)s) WHERE" + _LEAVING,
            params,
        )
        cur.execute(
            _AUDIT_INSERT.format(
                reason="'GSTR-3B filed: carried forward to the next 2B period'", where=_CARRIED
            ),
            params,
        )
        cur.execute(
            f"UPDATE {_TABLE} SET itc_period = %(next)s, updated_at = %(now)s WHERE" + _CARRIED, params
        )


def _move_unfiled(taxpayer: Taxpayer, cal: Calendar, period: int, nxt: int, now) -> None:
    """Records of documents not filed yet carry a provisional 2B period (R-4.4); once that period's 3B is
    filed, R-5.1 can no longer place them there, so the provisional period (and its pending deadline)
    moves to the next one. Not audited: the action does not change and the period is provisional."""
    rows = list(
        ImsRecord.objects.filter(recipient=taxpayer, itc_period=period, filed_at__isnull=True, removed=False)
    )
    for rec in rows:
        rec.itc_period = nxt
        rec.pending_deadline = deadline(cal, itc_reducing=rec.itc_reducing, first_period=nxt)
        rec.updated_at = now
    rows_update(ImsRecord, rows, ["itc_period", "pending_deadline", "updated_at"])


def _release_waiting(taxpayer: Taxpayer, cal: Calendar, now) -> None:
    """R-4.7: an amendment waiting on its original stops waiting once the original is accepted, rejected
    or deemed accepted and GSTR-3B of the original's 2B period is filed; its counted effect and
    ITC-reduction are then decided against the original as it stands."""
    waiting = list(
        ImsRecord.objects.select_related("amends_record").filter(
            recipient=taxpayer,
            waiting_on_original=True,
            removed=False,
            amends_record__action__in=[Action.ACCEPT, Action.REJECT, Action.NO_ACTION],
            amends_record__itc_period__in=cal.filed_3b,
        )
    )
    if not waiting:
        return
    audits = []
    for rec in waiting:
        apply_amendment_facts(rec, rec.amends_record, cal)
        rec.waiting_on_original = False
        rec.pending_deadline = deadline(cal, itc_reducing=rec.itc_reducing, first_period=regime_period(rec))
        rec.updated_at = now
        audits.append(
            system_audit(
                rec,
                at=now,
                frm=rec.action,
                to=rec.action,
                reason="original settled: the amendment can be acted on",
            )
        )
    fields = ["waiting_on_original", "amends_record", "itc_reducing", "pending_deadline", "updated_at"]
    rows_update(ImsRecord, waiting, [*fields, *EFFECT])
    bulk_insert(ImsAudit, audits)
