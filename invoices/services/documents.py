"""Saving, editing and deleting supplier documents (R-3), with their recipients' IMS records written in the
same transaction through the one IMS service for the recipient's copy (``ims.services.copies``)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from core import clock
from core.db import bulk_insert, retry_on_conflict, row_type, rows_of, rows_update
from core.errors import NotFound, RuleViolation, ValidationFailed
from core.periods import (
    business_date,
    fy_start_year,
    is_quarter_last_month,
    period_code,
    period_first_day,
    quarter_last_month,
)
from ims.services import copies
from ims.services.records import DocFacts
from invoices.domain.gstr1 import IFF_SECTIONS, DocInput, parse_gstr1
from invoices.domain.gstr1_tables import B2B_SECTIONS, SummaryInput
from invoices.models import Document, Form, ReturnFiling, SummaryRow
from taxpayers.domain import iff_last_date
from taxpayers.locks import lock_taxpayers
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

MAX_SYNC_DOCUMENTS = 10_000
DOC_FIELDS = (
    "section",
    "doc_type",
    "ctin",
    "stin",
    "sply_ty",
    "number",
    "number_key",
    "number_owner",
    "series",
    "fy",
    "doc_date",
    "orig_number",
    "orig_date",
    "root",
    "amends",
    "val",
    "txval",
    "iamt",
    "camt",
    "samt",
    "csamt",
    "pos",
    "rchrg",
    "inv_typ",
    "diff_percent",
    "items",
    "exp_typ",
    "sbpcode",
    "sbnum",
    "sbdt",
    "ur_typ",
    "etin",
    "content_hash",
)
# An amendment amends a document of its own family.
FAMILY = {
    "b2b": "b2b",
    "b2ba": "b2b",
    "cdnr": "cdnr",
    "cdnra": "cdnr",
    "ecom": "ecom",
    "ecoma": "ecom",
    "b2cl": "b2cl",
    "b2cla": "b2cl",
    "exp": "exp",
    "expa": "exp",
    "cdnur": "cdnur",
    "cdnura": "cdnur",
}
SUMMARY_FIELDS = (
    "data",
    "content_hash",
    "pos",
    "sply_ty",
    "rt",
    "omon",
    "amends",
    "txval",
    "iamt",
    "camt",
    "samt",
    "csamt",
    "nil_amt",
    "expt_amt",
    "ngsup_amt",
    "updated_at",
)
# Documents planned and written per round: an upload holds one chunk's documents and model objects at a
# time, whatever the size of its file (issue 12); a chunk costs the same queries whatever its size.
WRITE_CHUNK = 5_000


def in_ims(doc: Document) -> bool:
    """Only B2B documents reach a recipient's IMS; B2C, export and unregistered-note documents never do
    (R-3.13)."""
    return doc.section in B2B_SECTIONS


def doc_facts(doc: Document, supplier: Taxpayer, *, quarterly_return: bool = False) -> DocFacts:
    """A document as its recipient's IMS sees it (the one shape handed down to the IMS app)."""
    return DocFacts(
        id=doc.id,
        supplier_gstin=supplier.gstin,
        supplier_name=supplier.display_name,
        section=doc.section,
        doc_type=doc.doc_type,
        ctin=doc.ctin,
        stin=doc.stin,
        number=doc.number,
        number_key=doc.number_key,
        doc_date=doc.doc_date,
        orig_number=doc.orig_number,
        orig_date=doc.orig_date,
        inv_typ=doc.inv_typ,
        pos=doc.pos,
        rchrg=doc.rchrg,
        val=doc.val,
        txval=doc.txval,
        iamt=doc.iamt,
        camt=doc.camt,
        samt=doc.samt,
        cess=doc.csamt,
        content_hash=doc.content_hash,
        items=doc.items,
        diff_percent=doc.diff_percent,
        period=doc.period,
        form=doc.form,
        filed_at=doc.filed_at,
        quarterly_return=quarterly_return,
        amends_id=doc.amends_id,
        is_amendment=doc.root_id is not None,
    )


