"""The user's review of a reconciliation (issue 16, items 3–5): pairing by hand and unpairing (kept as pins
that survive matching again), editing a row's proposal, the GSTIN's rules, and the supplier follow-up letter
and email."""

from decimal import Decimal, InvalidOperation

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction

from core import clock
from core.errors import NotFound, RuleViolation, ValidationFailed
from core.money import rupees
from core.periods import format_date
from core.templatetags.portal import period_label
from ims import domain as ims_domain
from ims.models import ImsRecord
from recon.models import Category, Line, Match, Pin, Register, Settings
from recon.selectors import attach, followup
from recon.services.apply import draft_remarks
from recon.services.match import register_match, settings_for
from taxpayers.locks import lock_taxpayers

ACTION_CHOICES = ("", "-", "A", "R", "P", "N")
SETTING_ACTIONS = ("", "A", "R", "P")


def _row(reg: Register, match_id) -> Match:
    m = Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg, id=match_id).first()
    if m is None:
        raise NotFound("No such row in this reconciliation.")
    return attach(reg, [m])[0]


@transaction.atomic
def pair(reg: Register, *, line_id, record_id, by: str) -> dict[str, int]:
    """Pair a register line with an IMS record by hand (replacing what either was paired with), then match
    again."""
    if not reg.current:
        raise RuleViolation("REGISTER_NOT_CURRENT", "Only the current version of a register can be changed.")
    lock_taxpayers([reg.taxpayer_id])
    line = (
        Line.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg, id=line_id).first()
        if isinstance(line_id, int)
        else None
    )
    rec = (
        ImsRecord.objects.filter(recipient_id=reg.taxpayer_id, id=record_id, removed=False).first()
        if isinstance(record_id, int)
        else None
    )
    problems = []
    if line is None:
        problems.append({"path": "line", "code": "NOT_FOUND", "message": "No such line in this register."})
    if rec is None:
        problems.append(
            {"path": "record", "code": "NOT_FOUND", "message": "No such record in this GSTIN's IMS."}
        )
    if problems:
        raise ValidationFailed(problems, "The pair cannot be made.")
    Pin.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg, paired=True).filter(line=line).delete()
    Pin.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg, paired=True).filter(record=rec).delete()
    Pin.objects.update_or_create(
        taxpayer_id=reg.taxpayer_id,
        register=reg,
        line=line,
        record=rec,
        defaults={"paired": True, "by": by, "at": clock.now()},
    )
    return register_match(reg)


@transaction.atomic
def unpair(reg: Register, *, match_id, by: str) -> dict[str, int]:
    """Separate a pair for good (a pin that matching again respects), then match again."""
    if not reg.current:
        raise RuleViolation("REGISTER_NOT_CURRENT", "Only the current version of a register can be changed.")
    lock_taxpayers([reg.taxpayer_id])
    m = _row(reg, match_id)
    if m.line_id is None or m.record_id is None:
        raise RuleViolation("NOT_PAIRED", "This row is not a pair.", status=400)
    Pin.objects.update_or_create(
        taxpayer_id=reg.taxpayer_id,
        register=reg,
        line_id=m.line_id,
        record_id=m.record_id,
        defaults={"paired": False, "by": by, "at": clock.now()},
    )
    return register_match(reg)


def confirm(reg: Register, *, match_id, by: str) -> dict[str, int]:
    """Confirm a suggested pair: it becomes a pair by hand (matched or mismatch by its differences)."""
    m = _row(reg, match_id)
    if m.category != Category.SUGGESTED:
        raise RuleViolation("NOT_SUGGESTED", "Only a suggested pair is confirmed.", status=400)
    return pair(reg, line_id=m.line_id, record_id=m.record_id, by=by)


def edit(reg: Register, *, match_id, action, remarks) -> Match:
    """Change a row's proposal: an action ("" back to the rules' proposal, "-" none) and remarks."""
    m = _row(reg, match_id)
    problems = []
    if action not in ACTION_CHOICES:
        problems.append(
            {"path": "action", "code": "INVALID", "message": "action is A, R, P, N, - (none) or empty."}
        )
    # as the action service checks it (remarks are kept only with Reject and Pending).
    if action in ("R", "P") and (bad := ims_domain.remarks_refusal(action=action, remarks=remarks)):
        problems.append({"path": "remarks", "code": bad[0], "message": bad[1]})
    if m.record_id is None:
        problems.append({"path": "id", "code": "INVALID", "message": "This row has no IMS record to act on."})
    if problems:
        raise ValidationFailed(problems)
    m.action = action or ""
    m.remarks = (remarks or None) if action in ("R", "P") else None
    Match.objects.filter(id=m.id).update(action=m.action, remarks=m.remarks)
    return m


