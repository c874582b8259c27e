"""What a reconciliation proposes for each record, and applying it (issue 16, item 3).

Rules, shown on the page and changed per GSTIN (``recon.models.Settings``): matched -> Accept; mismatch ->
Pending with the differences in the remarks; missing in books -> Pending; suggested -> nothing until the user
confirms the pair. Pending where the law refuses it (R-4.4: an ITC-reducing record of a period before October
2025, or past its deadline) becomes Reject with the same remarks. An ITC-reducing credit note of October 2025
or later whose books show no more tax than IMS is accepted with the ITC-reduction declaration (R-4.6) of the
tax the books show. A record already at its proposal, or that can no longer change, proposes nothing.

The user may edit a row's action and remarks. Applying goes through the IMS action service in batches, with
the audit channel ``reconciliation`` (R-4.9) and the record's digest as matched (a record the supplier edited
since is refused STALE), so every rule of R-4.2…R-4.10 and maker-checker apply as for any other action.
"""

from dataclasses import dataclass
from decimal import Decimal

from core import clock
from core.errors import RuleViolation
from core.money import ZERO, rupees
from core.periods import business_date, format_date
from core.templatetags.portal import period_label
from ims import domain as ims_domain
from ims.models import Action, Channel
from ims.selectors import record_names
from ims.services.proposals import ims_actions_submit
from ims.services.records import record_state, regime_period
from jobs.models import Job
from jobs.runner import register
from jobs.services import job_progress, job_start
from recon import domain
from recon.models import Category, Match, Register, Settings
from recon.selectors import chunks
from recon.services.match import settings_for
from taxpayers.domain import PENDING_RULE_SWITCH
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

CHUNK = 2000
NO_ACTION = "-"  # an edit meaning "propose nothing for this row"
DECL_HEADS = (
    ("iamt", "igst", "declIgst"),
    ("camt", "cgst", "declCgst"),
    ("samt", "sgst", "declSgst"),
    ("cess", "cess", "declCess"),
)
ACTIONABLE = (Category.MATCHED, Category.MISMATCH, Category.SUGGESTED, Category.IMS_ONLY)


@dataclass(frozen=True)
class Proposal:
    action: str  # "" proposes nothing
    remarks: str | None = None
    decl: dict | None = None  # itcRedReq and declared amounts, as the action carries them
    why: str = ""  # in words, for the page


NONE = Proposal("")


def default_action(category: str, st: Settings) -> str:
    return {
        Category.MATCHED: st.on_matched,
        Category.MISMATCH: st.on_mismatch,
        Category.IMS_ONLY: st.on_ims_only,
        Category.SUGGESTED: st.on_suggested,
    }.get(category, "")


def difference_words(m: Match) -> str:
    """The differences of a pair in words, books first: what goes to the supplier in the remarks."""
    line, rec = m.line, m.record
    parts = []
    for f in (m.fields or "").split(","):
        if f == "date":
            parts.append(f"date {format_date(line.doc_date)} in books, {format_date(rec.doc_date)} here")
        elif f == "type":
            parts.append(
                f"type {line.get_doc_type_display().lower()} in books, "
                f"{rec.get_doc_type_display().lower()} here"
            )
        elif f in domain.AMOUNTS:
            ours, theirs = getattr(line, f), getattr(rec, f)
            diff = theirs - ours
            more = "more" if diff > 0 else "less"
            parts.append(
                f"{domain.DIFF_FIELDS[f]} {rupees(ours)} in books, {rupees(theirs)} here "
                f"({rupees(abs(diff))} {more})"
            )
    return "Books differ: " + "; ".join(parts) + "." if parts else ""


def draft_remarks(m: Match, register: Register) -> str | None:
    if m.category == Category.IMS_ONLY:
        return f"Not in our purchase register for {period_label(register.period)}."
    if m.category in (Category.MISMATCH, Category.SUGGESTED):
        return difference_words(m)[:500] or None
    return None


def _declaration(m: Match, rec, state) -> dict | None:
    """An accepted ITC-reducing credit note (R-4.6, October 2025 on): the tax the books show, per head, when
    it is no more than the record's reduction on every head; None otherwise."""
    if not (
        rec.itc_reducing and rec.doc_type == "CN" and m.line_id and regime_period(rec) >= PENDING_RULE_SWITCH
    ):
        return None
    line = m.line
    if line.camt != line.samt:
        return None
    decl = {"itcRedReq": "Y"}
    for books, head, key in DECL_HEADS:
        amount = getattr(line, books)
        if amount > state.reduction.get(head, ZERO):
            return None
        decl[key] = str(amount)
    return decl