def filed_forms(supplier: Taxpayer) -> set[tuple[str, int]]:
    return set(ReturnFiling.objects.filter(taxpayer=supplier).values_list("form", "period"))


def target_return(*, period: int, calendar: Calendar, filed: set, today) -> tuple[str, int]:
    """Which open return a document saved for ``period`` goes into (R-3.1): (form, return period)."""
    if calendar.quarterly(period):
        if not is_quarter_last_month(period):
            if ("IFF", period) in filed:
                raise RuleViolation("IFF_FILED", "This month's IFF is filed: save in the quarterly GSTR-1.")
            if today <= iff_last_date(period):
                return Form.IFF, period
        period = quarter_last_month(period)
    if (Form.GSTR1, period) not in filed:
        return Form.GSTR1, period
    if (Form.GSTR1A, period) in filed or calendar.is_3b_filed(period):
        raise RuleViolation(
            "RETURN_FILED", "GSTR-1 and GSTR-1A (or GSTR-3B) of this period are filed: use a later period."
        )
    return Form.GSTR1A, period


def documents_target(*, supplier: Taxpayer, period: int) -> tuple[str, int] | None:
    """Where a document saved now for ``period`` goes (form, return period), or None when every return of
    the period is filed; for the form page to say it before saving (issue 15)."""
    try:
        return target_return(
            period=period, calendar=Calendar(supplier), filed=filed_forms(supplier), today=clock.today()
        )
    except RuleViolation:
        return None


def iff_close_sweep(*, supplier: Taxpayer, today) -> None:
    """R-3.1: saved IFF documents of a closed IFF move to the quarterly GSTR-1 (with their records)."""
    open_iff = (
        Document.objects.filter(supplier=supplier, form=Form.IFF, filed_at__isnull=True)
        .values_list("period", flat=True)
        .distinct()
    )
    for month in list(open_iff):
        if today > iff_last_date(month):
            q = quarter_last_month(month)
            moved = list(
                Document.objects.filter(supplier=supplier, form=Form.IFF, period=month, filed_at__isnull=True)
            )
            Document.objects.filter(id__in=[d.id for d in moved]).update(form=Form.GSTR1, period=q)
            SummaryRow.objects.filter(
                supplier=supplier, form=Form.IFF, period=month, filed_at__isnull=True
            ).update(form=Form.GSTR1, period=q)
            for d in moved:
                d.form, d.period = Form.GSTR1, q
            copies.records_moved(docs=[doc_facts(d, supplier) for d in moved], now=clock.now())


def _check_period(supplier: Taxpayer, period: int, today) -> None:
    if period < supplier.ims_start_period:
        raise RuleViolation("BEFORE_START_PERIOD", "This period is before the taxpayer's start period.")
    if today < period_first_day(period):
        raise RuleViolation("PERIOD_NOT_STARTED", f"Period {period_code(period)} has not begun.")


