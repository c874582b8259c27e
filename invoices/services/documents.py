"""Saving, editing and deleting supplier documents (R-3), with their IMS records in the same transaction."""

from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from ims_portal.errors import RuleViolation, ValidationFailed
from invoices.gstr1 import DocInput, parse_gstr1
from invoices.models import Action, Document, Form, ImsRecord, ReturnFiling
from returns.models import Gstr3bFiling
from taxpayers import clock
from taxpayers.domain import (
    iff_last_date,
    is_quarter_last_month,
    period_code,
    period_first_day,
    quarter_last_month,
)
from taxpayers.models import Taxpayer
from taxpayers.selectors import Calendar

from .records import (
    SRCFORM,
    SYSTEM,
    audit,
    build_record,
    copy_document,
    place_record,
    recipients_for,
    reset_to_no_action,
)

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
    "content_hash",
)
RECORD_FIELDS = (
    "document",
    "section",
    "stin",
    "trdnm",
    "sply_stin",
    "rtnprd",
    "srcform",
    "filed_at",
    "doc_type",
    "number",
    "number_key",
    "doc_date",
    "orig_number",
    "orig_date",
    "inv_typ",
    "pos",
    "rchrg",
    "val",
    "txval",
    "iamt",
    "camt",
    "samt",
    "cess",
    "hash",
    "amends_record",
    "eff_txval",
    "eff_igst",
    "eff_cgst",
    "eff_sgst",
    "eff_cess",
    "itc_reducing",
    "action",
    "remarks",
    "itc_red_req",
    "decl_igst",
    "decl_cgst",
    "decl_sgst",
    "decl_cess",
    "itc_period",
    "pending_deadline",
    "kept_out",
    "rsn",
    "active",
    "updated_at",
)
# A change of these moves the document to another record (R-4.1 last sentence).
RECORD_IDENTITY = ("ctin", "pos", "rchrg")


