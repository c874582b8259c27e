from django.conf import settings
from django.db import models
from django.db.models import Q

from taxpayers.models import Taxpayer

MONEY = {"max_digits": 15, "decimal_places": 2}


class DocType(models.TextChoices):
    """The kind of document an IMS record copies (the supplier's document type)."""

    INVOICE = "INV", "Invoice"
    DEBIT_NOTE = "DN", "Debit note"
    CREDIT_NOTE = "CN", "Credit note"
    BILL_OF_ENTRY = "BOE", "Bill of entry"


class Channel(models.TextChoices):
    WEB = "web"
    API = "api"
    BULK = "bulk"
    UPLOAD = "upload"
    JOB = "job"
    # Issue 16: actions proposed by the purchase-register reconciliation and applied by the user.
    RECONCILIATION = "reconciliation"


class Action(models.TextChoices):
    """The recipient's choice on a record (R-4.2), labelled as the state it puts the record in."""

    NO_ACTION = "N", "No action"
    ACCEPT = "A", "Accepted"
    REJECT = "R", "Rejected"
    PENDING = "P", "Pending"


class Section(models.TextChoices):
    """The IMS sections (RULES.md §0), named as the pages show them."""

    B2B = "b2b", "B2B invoices"
    B2BA = "b2ba", "B2B invoice amendments"
    B2BDN = "b2bdn", "Debit notes"
    B2BDNA = "b2bdna", "Debit note amendments"
    B2BCN = "b2bcn", "Credit notes"
    B2BCNA = "b2bcna", "Credit note amendments"
    ECOM = "ecom", "ECO documents"
    ECOMA = "ecoma", "ECO document amendments"
    # Import of goods, GSTN's third IMS tab: bills of entry reported by customs.
    IMPG = "impg", "Import of goods"
    IMPGA = "impga", "Import of goods amendments"
    IMPGSEZ = "impgsez", "Import from SEZ units"
    IMPGSEZA = "impgseza", "Import from SEZ amendments"