@retry_on_conflict
@transaction.atomic
def documents_save(
    *, supplier: Taxpayer, period: int, payload=None, by: str, channel: str, parse=None, progress=None
) -> dict:
    """Validate the whole batch and save all of it or nothing (R-3.11).

    The batch streams (issue 12): the validator hands valid documents on in chunks of WRITE_CHUNK, and
    each is planned and written at once in this transaction, so memory does not grow with the file. The
    first error stops the writing (validation goes on, to report every error) and the batch is refused:
    the transaction takes back what was written.

    For upload jobs: ``parse(sink=…, allowed=…, …)`` (instead of ``payload``) runs
    ``parse_gstr1_sections`` over a streamed file and returns its (documents, errors), called once the
    period checks passed; ``progress(documents)`` is told how many documents are validated and written
    so far, after each chunk."""
    # Serialise a supplier's saves and filings (return_file takes the same lock): two batches racing for
    # one number would otherwise end in an IntegrityError, and a save racing a filing could leave an
    # unfiled document in a filed return.
    lock_taxpayers([supplier.id])
    now = clock.now()
    today = business_date(now)
    _check_period(supplier, period, today)
    calendar = Calendar(supplier)
    iff_close_sweep(supplier=supplier, today=today)
    filed = filed_forms(supplier)
    form, return_period = target_return(period=period, calendar=calendar, filed=filed, today=today)
    # IFF takes only the B2B sections: only an operator reports ECO documents.
    rules = {"eco_operator": supplier.eco_operator}
    allowed = IFF_SECTIONS if form == Form.IFF else None
    saver = _Saver(supplier, form, return_period, now, channel, progress)
    if parse is not None:
        _, errors = parse(allowed=allowed, sink=saver.take, **rules)
    else:
        _, errors = parse_gstr1(
            payload,
            supplier_gstin=supplier.gstin,
            period=period,
            sections=allowed,
            sink=saver.take,
            chunk=WRITE_CHUNK,
            **rules,
        )
    if errors:
        raise ValidationFailed(errors)
    row_plan = plan_rows(supplier, saver.rows, form, return_period)
    if saver.errors or row_plan.errors:
        raise ValidationFailed(saver.errors + row_plan.errors)
    result = saver.result
    _write_rows(supplier, row_plan, form, return_period, now)
    result["created"] += len(row_plan.creates)
    result["updated"] += len(row_plan.updates)
    result["unchanged"] += row_plan.unchanged
    if row_plan.deletes:  # only a batch that deletes rows (GSTN's flag "D") says how many
        result["deleted"] = len(row_plan.deletes)
    copies.records_changed(saver.changes)
    return result


class _Saver:
    """Plans and writes a batch chunk by chunk as the validator hands it on (issue 12). Summary rows are
    few (one per rate and place of supply, R-3.13): they are kept and written at the end."""

    def __init__(self, supplier: Taxpayer, form: str, return_period: int, now, channel: str, progress):
        self.supplier, self.form, self.return_period = supplier, form, return_period
        self.now, self.channel, self.progress = now, channel, progress
        self.rows: list[SummaryInput] = []
        self.errors: list[dict] = []  # the plan's: numbers taken, filed originals missing, …
        self.batch_roots: dict[int, str] = {}  # root id -> path of the batch's amendment of it
        self.calendars: dict = {}  # the registered recipients' calendars, loaded once per GSTIN
        self.looked_up: set[str] = set()
        self.result = {"form": form, "created": 0, "updated": 0, "unchanged": 0}
        self.done = 0
        self.changes: dict = {}  # recipient id -> what the batch changed in its IMS (one event each)

    def take(self, items: list, clean: bool) -> None:
        """One chunk of valid documents and rows; ``clean``: no validation error so far. After the first
        error nothing more is written: the batch will be refused."""
        docs = []
        for x in items:
            (self.rows if isinstance(x, SummaryInput) else docs).append(x)
        self.done += len(items)
        if clean and docs:
            plan = plan_batch(self.supplier, docs, self.form, self.return_period, self.batch_roots)
            self.errors += plan.errors
            if not self.errors:
                self._write(plan)
        if self.progress is not None:
            self.progress(self.done)

    def _write(self, plan: "Plan") -> None:
        ctins = {x[0].ctin for x in plan.creates} | {x[0].ctin for x in plan.updates}
        if ctins - self.looked_up:
            self.calendars.update(copies.recipient_calendars(ctins - self.looked_up))
            self.looked_up |= ctins
        args = (self.supplier, plan.creates, plan.updates, self.calendars, self.form, self.return_period)
        _write_chunk(*args, self.now, self.channel, self.changes)
        self.result["created"] += len(plan.creates)
        self.result["updated"] += len(plan.updates)
        self.result["unchanged"] += plan.unchanged


# --- the plan: what each document of a batch does (R-3.2, R-3.8, R-3.9) -------------------------------------