def rows_update(model, objs: list, fields, *, batch_size: int = 1000) -> None:
    """Write ``fields`` of ``objs`` back with one ``UPDATE … FROM (VALUES …)`` per batch.

    Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row: the same number of
    queries, but seconds of Python per thousand rows (R-9 scale)."""
    if not objs:
        return
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`: small data, plain bulk_update
        model.objects.bulk_update(objs, list(fields), batch_size=batch_size)
        return
    meta = model._meta
    pk = meta.pk
    cols = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *cols]) + ")"
    names = ", ".join(["_pk", *(qn(f.column) for f in cols)])
    sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in cols)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params = []
            for obj in chunk:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in cols)
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) "
                f"AS v({names}) WHERE {qn(meta.db_table)}.{qn(pk.column)} = v._pk",
                params,
            )


def recipients_with_3b(gstins) -> dict:
    """``recipients_for`` plus every recipient's filed GSTR-3B periods in one more query, so record rules
    that ask ``is_3b_filed`` never query per recipient (R-9 scale)."""
    recipients = recipients_for(gstins)
    filed = defaultdict(set)
    rows = Gstr3bFiling.objects.filter(taxpayer_id__in=[r.taxpayer.id for r in recipients.values()])
    for taxpayer_id, period in rows.values_list("taxpayer_id", "period"):
        filed[taxpayer_id].add(period)
    for r in recipients.values():
        r._filed_3b = filed[r.taxpayer.id]
    return recipients


def filed_forms(supplier: Taxpayer) -> set[tuple[str, int]]:
    return set(ReturnFiling.objects.filter(taxpayer=supplier).values_list("form", "period"))


def target_return(
    *, supplier: Taxpayer, period: int, calendar: Calendar, filed: set, today
) -> tuple[str, int]:
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
    if (Form.GSTR1A, period) in filed or Gstr3bFiling.objects.filter(
        taxpayer=supplier, period=period
    ).exists():
        raise RuleViolation(
            "RETURN_FILED", "GSTR-1 and GSTR-1A (or GSTR-3B) of this period are filed: use a later period."
        )
    return Form.GSTR1A, period


def iff_close_sweep(*, supplier: Taxpayer, calendar: Calendar, today) -> None:
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
            _replace_records(moved, supplier, form=Form.GSTR1, period=q)


def _replace_records(docs: list[Document], supplier: Taxpayer, *, form: str, period: int) -> None:
    """Records follow their documents into another return: new rtnprd/srcform, and the provisional 2B
    period and pending deadline that go with it (R-4.4)."""
    if not docs:
        return
    now = clock.now()
    today = _business_date(now)
    by_id = {d.id: d for d in docs}
    records = list(ImsRecord.objects.filter(document_id__in=list(by_id), removed=False))
    recipients = {r.taxpayer.id: r for r in recipients_for({d.ctin for d in docs}).values()}
    for rec in records:
        doc = by_id[rec.document_id]
        doc.form, doc.period, doc.supplier = form, period, supplier
        rec.rtnprd, rec.srcform = period, SRCFORM[form]
        place_record(rec, doc, recipients[rec.recipient_id], today)
        rec.updated_at = now
    rows_update(ImsRecord, records, ["rtnprd", "srcform", "itc_period", "pending_deadline", "updated_at"])


def _check_period(supplier: Taxpayer, period: int, today) -> None:
    if period < supplier.ims_start_period:
        raise RuleViolation("BEFORE_START_PERIOD", "This period is before the taxpayer's start period.")
    if today < period_first_day(period):
        raise RuleViolation("PERIOD_NOT_STARTED", f"Period {period_code(period)} has not begun.")


def _err(path: str, code: str, message: str) -> dict:
    return {"path": path, "code": code, "message": message}


def _number_path(d: DocInput) -> str:
    return f"{d.path}.{'nt_num' if d.section in ('cdnr', 'cdnra') else 'inum'}"


def _orig_path(d: DocInput) -> str:
    return f"{d.path}.{'ont_num' if d.section == 'cdnra' else 'oinum'}"


FAMILY = {"b2b": "b2b", "b2ba": "b2b", "cdnr": "cdnr", "cdnra": "cdnr", "ecom": "ecom", "ecoma": "ecom"}


@transaction.atomic
def documents_save(
    *, supplier: Taxpayer, period: int, payload=None, by: str, channel: str, parse=None, progress=None
) -> dict:
    """Validate the whole batch and save all of it or nothing (R-3.11).

    For upload jobs: ``parse()`` (instead of ``payload``) returns ``parse_gstr1``'s (documents, errors)
    from a streamed file, called once the period checks passed; ``progress(stage, documents)`` is told
    "validated" once the batch passed every check and "saved" once it is written."""
    # Serialise a supplier's saves and filings (return_file takes the same lock): two batches racing for
    # one number would otherwise end in an IntegrityError, and a save racing a filing could leave an
    # unfiled document in a filed return.
    Taxpayer.objects.select_for_update().filter(id=supplier.id).first()
    now = clock.now()
    today = clock.today() if now is None else _business_date(now)
    _check_period(supplier, period, today)
    calendar = Calendar(supplier)
    iff_close_sweep(supplier=supplier, calendar=calendar, today=today)
    filed = filed_forms(supplier)
    form, return_period = target_return(
        supplier=supplier, period=period, calendar=calendar, filed=filed, today=today
    )
    if parse is not None:
        docs, errors = parse()
    else:
        docs, errors = parse_gstr1(payload, supplier_gstin=supplier.gstin, period=period)
    if errors:
        raise ValidationFailed(errors)
    plan = _plan(supplier, docs, form, return_period)
    if plan.errors:
        raise ValidationFailed(plan.errors)
    count = len(docs)
    del docs  # the plan holds what is written; _write lets go of each chunk once it is saved
    if progress is not None:
        progress("validated", count)
    result = _write(supplier, plan, form, return_period, now, today, by, channel)
    if progress is not None:
        progress("saved", count)
    return result


def _business_date(now: datetime):
    from taxpayers.domain import business_date

    return business_date(now)


class _Plan:
    def __init__(self):
        self.errors: list[dict] = []
        self.creates: list[tuple[DocInput, Document | None, Document | None]] = []  # (input, root, amends)
        self.updates: list[tuple[DocInput, Document, Document | None, Document | None]] = []
        self.unchanged = 0


def _plan(supplier: Taxpayer, docs: list[DocInput], form: str, return_period: int) -> _Plan:
    """Decide create / update / unchanged / error for each document with a bounded number of queries."""
    plan = _Plan()
    g = supplier.gstin
    keys = {d.number_key for d in docs} | {d.orig_number.upper() for d in docs if d.is_amendment}
    owners = {d.number_owner(g) for d in docs}
    existing = defaultdict(list)  # (owner, fy, series, key) -> documents with that number
    if docs:
        for doc in Document.objects.filter(number_owner__in=owners, number_key__in=keys):
            existing[(doc.number_owner, doc.fy, doc.series, doc.number_key)].append(doc)
    roots = {}
    for d in docs:
        if d.is_amendment:
            from taxpayers.domain import fy_start_year

            key = (d.number_owner(g), fy_start_year(d.orig_date), d.series, d.orig_number.upper())
            root = next((x for x in existing.get(key, ()) if x.root_id is None), None)
            if root is not None:
                roots[d.path] = root
    chains = defaultdict(list)
    if roots:
        root_ids = {r.id for r in roots.values()}
        for doc in Document.objects.filter(Q(id__in=root_ids) | Q(root_id__in=root_ids)):
            chains[doc.root_id or doc.id].append(doc)

    batch_roots: dict[int, str] = {}  # root id -> path of the batch's amendment of it
    for d in docs:
        key = (d.number_owner(g), d.fy, d.series, d.number_key)
        same_number = existing.get(key, [])
        if not d.is_amendment:
            mine = [x for x in same_number if x.root_id is None]
            if mine:
                old = mine[0]
                if old.filed_at is not None:
                    plan.errors.append(
                        _err(
                            _number_path(d),
                            "ALREADY_FILED",
                            f"Document {d.number} is filed; change it through an amendment.",
                        )
                    )
                elif old.supplier_id == supplier.id and old.period == return_period and old.form == form:
                    _update_or_same(plan, d, old, None, None)
                else:
                    plan.errors.append(
                        _err(
                            _number_path(d),
                            "NUMBER_DUPLICATE",
                            f"Number {d.number} is already used in this financial year.",
                        )
                    )
            elif same_number:
                plan.errors.append(
                    _err(
                        _number_path(d),
                        "NUMBER_DUPLICATE",
                        f"Number {d.number} is already used by an amendment.",
                    )
                )
            else:
                plan.creates.append((d, None, None))
            continue
        root = roots.get(d.path)
        if (
            root is None
            or root.filed_at is None
            or root.supplier_id != supplier.id
            or FAMILY[root.section] != FAMILY[d.section]
            or root.ctin != d.ctin
            or (d.stin or "") != (root.stin or "")
        ):
            plan.errors.append(
                _err(
                    _orig_path(d),
                    "ORIGINAL_NOT_FOUND",
                    f"No filed document {d.orig_number} of this supplier and recipient.",
                )
            )
            continue
        chain = chains[root.id]
        filed_chain = [x for x in chain if x.filed_at is not None]
        amends = max(filed_chain, key=lambda x: (x.filed_at, x.id))
        if amends.doc_type != d.doc_type:
            plan.errors.append(_err(f"{d.path}.ntty", "INVALID", "An amendment cannot change the note type."))
            continue
        if not (amends.period < return_period or (amends.period == return_period and form == Form.GSTR1A)):
            plan.errors.append(
                _err(
                    _orig_path(d),
                    "INVALID",
                    "An amendment is reported in a later period than the document it amends, "
                    "or in GSTR-1A of the same period.",
                )
            )
            continue
        others = [x for x in same_number if (x.root_id or x.id) != root.id]
        if others:
            plan.errors.append(
                _err(
                    _number_path(d),
                    "NUMBER_DUPLICATE",
                    f"Number {d.number} is already used in this financial year.",
                )
            )
            continue
        if root.id in batch_roots:
            # one document in force per chain; a second amendment of it in one batch is a repeat.
            plan.errors.append(
                _err(
                    _orig_path(d),
                    "NUMBER_DUPLICATE",
                    f"Document {d.orig_number} is amended twice in this batch "
                    f"(first at {batch_roots[root.id]}).",
                )
            )
            continue
        batch_roots[root.id] = d.path
        open_amendments = [x for x in chain if x.root_id is not None and x.filed_at is None]
        if open_amendments:
            old = open_amendments[0]
            if old.period == return_period and old.form == form:
                _update_or_same(plan, d, old, root, amends)
            else:
                plan.errors.append(
                    _err(
                        _orig_path(d),
                        "NUMBER_DUPLICATE",
                        f"Document {d.orig_number} already has an unfiled amendment in "
                        f"{period_code(old.period)}.",
                    )
                )
            continue
        plan.creates.append((d, root, amends))
    return plan


def _update_or_same(plan: _Plan, d: DocInput, old: Document, root, amends) -> None:
    if old.content_hash == d.content_hash:
        plan.unchanged += 1
    else:
        plan.updates.append((d, old, root, amends))


def _fill(doc: Document, d: DocInput, supplier: Taxpayer, root, amends) -> Document:
    doc.supplier = supplier
    doc.section, doc.doc_type, doc.ctin = d.section, d.doc_type, d.ctin
    doc.stin, doc.sply_ty = d.stin or "", d.sply_ty or ""
    doc.number, doc.number_key, doc.number_owner = d.number, d.number_key, d.number_owner(supplier.gstin)
    doc.series, doc.fy, doc.doc_date = d.series, d.fy, d.doc_date
    doc.orig_number, doc.orig_date = d.orig_number or "", d.orig_date
    doc.root, doc.amends = root, amends
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
    doc.content_hash = d.content_hash
    return doc


def _amended_records(amended_doc_ids, recipient_ids) -> dict[tuple[int, int], ImsRecord]:
    if not amended_doc_ids:
        return {}
    rows = ImsRecord.objects.filter(
        document_id__in=amended_doc_ids, recipient_id__in=recipient_ids, removed=False
    )
    return {(r.document_id, r.recipient_id): r for r in rows}


# Documents written per round: a 100,000-document upload never holds every model object at once (issue 5:
# under 1 GB); a batch up to this size costs the same queries whatever its size (R-9 scale).
WRITE_CHUNK = 5_000


def _write(supplier, plan: _Plan, form, return_period, now, today, by, channel) -> dict:
    """Write the plan in chunks of WRITE_CHUNK documents, letting go of each chunk once it is saved."""
    recipients = recipients_with_3b({x[0].ctin for x in plan.creates} | {x[0].ctin for x in plan.updates})
    created = updated = 0
    while plan.creates or plan.updates:
        creates, updates = plan.creates[:WRITE_CHUNK], plan.updates[:WRITE_CHUNK]
        del plan.creates[:WRITE_CHUNK], plan.updates[:WRITE_CHUNK]
        _write_chunk(supplier, creates, updates, recipients, form, return_period, now, today, channel)
        created, updated = created + len(creates), updated + len(updates)
    return {"form": form, "created": created, "updated": updated, "unchanged": plan.unchanged}


def _write_chunk(supplier, creates, updates, recipients, form, return_period, now, today, channel) -> None:
    new_docs = [
        _fill(
            Document(period=return_period, form=form, created_at=now, updated_at=now),
            d,
            supplier,
            root,
            amends,
        )
        for d, root, amends in creates
    ]
    Document.objects.bulk_create(new_docs, batch_size=2000)
    changed_docs = []
    old_identity = {}
    for d, old, root, amends in updates:
        old_identity[old.id] = tuple(getattr(old, f) for f in RECORD_IDENTITY)
        changed_docs.append(_fill(old, d, supplier, root, amends))
    if changed_docs:
        for doc in changed_docs:
            doc.updated_at = now
        rows_update(Document, changed_docs, [*DOC_FIELDS, "updated_at"])

    all_docs = new_docs + changed_docs
    amended_doc_ids = {doc.amends_id for doc in all_docs if doc.amends_id}
    amended = _amended_records(amended_doc_ids, [r.taxpayer.id for r in recipients.values()])
    amended_docs = (
        {x.id: x for x in Document.objects.filter(id__in=amended_doc_ids)} if amended_doc_ids else {}
    )

    current = {}
    if changed_docs:
        for rec in ImsRecord.objects.filter(document_id__in=[d.id for d in changed_docs], removed=False):
            current[rec.document_id] = rec

    new_records, updated_records, removed_records, audits = [], [], [], []
    pending_audits = []
    for doc in all_docs:
        recipient = recipients.get(doc.ctin)
        old_rec = current.get(doc.id)
        moved = old_rec is not None and old_identity.get(doc.id) != tuple(
            getattr(doc, f) for f in RECORD_IDENTITY
        )
        if old_rec is not None and moved:
            old_rec.active, old_rec.removed = False, True
            removed_records.append(old_rec)
            audits.append(
                audit(
                    old_rec,
                    at=now,
                    by=SYSTEM,
                    channel=channel,
                    frm=old_rec.action,
                    to="",
                    reason="removed: supplier changed recipient, place of supply or reverse charge",
                )
            )
        if recipient is None:
            continue
        amended_pair = (amended_docs.get(doc.amends_id), amended.get((doc.amends_id, recipient.taxpayer.id)))
        if old_rec is not None and not moved:
            before = old_rec.action
            copy_document(old_rec, doc, supplier)
            fresh = build_record(doc, recipient, today, amended_pair, now=now)
            for f in (
                "amends_record",
                "eff_txval",
                "eff_igst",
                "eff_cgst",
                "eff_sgst",
                "eff_cess",
                "itc_reducing",
                "itc_period",
                "pending_deadline",
                "kept_out",
                "rsn",
            ):
                setattr(old_rec, f, getattr(fresh, f))
            old_rec.active = not old_rec.kept_out
            reset_to_no_action(old_rec)
            old_rec.updated_at = now
            updated_records.append(old_rec)
            audits.append(
                audit(
                    old_rec,
                    at=now,
                    by=SYSTEM,
                    channel=channel,
                    frm=before,
                    to=Action.NO_ACTION,
                    reason="supplier edited the document",
                )
            )
            continue
        rec = build_record(doc, recipient, today, amended_pair, now=now)
        new_records.append(rec)
        pending_audits.append(rec)

    if removed_records:
        ImsRecord.objects.filter(id__in=[r.id for r in removed_records]).update(
            active=False, removed=True, updated_at=now
        )
    if updated_records:
        rows_update(ImsRecord, updated_records, RECORD_FIELDS)
    ImsRecord.objects.bulk_create(new_records, batch_size=2000)
    for rec in pending_audits:
        audits.append(
            audit(
                rec,
                at=now,
                # The recipient's trail never names another taxpayer's users.
                by=SYSTEM,
                channel=channel,
                frm="",
                to=Action.NO_ACTION,
                reason="supplier saved the document" + (" (kept out of IMS)" if rec.kept_out else ""),
            )
        )
    from invoices.models import ImsAudit

    ImsAudit.objects.bulk_create(audits, batch_size=2000)


@transaction.atomic
def document_delete(*, supplier: Taxpayer, document_id: int, by: str, channel: str) -> None:
    """R-3.8 / R-4.8: an unfiled document goes, and its record leaves IMS (audited)."""
    from ims_portal.errors import NotFound
    from invoices.models import ImsAudit

    doc = Document.objects.select_for_update().filter(supplier=supplier, id=document_id).first()
    if doc is None:
        raise NotFound()
    if doc.filed_at is not None:
        raise RuleViolation("ALREADY_FILED", "A filed document cannot be deleted; amend it instead.")
    now = clock.now()
    recs = list(ImsRecord.objects.filter(document=doc, removed=False))
    ImsAudit.objects.bulk_create(
        [
            audit(
                r,
                at=now,
                by=SYSTEM,
                channel=channel,
                frm=r.action,
                to="",
                reason="supplier deleted the document",
            )
            for r in recs
        ]
    )
    ImsRecord.objects.filter(id__in=[r.id for r in recs]).update(active=False, removed=True, updated_at=now)
    doc.delete()


@transaction.atomic
def records_for_new_recipient(*, recipient: Taxpayer) -> int:
    """R-1.4: a recipient registering late gets records for documents already addressed to it."""
    from invoices.models import ImsAudit

    docs = list(Document.objects.filter(ctin=recipient.gstin).select_related("supplier").order_by("id"))
    if not docs:
        return 0
    now, today = clock.now(), clock.today()
    recipients = recipients_for([recipient.gstin])
    r = recipients[recipient.gstin]
    by_id = {d.id: d for d in docs}
    quarterly_filings = set(
        ReturnFiling.objects.filter(
            taxpayer_id__in={d.supplier_id for d in docs}, form=Form.GSTR1, quarterly=True
        ).values_list("taxpayer_id", "period")
    )
    records = {}
    for doc in docs:  # originals before amendments (ids ascend), so an amendment finds its amended record
        doc._quarterly_return = (doc.supplier_id, doc.period) in quarterly_filings and doc.form == Form.GSTR1
        amended_rec = records.get(doc.amends_id)
        records[doc.id] = build_record(doc, r, today, (by_id.get(doc.amends_id), amended_rec), now=now)
    ImsRecord.objects.bulk_create(list(records.values()), batch_size=2000)
    ImsAudit.objects.bulk_create(
        [
            audit(
                rec,
                at=now,
                by=SYSTEM,
                channel="job",
                frm="",
                to=Action.NO_ACTION,
                reason="recipient registered",
            )
            for rec in records.values()
        ],
        batch_size=2000,
    )
    return len(records)
