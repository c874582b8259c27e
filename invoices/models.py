from django.db import models
from django.db.models import Q

from taxpayers.models import Taxpayer

MONEY = {"max_digits": 15, "decimal_places": 2}
AMOUNTS = ("val", "txval", "iamt", "camt", "samt", "csamt")


class Form(models.TextChoices):
    GSTR1 = "GSTR1", "GSTR-1"
    IFF = "IFF", "IFF"
    GSTR1A = "GSTR1A", "GSTR-1A"


class DocType(models.TextChoices):
    INVOICE = "INV", "Invoice"
    DEBIT_NOTE = "DN", "Debit note"
    CREDIT_NOTE = "CN", "Credit note"


class ReturnFiling(models.Model):
    """A filed GSTR-1 (monthly or quarterly), IFF or GSTR-1A of a supplier (R-3.10)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="filings")
    form = models.CharField(max_length=6, choices=Form.choices)
    # The month, or for a quarterly GSTR-1 the quarter's last month.
    period = models.PositiveIntegerField()
    quarterly = models.BooleanField(default=False)
    filed_at = models.DateTimeField()
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["taxpayer", "form", "period"], name="filing_once_per_form_period"
            ),
        ]


class Document(models.Model):
    """A supplier's invoice, debit or credit note (owned by the filing GSTIN; for ECO the operator)."""

    supplier = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="documents")
    period = models.PositiveIntegerField()
    form = models.CharField(max_length=6, choices=Form.choices)
    filed_at = models.DateTimeField(null=True, blank=True)
    section = models.CharField(max_length=6)  # GSTR-1 section: b2b, b2ba, cdnr, cdnra, ecom, ecoma
    doc_type = models.CharField(max_length=3, choices=DocType.choices)
    ctin = models.CharField(max_length=15)
    stin = models.CharField(max_length=15, blank=True, default="")
    sply_ty = models.CharField(max_length=5, blank=True, default="")
    number = models.CharField(max_length=16)
    number_key = models.CharField(max_length=16)  # upper-cased: numbers compare case-insensitively
    number_owner = models.CharField(max_length=15)  # the supplier, or for ECO documents the actual supplier
    series = models.CharField(max_length=4)  # INV, or NOTE shared by CNs and DNs
    fy = models.PositiveSmallIntegerField()
    doc_date = models.DateField()
    orig_number = models.CharField(max_length=16, blank=True, default="")
    orig_date = models.DateField(null=True, blank=True)
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="chain")
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    val = models.DecimalField(**MONEY)
    txval = models.DecimalField(**MONEY)
    iamt = models.DecimalField(**MONEY)
    camt = models.DecimalField(**MONEY)
    samt = models.DecimalField(**MONEY)
    csamt = models.DecimalField(**MONEY)
    pos = models.CharField(max_length=2)
    rchrg = models.BooleanField(default=False)
    inv_typ = models.CharField(max_length=5, default="R")
    diff_percent = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    items = models.JSONField(default=list)
    content_hash = models.CharField(max_length=32)
    created_at = models.DateTimeField()  # set from the business clock
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # one number per supplier, FY and series; amendments may keep their original's number.
            models.UniqueConstraint(
                fields=["number_owner", "fy", "series", "number_key"],
                condition=Q(root__isnull=True),
                name="document_number_unique",
            ),
            # One unfiled amendment of a document per return period.
            models.UniqueConstraint(
                fields=["supplier", "root", "period"],
                condition=Q(root__isnull=False, filed_at__isnull=True),
                name="document_one_open_amendment",
            ),
            *[
                models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"document_{f}_non_negative")
                for f in AMOUNTS
            ],
            models.CheckConstraint(
                condition=Q(number_key=models.functions.Upper("number")), name="document_number_key_upper"
            ),
        ]
        indexes = [
            # GSTR-1 screens and filing: a supplier's documents of one return period.
            models.Index(fields=["supplier", "period", "form"], name="document_supplier_period"),
            # Duplicate and original look-ups while saving a batch.
            models.Index(
                fields=["number_owner", "fy", "series", "number_key"], name="document_number_lookup"
            ),
            # A recipient registering late picks up documents addressed to it.
            models.Index(fields=["ctin"], name="document_ctin"),
        ]


class Channel(models.TextChoices):
    WEB = "web"
    API = "api"
    BULK = "bulk"
    UPLOAD = "upload"
    JOB = "job"


class Action(models.TextChoices):
    NO_ACTION = "N", "No action"
    ACCEPT = "A", "Accept"
    REJECT = "R", "Reject"
    PENDING = "P", "Pending"


class ImsRecord(models.Model):
    """One document as its recipient sees it in IMS. Owned by the recipient; carries copies of the
    document fields it shows and sums, so recipient queries never join the supplier's tables."""

    recipient = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="ims_records")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    section = models.CharField(max_length=6)  # IMS section: b2b … ecoma
    stin = models.CharField(max_length=15)  # the filer (for ECO documents the operator)
    trdnm = models.CharField(max_length=200, blank=True, default="")
    sply_stin = models.CharField(max_length=15, blank=True, default="")
    rtnprd = models.PositiveIntegerField()
    srcform = models.CharField(max_length=3)  # R1, IFF, R1A
    filed_at = models.DateTimeField(null=True, blank=True)
    doc_type = models.CharField(max_length=3, choices=DocType.choices)
    number = models.CharField(max_length=16)
    number_key = models.CharField(max_length=16)
    doc_date = models.DateField()
    orig_number = models.CharField(max_length=16, blank=True, default="")
    orig_date = models.DateField(null=True, blank=True)
    inv_typ = models.CharField(max_length=5)
    pos = models.CharField(max_length=2)
    rchrg = models.BooleanField(default=False)
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
            # The supplier's outward view reads records back by document.
            models.Index(fields=["document"], name="ims_document"),
        ]


class ImsAudit(models.Model):
    """R-4.9: the trail of every change of an IMS record. Written with the change, never edited."""

    recipient = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(ImsRecord, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    from_action = models.CharField(max_length=1, blank=True, default="")
    to_action = models.CharField(max_length=1, blank=True, default="")
    remarks = models.CharField(max_length=500, null=True, blank=True)
    decl = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            # Record detail: its history oldest first.
            models.Index(fields=["record", "id"], name="ims_audit_record"),
        ]


class UploadStatus(models.TextChoices):
    STORED = "stored"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Upload(models.Model):
    """A GSTR-1 JSON file received by ``POST /gstr1/{gstin}/{period}/uploads`` (issue 5). Its bytes are kept
    in the database, in chunks, so a worker on another machine can read them; they are deleted when the
    upload's job ends. The row stays as the record of the upload, with every validation error if it failed
    (the job's error keeps the first 1,000)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="uploads")
    period = models.PositiveIntegerField()
    name = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.STORED)
    errors = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()


class UploadChunk(models.Model):
    """One piece (at most 1 MiB) of an upload's bytes, read back in ``seq`` order while parsing."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "seq"], name="upload_chunk_once")]