def settings_save(taxpayer, data: dict) -> Settings:
    """The GSTIN's rules: tolerance in rupees (0–1,000), date window in days (0–60), an action per
    category."""
    st = settings_for(taxpayer.id)
    problems = []
    try:
        tol = Decimal(str(data.get("tolerance", st.tolerance)).strip())
        if not tol.is_finite() or tol < 0 or tol > 1000 or tol != tol.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(
            {
                "path": "tolerance",
                "code": "INVALID",
                "message": "The tolerance is 0 to 1,000 rupees, in paise at most.",
            }
        )
        tol = st.tolerance
    raw_window = str(data.get("date_window", st.date_window)).strip()
    if not raw_window.isdigit() or int(raw_window) > 60:
        problems.append(
            {"path": "date_window", "code": "INVALID", "message": "The date window is 0 to 60 days."}
        )
        raw_window = str(st.date_window)
    actions = {}
    for key in ("on_matched", "on_mismatch", "on_ims_only", "on_suggested"):
        value = data.get(key, getattr(st, key))
        if value not in SETTING_ACTIONS:
            problems.append(
                {"path": key, "code": "INVALID", "message": "Choose Accept, Reject, Pending or none."}
            )
        actions[key] = value
    if problems:
        raise ValidationFailed(problems)
    st.tolerance, st.date_window = tol, int(raw_window)
    for key, value in actions.items():
        setattr(st, key, value)
    st.save()
    return st


# --- follow-up with suppliers -------------------------------------------------------------------------------

CATEGORY_WORDS = {
    Category.MISMATCH: "differs from our books",
    Category.SUGGESTED: "looks like a document in our books under another number or GSTIN",
    Category.BOOKS_ONLY: "is in our books but you have not reported it",
    Category.IMS_ONLY: "you reported it but it is not in our books",
}


def letter(reg: Register, entry: dict, *, recipient_name: str) -> str:
    """The follow-up letter to one supplier: each document, what is wrong, and our remarks."""
    lines = [
        f"To {entry['trdnm'] or entry['stin']} (GSTIN {entry['stin']}),",
        "",
        f"We have reconciled our purchase register for {period_label(reg.period)} with the documents you "
        "reported to GST (IMS). Please look into these:",
        "",
    ]
    for n, m in enumerate(entry["rows"], 1):
        doc = m.record or m.line
        what = f"{doc.get_doc_type_display()} {doc.number} of {format_date(doc.doc_date)}"
        value = rupees(doc.txval)
        lines.append(f"{n}. {what} (taxable value {value}): {CATEGORY_WORDS.get(m.category, '')}.")
        remark = (m.remarks if m.action in ("R", "P") else None) or draft_remarks(m, reg)
        if remark:
            lines.append(f"   {remark}")
    lines += ["", "Please correct or report them in your next GSTR-1/IFF or GSTR-1A.", "", recipient_name]
    return "\n".join(lines) + "\n"


def followup_for(reg: Register, stin: str) -> dict:
    entry = next((e for e in followup(reg) if e["stin"] == stin), None)
    if entry is None:
        raise NotFound("Nothing to take up with this supplier.")
    return entry


def followup_email(reg: Register, *, stin: str, to: str, recipient_name: str, by: str) -> None:
    """Email the letter (Django's email backend; the console in ``make run``)."""
    to = (to or "").strip()
    if not to or "@" not in to or len(to) > 254 or any(c.isspace() for c in to):
        raise ValidationFailed(
            [{"path": "to", "code": "INVALID", "message": "Give the supplier's email address."}]
        )
    entry = followup_for(reg, stin)
    send_mail(
        subject=f"GST documents to look into — {recipient_name}, {period_label(reg.period)}",
        message=letter(reg, entry, recipient_name=recipient_name),
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
    )