def propose(m: Match, *, register: Register, st: Settings, cal: Calendar, today) -> Proposal:
    """The action proposed for one row (module docstring)."""
    rec = m.record
    if rec is None:
        return NONE
    state = record_state(rec, cal)
    if state.return_filed:
        return Proposal("", why="GSTR-3B of its period is filed: it can no longer change.")
    if not state.active:
        return Proposal("", why="It is no longer in IMS (amended, removed or kept out).")
    edited = m.action and m.action != NO_ACTION
    if m.action == NO_ACTION:
        return Proposal("", why="You chose no action.")
    action = m.action if edited else default_action(m.category, st)
    if not action:
        return Proposal(
            "", why="Confirm or change the pair first." if m.category == Category.SUGGESTED else ""
        )
    remarks = (m.remarks if edited else draft_remarks(m, register)) if action in ("R", "P") else None
    decl = None
    if action == "A" or (not edited and m.category == Category.MISMATCH):
        decl = _declaration(m, rec, state)
        if decl is not None:
            action, remarks = "A", None
    if action == "P" and not edited:  # the rules' Pending only: a person's choice goes as chosen
        request = ims_domain.ActionRequest(action="P", remarks=remarks)
        refusal = ims_domain.action_refusal(record=state, request=request, today=today)
        if refusal and refusal[0] in ("PENDING_NOT_ALLOWED", "PENDING_EXPIRED"):
            action = "R"  # bills of entry, which cannot be rejected, are never matched (match.py)
    decl_now = None
    if rec.itc_red_req is not None:
        decl_now = {"itcRedReq": rec.itc_red_req}
        decl_now.update({key: str(getattr(rec, f"decl_{head}")) for _, head, key in DECL_HEADS})
    if action == rec.action and (remarks or None) == (rec.remarks or None) and (decl or None) == decl_now:
        return Proposal("", why=f"Already {Action(action).label.lower()}.")
    return Proposal(action, remarks, decl)


def action_of(m: Match, p: Proposal) -> dict:
    item = {"id": m.record_id, "action": p.action, "hash": m.record_hash}
    if p.remarks:
        item["remarks"] = p.remarks
    if p.decl:
        item.update({k: (v if k == "itcRedReq" else Decimal(v)) for k, v in p.decl.items()})
    return item


# --- applying ----------------------------------------------------------------------------------------------


def rows_for_apply(reg: Register, categories: list[str]):
    return Match.objects.filter(
        taxpayer_id=reg.taxpayer_id, register=reg, record_id__isnull=False, category__in=categories
    )


def apply_start(*, register: Register, categories, user, role: str | None, by: str) -> Job:
    """Start applying the proposals of ``categories`` (all actionable ones when empty) as a job."""
    wanted = [c for c in (categories or ACTIONABLE) if c in ACTIONABLE]
    if not wanted:
        raise RuleViolation(
            "VALIDATION",
            "Choose categories whose records can be acted on.",
            details=[{"path": "categories", "code": "INVALID", "message": "No category with IMS records."}],
            status=400,
        )
    taxpayer = Taxpayer.objects.get(id=register.taxpayer_id)
    return job_start(
        kind="recon_apply",
        taxpayer=taxpayer,
        user=user,
        params={
            "gstin": taxpayer.gstin,
            "register": register.id,
            "categories": wanted,
            "role": role,
            "by": by,
        },
    )


def apply_run(job: Job) -> dict:
    p = job.params
    reg = Register.objects.get(id=p["register"], taxpayer_id=job.taxpayer_id)
    taxpayer = Taxpayer.objects.get(id=job.taxpayer_id)
    st = settings_for(taxpayer.id)
    cal = Calendar(taxpayer)
    today = business_date(clock.now())
    qs = rows_for_apply(reg, p["categories"])
    total = qs.count()
    processed, proposed, errors, done = 0, 0, [], 0
    for rows in chunks(reg, qs, CHUNK):
        actions = []
        for m in rows:
            prop = propose(m, register=reg, st=st, cal=cal, today=today)
            if prop.action:
                actions.append(action_of(m, prop))
        if actions:
            out = ims_actions_submit(
                recipient=taxpayer,
                actions=actions,
                role=p.get("role"),
                by=p["by"],
                channel=Channel.RECONCILIATION,
            )
            processed += out["processed"]
            proposed += out.get("proposed", 0)
            errors.extend(out["errors"])
        done += len(rows)
        job_progress(job, done, max(total, done))
    result = {"register": reg.id, "processed": processed, "errors": errors}
    if proposed:
        result["proposed"] = proposed
    return result


@register("recon_apply", refusal_names=record_names)
def _recon_apply(job) -> dict:
    return apply_run(job)