def _err(path: str, code: str, message: str) -> dict:
    return {"path": path, "code": code, "message": message}


def _number_path(d: DocInput) -> str:
    return f"{d.path}.{'nt_num' if d.doc_type in ('CN', 'DN') else 'inum'}"


def _orig_path(d: DocInput) -> str:
    return f"{d.path}.{'ont_num' if d.doc_type in ('CN', 'DN') else 'oinum'}"


@dataclass
class Plan:
    """Create / update / unchanged / error for each document of a batch."""

    errors: list[dict] = field(default_factory=list)
    creates: list[tuple[DocInput, Document | None, Document | None]] = field(default_factory=list)
    updates: list[tuple[DocInput, Document, Document | None, Document | None]] = field(default_factory=list)
    unchanged: int = 0

    def update_or_same(self, d: DocInput, old: Document, root, amends) -> None:
        if old.content_hash == d.content_hash:
            self.unchanged += 1
        else:
            self.updates.append((d, old, root, amends))


@dataclass
class Known:
    """What the database already holds about a batch's numbers: two queries, rows (not ORM objects)."""

    by_number: dict[tuple, list[Document]]  # (owner, fy, series, number key) -> documents with that number
    roots: dict[str, Document]  # amendment's path -> the original it names
    chains: dict[int, list[Document]]  # root id -> the root and its amendments


def _known(supplier: Taxpayer, docs: list[DocInput]) -> Known:
    g = supplier.gstin
    keys = {d.number_key for d in docs} | {d.orig_number.upper() for d in docs if d.is_amendment}
    by_number = defaultdict(list)
    if docs:
        owners = {d.number_owner(g) for d in docs}
        for doc in rows_of(Document.objects.filter(number_owner__in=owners, number_key__in=keys)):
            by_number[(doc.number_owner, doc.fy, doc.series, doc.number_key)].append(doc)
    roots = {}
    for d in docs:
        if d.is_amendment:
            key = (d.number_owner(g), fy_start_year(d.orig_date), d.series, d.orig_number.upper())
            root = next((x for x in by_number.get(key, ()) if x.root_id is None), None)
            if root is not None:
                roots[d.path] = root
    chains = defaultdict(list)
    if roots:
        root_ids = {r.id for r in roots.values()}
        for doc in rows_of(Document.objects.filter(Q(id__in=root_ids) | Q(root_id__in=root_ids))):
            chains[doc.root_id or doc.id].append(doc)
    return Known(by_number, roots, chains)


def _plan_original(plan: Plan, d: DocInput, same_number: list[Document], supplier, form, return_period):
    """R-3.2: a new number is created; the same number unfiled in this return is an edit; filed, or used
    elsewhere in the FY, it is refused."""
    mine = [x for x in same_number if x.root_id is None]
    if not mine:
        if same_number:
            message = f"Number {d.number} is already used by an amendment."
            plan.errors.append(_err(_number_path(d), "NUMBER_DUPLICATE", message))
        else:
            plan.creates.append((d, None, None))
        return
    old = mine[0]
    if old.filed_at is not None:
        message = f"Document {d.number} is filed; change it through an amendment."
        plan.errors.append(_err(_number_path(d), "ALREADY_FILED", message))
    elif old.supplier_id == supplier.id and old.period == return_period and old.form == form:
        plan.update_or_same(d, old, None, None)
    else:
        message = f"Number {d.number} is already used in this financial year."
        plan.errors.append(_err(_number_path(d), "NUMBER_DUPLICATE", message))


def _original_of(d: DocInput, known: Known, supplier: Taxpayer) -> Document | None:
    """R-3.9: the filed original an amendment names, of the same supplier, kind and recipient."""
    root = known.roots.get(d.path)
    if (
        root is None
        or root.filed_at is None
        or root.supplier_id != supplier.id
        or FAMILY[root.section] != FAMILY[d.section]
        or root.ctin != d.ctin
        or (d.stin or "") != (root.stin or "")
    ):
        return None
    return root