class ImsRecord(models.Model):
    """One document as its recipient sees it in IMS. Owned by the recipient; carries copies of the
    document fields it shows and sums, so recipient queries never join the supplier's tables."""

    # No index of its own: every index of the table starts with it (issue 12: each index is paid on every
    # row a large upload writes).
    recipient = models.ForeignKey(
        Taxpayer, on_delete=models.CASCADE, related_name="ims_records", db_index=False
    )
    # The supplier's document this record copies (invoices.Document). A reference by string: the IMS app
    # sits below invoices and never imports it. Indexed once, by ``ims_document`` below.
    document = models.ForeignKey(
        "invoices.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        db_index=False,
    )
    section = models.CharField(max_length=8, choices=Section.choices)
    stin = models.CharField(max_length=15)  # the filer (for ECO documents the operator)
    trdnm = models.CharField(max_length=200, blank=True, default="")
    sply_stin = models.CharField(max_length=15, blank=True, default="")
    rtnprd = models.PositiveIntegerField()
    srcform = models.CharField(max_length=3)  # R1, IFF, R1A
    filed_at = models.DateTimeField(null=True, blank=True)
    doc_type = models.CharField(max_length=3, choices=DocType.choices)
    number = models.CharField(max_length=16)
    number_key = models.CharField(max_length=16)
    # Issue 16: the number as reconciliation compares it (ims.domain.number_norm), set with ``number``.
    number_norm = models.CharField(max_length=16, blank=True, default="")
    doc_date = models.DateField()
    orig_number = models.CharField(max_length=16, blank=True, default="")
    orig_date = models.DateField(null=True, blank=True)
    inv_typ = models.CharField(max_length=5)
    pos = models.CharField(max_length=2)
    # A bill of entry: the customs port, and the dates customs cleared (refdt) and reported it.
    portcode = models.CharField(max_length=6, blank=True, default="")
    refdt = models.DateField(null=True, blank=True)
    recdt = models.DateField(null=True, blank=True)
    rchrg = models.BooleanField(default=False)
    # The document's rate-wise items ([{"num", "rt", "txval", "iamt", "camt", "samt", "csamt"}], amounts as
    # text) and differential percentage: GSTR-2B shows both (GSTN's ``items`` with ``rt``, ``diffprcnt``).
    items = models.JSONField(default=list, blank=True)
    diffprcnt = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    val = models.DecimalField(**MONEY)
    txval = models.DecimalField(**MONEY)
    iamt = models.DecimalField(**MONEY)
    camt = models.DecimalField(**MONEY)
    samt = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)
    # Amendments: the record of the document amended, and the counted effect, signed.
    amends_record = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eff_txval = models.DecimalField(null=True, blank=True, **MONEY)
    eff_igst = models.DecimalField(null=True, blank=True, **MONEY)
    eff_cgst = models.DecimalField(null=True, blank=True, **MONEY)
    eff_sgst = models.DecimalField(null=True, blank=True, **MONEY)
    eff_cess = models.DecimalField(null=True, blank=True, **MONEY)
    itc_reducing = models.BooleanField(default=False)
    # The recipient's side.
    action = models.CharField(max_length=1, choices=Action.choices, default=Action.NO_ACTION)
    remarks = models.CharField(max_length=500, null=True, blank=True)
    itc_red_req = models.CharField(max_length=1, null=True, blank=True)
    decl_igst = models.DecimalField(null=True, blank=True, **MONEY)
    decl_cgst = models.DecimalField(null=True, blank=True, **MONEY)
    decl_sgst = models.DecimalField(null=True, blank=True, **MONEY)
    decl_cess = models.DecimalField(null=True, blank=True, **MONEY)
    # 2B period: provisional until filing, then fixed; first_itc_period drives the deadline.
    itc_period = models.PositiveIntegerField()
    itc_period_fixed = models.BooleanField(default=False)
    first_itc_period = models.PositiveIntegerField(null=True, blank=True)
    pending_deadline = models.DateField(null=True, blank=True)
    waiting_on_original = models.BooleanField(default=False)
    # Lifecycle: active = shown in IMS; kept out, superseded, left, removed.
    active = models.BooleanField(default=True)
    kept_out = models.BooleanField(default=False)
    rsn = models.CharField(max_length=1, null=True, blank=True)
    superseded = models.BooleanField(default=False)
    left_ims = models.BooleanField(default=False)
    deemed_accepted = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)
    hash = models.CharField(max_length=32)
    created_at = models.DateTimeField()  # set from the business clock
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["N", "A", "R", "P"]), name="ims_action_valid"),
            *[
                models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"ims_{f}_non_negative")
                for f in ("val", "txval", "iamt", "camt", "samt", "cess")
            ],
            models.CheckConstraint(
                condition=~Q(active=True)
                | Q(kept_out=False, superseded=False, left_ims=False, removed=False),
                name="ims_active_consistent",
            ),
        ]
        indexes = [
            # GET /ims/{gstin}/inward (no filter) and the summary: active records of one recipient by id.
            models.Index(fields=["recipient", "active", "id"], name="ims_active_by_id"),
            # ?section= (with or without ?action=), ordered by id.
            models.Index(
                fields=["recipient", "active", "section", "action", "id"], name="ims_section_action"
            ),
            # ?action= alone, and the pending-expiry sweep (action P).
            models.Index(fields=["recipient", "active", "action", "id"], name="ims_action"),
            # ?stin= supplier filter.
            models.Index(fields=["recipient", "active", "stin", "id"], name="ims_stin"),
            # ?rtnprd= supplier return period.
            models.Index(fields=["recipient", "active", "rtnprd", "id"], name="ims_rtnprd"),
            # ?itc_period= and 2B generation / 3B filing of one period.
            models.Index(fields=["recipient", "itc_period", "id"], name="ims_itc_period"),
            # ?q= number prefix: LIKE 'Q%' on the upper-cased number (pattern ops for non-C collations).
            models.Index(
                fields=["recipient", "number_key"],
                name="ims_number_prefix",
                opclasses=["", "varchar_pattern_ops"],
            ),
            # The daily pending-expiry sweep: only pending records with a deadline are indexed.
            models.Index(
                fields=["pending_deadline", "recipient"],
                condition=Q(action="P", active=True, pending_deadline__isnull=False),
                name="ims_pending_expiry",
            ),
            # ?portcode= and ?dt= on the Import of goods tab.
            models.Index(fields=["recipient", "active", "portcode", "id"], name="ims_portcode"),
            models.Index(fields=["recipient", "active", "doc_date", "id"], name="ims_doc_date"),
            # The supplier's outward view reads records back by document.
            models.Index(fields=["document"], name="ims_document"),
            # A 2B version's notes (issue 12): the few records of a period with remarks or a declaration.
            models.Index(
                fields=["recipient", "itc_period"],
                condition=Q(remarks__isnull=False)
                | Q(itc_red_req__isnull=False)
                | Q(decl_igst__isnull=False)
                | Q(decl_cgst__isnull=False)
                | Q(decl_sgst__isnull=False)
                | Q(decl_cess__isnull=False),
                name="ims_noted",
            ),
        ]


class ImsAudit(models.Model):
    """R-4.9: the trail of every change of an IMS record. Written with the change, never edited."""

    # No database constraint on either key (issue 12): an audit row is written in the transaction that locks
    # or creates its record, records are never deleted (they are soft-removed), and the deferred check on each
    # of hundreds of thousands of rows was a large part of a bulk action's and an upload's time. Django's
    # CASCADE still applies; the recipient's own index is the prefix of ``ims_audit_record``.
    recipient = models.ForeignKey(
        Taxpayer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    record = models.ForeignKey(
        ImsRecord, on_delete=models.CASCADE, related_name="history", db_constraint=False
    )
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    channel = models.CharField(max_length=14, choices=Channel.choices)
    from_action = models.CharField(max_length=1, blank=True, default="")
    to_action = models.CharField(max_length=1, blank=True, default="")
    remarks = models.CharField(max_length=500, null=True, blank=True)
    decl = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            # Record detail: its history oldest first.
            models.Index(fields=["recipient", "record", "id"], name="ims_audit_record"),
        ]


class Proposal(models.Model):
    """Issue 17, maker-checker: an action a preparer proposed on a record, for an owner to approve (it is then
    applied through the action service, the audit row naming both people) or return with a comment."""

    OPEN, APPROVED, RETURNED, WITHDRAWN = "open", "approved", "returned", "withdrawn"
    STATUSES = [(s, s.capitalize()) for s in (OPEN, APPROVED, RETURNED, WITHDRAWN)]

    recipient = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(ImsRecord, on_delete=models.CASCADE, related_name="proposals")
    action = models.CharField(max_length=1, choices=Action.choices)
    remarks = models.CharField(max_length=500, null=True, blank=True)
    decl = models.JSONField(
        null=True, blank=True
    )  # itcRedReq and declared amounts, as the action carries them
    proposed_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    decided_by = models.CharField(max_length=150, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [
            # The IMS page's open proposals and GSTR-3B's PROPOSALS_OPEN check.
            models.Index(fields=["recipient", "status", "id"], name="ims_proposal_status"),
        ]
        constraints = [
            # One open proposal a record: a new one withdraws the old.
            models.UniqueConstraint(
                fields=["record"], condition=Q(status="open"), name="ims_proposal_one_open"
            ),
        ]


class SavedView(models.Model):
    """Issue 17: a user's named IMS filter (the page's query string), private to that user and GSTIN."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "taxpayer", "name"], name="saved_view_name")]


class ActionRule(models.Model):
    """Issue 17: an owner's auto-action rule — records at No action matching ``filter`` (the IMS filters) and,
    when set, worth at most ``max_value``, get ``action``; run on demand or after each supplier change, always
    as a job, previewed first."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    filter = models.JSONField(default=dict)
    action = models.CharField(max_length=1, choices=Action.choices)
    remarks = models.CharField(max_length=500, null=True, blank=True)
    max_value = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)
    after_upload = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