def _plan_amendment(
    plan: Plan, d: DocInput, known: Known, batch_roots: dict, supplier, form, return_period
) -> None:
    """R-3.9: an amendment of a filed original, reported later (or in GSTR-1A of the same period), one per
    chain and return; its number is its original's or a new unique one (R-3.2)."""
    root = _original_of(d, known, supplier)
    if root is None:
        message = f"No filed document {d.orig_number} of this supplier and recipient."
        plan.errors.append(_err(_orig_path(d), "ORIGINAL_NOT_FOUND", message))
        return
    chain = known.chains[root.id]
    amends = max((x for x in chain if x.filed_at is not None), key=lambda x: (x.filed_at, x.id))
    if amends.doc_type != d.doc_type:
        plan.errors.append(_err(f"{d.path}.ntty", "INVALID", "An amendment cannot change the note type."))
        return
    if not (amends.period < return_period or (amends.period == return_period and form == Form.GSTR1A)):
        message = (
            "An amendment is reported in a later period than the document it amends, "
            "or in GSTR-1A of the same period."
        )
        plan.errors.append(_err(_orig_path(d), "INVALID", message))
        return
    same_number = known.by_number.get((d.number_owner(supplier.gstin), d.fy, d.series, d.number_key), [])
    if any((x.root_id or x.id) != root.id for x in same_number):
        message = f"Number {d.number} is already used in this financial year."
        plan.errors.append(_err(_number_path(d), "NUMBER_DUPLICATE", message))
        return
    if root.id in batch_roots:
        # one document in force per chain; a second amendment of it in one batch is a repeat.
        message = (
            f"Document {d.orig_number} is amended twice in this batch (first at {batch_roots[root.id]})."
        )
        plan.errors.append(_err(_orig_path(d), "NUMBER_DUPLICATE", message))
        return
    batch_roots[root.id] = d.path
    open_amendment = next((x for x in chain if x.root_id is not None and x.filed_at is None), None)
    if open_amendment is None:
        plan.creates.append((d, root, amends))
    elif open_amendment.period == return_period and open_amendment.form == form:
        plan.update_or_same(d, open_amendment, root, amends)
    else:
        message = (
            f"Document {d.orig_number} already has an unfiled amendment in "
            f"{period_code(open_amendment.period)}."
        )
        plan.errors.append(_err(_orig_path(d), "NUMBER_DUPLICATE", message))


def plan_batch(
    supplier: Taxpayer, docs: list[DocInput], form: str, return_period: int, batch_roots=None
) -> Plan:
    """Decide create / update / unchanged / error for each document with a bounded number of queries.
    ``batch_roots`` (root id -> path of the batch's amendment of it) carries over from the batch's earlier
    chunks."""
    plan, known = Plan(), _known(supplier, docs)
    batch_roots = {} if batch_roots is None else batch_roots
    for d in docs:
        if d.is_amendment:
            _plan_amendment(plan, d, known, batch_roots, supplier, form, return_period)
        else:
            key = (d.number_owner(supplier.gstin), d.fy, d.series, d.number_key)
            _plan_original(plan, d, known.by_number.get(key, []), supplier, form, return_period)
    return plan


@dataclass
class RowPlan:
    """Create / update / delete / unchanged for each summary row of a batch (R-3.13, R-3.8)."""

    errors: list[dict] = field(default_factory=list)
    creates: list[tuple[SummaryInput, SummaryRow | None]] = field(default_factory=list)  # (row, amended)
    updates: list[tuple[SummaryInput, SummaryRow, SummaryRow | None]] = field(default_factory=list)
    deletes: list[SummaryRow] = field(default_factory=list)
    unchanged: int = 0


def plan_rows(supplier: Taxpayer, rows: list[SummaryInput], form: str, return_period: int) -> RowPlan:
    """Match each row with the saved row of the same key in this return (an edit), and each amendment with
    the filed row it amends; two queries whatever the number of rows."""
    plan = RowPlan()
    if not rows:
        return plan
    existing = {
        (r.section, r.key): r
        for r in SummaryRow.objects.filter(
            supplier=supplier, period=return_period, form=form, section__in={x.section for x in rows}
        )
    }
    originals = _original_rows(supplier, [x for x in rows if x.original_section])
    for x in rows:
        old = existing.get((x.section, x.key_str))
        if x.delete:
            if old is None:
                plan.errors.append(
                    _err(f"{x.path}.flag", "NOT_FOUND", "There is no saved row with this key to delete.")
                )
            else:
                plan.deletes.append(old)
            continue
        amended = None
        if x.original_section:
            amended = originals.get((x.original_section, x.omon, x.original_key_str))
            if amended is None:
                message = "No filed row of that month with the same key to amend."
                plan.errors.append(_err(f"{x.path}.omon", "ORIGINAL_NOT_FOUND", message))
                continue
        if old is None:
            plan.creates.append((x, amended))
        elif old.content_hash == x.content_hash:
            plan.unchanged += 1
        else:
            plan.updates.append((x, old, amended))
    return plan


def _original_rows(supplier: Taxpayer, rows: list[SummaryInput]) -> dict:
    """The filed rows these amend, by (section, original month, key). A quarterly supplier's rows are in its
    quarter's return: a month of the quarter names it too."""
    if not rows:
        return {}
    months = {x.omon for x in rows} | {quarter_last_month(x.omon) for x in rows}
    found = {}
    candidates = SummaryRow.objects.filter(
        supplier=supplier,
        section__in={x.original_section for x in rows},
        period__in=months,
        key__in={x.original_key_str for x in rows},
        filed_at__isnull=False,
    ).order_by("filed_at", "id")
    for r in candidates:
        for month in {r.period} | ({m for m in months if quarter_last_month(m) == r.period}):
            found[(r.section, month, r.key)] = r  # the latest filed wins (a GSTR-1A row after GSTR-1)
    return found


def _fill_row(row: SummaryRow, x: SummaryInput, amended: SummaryRow | None, now) -> SummaryRow:
    row.data, row.content_hash = x.data, x.content_hash
    row.pos, row.sply_ty, row.rt, row.omon, row.amends = x.pos, x.sply_ty, x.rt, x.omon, amended
    row.txval, row.iamt, row.camt, row.samt, row.csamt = x.txval, x.iamt, x.camt, x.samt, x.csamt
    row.nil_amt, row.expt_amt, row.ngsup_amt = x.nil_amt, x.expt_amt, x.ngsup_amt
    row.updated_at = now
    return row


def _write_rows(supplier: Taxpayer, plan: RowPlan, form: str, return_period: int, now) -> None:
    new = [
        _fill_row(
            SummaryRow(
                supplier=supplier,
                period=return_period,
                form=form,
                section=x.section,
                key=x.key_str,
                created_at=now,
            ),
            x,
            amended,
            now,
        )
        for x, amended in plan.creates
    ]
    SummaryRow.objects.bulk_create(new, batch_size=2000)
    rows_update(
        SummaryRow, [_fill_row(old, x, amended, now) for x, old, amended in plan.updates], SUMMARY_FIELDS
    )
    if plan.deletes:
        SummaryRow.objects.filter(id__in=[r.id for r in plan.deletes]).delete()


# --- writing the plan ---------------------------------------------------------------------------------------


_new_document = row_type(Document)  # a row, not an ORM object: a hundred thousand per upload (issue 12)


def _fill(doc: Document, d: DocInput, supplier: Taxpayer, root, amends) -> Document:
    doc.supplier_id = supplier.id
    doc.section, doc.doc_type, doc.ctin = d.section, d.doc_type, d.ctin
    doc.stin, doc.sply_ty = d.stin or "", d.sply_ty or ""
    doc.number, doc.number_key, doc.number_owner = d.number, d.number_key, d.number_owner(supplier.gstin)
    doc.series, doc.fy, doc.doc_date = d.series, d.fy, d.doc_date
    doc.orig_number, doc.orig_date = d.orig_number or "", d.orig_date
    doc.root_id, doc.amends_id = root and root.id, amends and amends.id
    doc.val, doc.txval, doc.iamt, doc.camt, doc.samt, doc.csamt = (
        d.val,
        d.txval,
        d.iamt,
        d.camt,
        d.samt,
        d.csamt,
    )
    doc.pos, doc.rchrg, doc.inv_typ, doc.diff_percent = d.pos, d.rchrg, d.inv_typ, d.diff_percent
    doc.items = [{k: (str(v) if not isinstance(v, int) else v) for k, v in it.items()} for it in d.items]
    doc.exp_typ, doc.sbpcode, doc.sbnum, doc.sbdt = d.exp_typ or "", d.sbpcode or "", d.sbnum or "", d.sbdt
    doc.ur_typ, doc.etin = d.ur_typ or "", d.etin or ""
    doc.content_hash = d.content_hash
    return doc


def _write_chunk(supplier, creates, updates, calendars, form, return_period, now, channel, changes) -> None:
    new_docs = [
        _fill(
            _new_document(period=return_period, form=form, created_at=now, updated_at=now), d, supplier, r, a
        )
        for d, r, a in creates
    ]
    bulk_insert(Document, new_docs)  # COPY on PostgreSQL (issue 12)
    saved = [(doc_facts(doc, supplier), None) for doc in new_docs if in_ims(doc)]
    changed = []
    for d, old, root, amends in updates:
        before = (old.ctin, old.pos, old.rchrg)
        doc = _fill(old, d, supplier, root, amends)
        doc.updated_at = now
        changed.append(doc)
        if in_ims(doc):
            saved.append((doc_facts(doc, supplier), before))
    rows_update(Document, changed, [*DOC_FIELDS, "updated_at"])
    if saved:
        copies.records_saved(saved=saved, calendars=calendars, now=now, channel=channel, changes=changes)


@retry_on_conflict
@transaction.atomic
def document_delete(
    *, supplier: Taxpayer, period: int | None = None, document_id: int, by: str, channel: str
):
    """R-3.8 / R-4.8: an unfiled document goes, and its record leaves IMS (audited). With ``period``, only a
    document of that return period is found (a path names both)."""
    docs = Document.objects.select_for_update().filter(supplier=supplier, id=document_id)
    if period is not None:
        docs = docs.filter(period=period)
    doc = docs.first()
    if doc is None:
        raise NotFound()
    if doc.filed_at is not None:
        raise RuleViolation("ALREADY_FILED", "A filed document cannot be deleted; amend it instead.")
    copies.records_removed(
        document_ids=[doc.id], now=clock.now(), channel=channel, reason="supplier deleted the document"
    )
    doc.delete()


@transaction.atomic
def records_for_new_recipient(*, recipient: Taxpayer) -> int:
    """R-1.4: a recipient registering late gets records for documents already addressed to it."""
    docs = list(Document.objects.filter(ctin=recipient.gstin).select_related("supplier").order_by("id"))
    if not docs:
        return 0
    quarterly_filings = set(
        ReturnFiling.objects.filter(
            taxpayer_id__in={d.supplier_id for d in docs}, form=Form.GSTR1, quarterly=True
        ).values_list("taxpayer_id", "period")
    )
    facts = [
        doc_facts(
            d,
            d.supplier,
            quarterly_return=d.form == Form.GSTR1 and (d.supplier_id, d.period) in quarterly_filings,
        )
        for d in docs
    ]
    return copies.records_for_new_recipient(recipient=recipient, docs=facts, now=clock.now())


def records_for_registered(taxpayer: Taxpayer) -> None:
    """``taxpayers.services.ON_REGISTERED`` hook (R-1.4)."""
    records_for_new_recipient(recipient=taxpayer)
