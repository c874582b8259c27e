from django.db import models
from django.db.models import Q

from ims.models import DocType
from taxpayers.models import Taxpayer

MONEY = {"max_digits": 15, "decimal_places": 2}
AMOUNTS = ("val", "txval", "iamt", "camt", "samt", "csamt")


class Form(models.TextChoices):
    GSTR1 = "GSTR1", "GSTR-1"
    IFF = "IFF", "IFF"
    GSTR1A = "GSTR1A", "GSTR-1A"


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

    # No index of its own: the supplier's indexes below start with it (issue 12).
    supplier = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="documents", db_index=False)
    period = models.PositiveIntegerField()
    form = models.CharField(max_length=6, choices=Form.choices)
    filed_at = models.DateTimeField(null=True, blank=True)
    # GSTR-1 section: b2b, b2ba, cdnr, cdnra, ecom, ecoma (in IMS); b2cl(a), exp(a), cdnur(a) (never in IMS).
    section = models.CharField(max_length=6)
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
    # Exports and notes to unregistered persons: export type (WPAY/WOPAY), shipping bill, the note's
    # table (B2CL/EXPWP/EXPWOP), and a B2C large invoice's e-commerce operator.
    exp_typ = models.CharField(max_length=5, blank=True, default="")
    sbpcode = models.CharField(max_length=6, blank=True, default="")
    sbnum = models.CharField(max_length=7, blank=True, default="")
    sbdt = models.DateField(null=True, blank=True)
    ur_typ = models.CharField(max_length=6, blank=True, default="")
    etin = models.CharField(max_length=15, blank=True, default="")
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
            # The period page's keyset pages (issue 15).
            models.Index(fields=["supplier", "period", "id"], name="document_period_page"),
            # Duplicate and original look-ups while saving a batch.
            models.Index(
                fields=["number_owner", "fy", "series", "number_key"], name="document_number_lookup"
            ),
            # A recipient registering late picks up documents addressed to it.
            models.Index(fields=["ctin"], name="document_ctin"),
            # IMS Outward's number search (issue 15): LIKE 'Q%' on the upper-cased number, per supplier.
            models.Index(
                fields=["supplier", "number_key"],
                name="document_number_prefix",
                opclasses=["", "varchar_pattern_ops"],
            ),
            # the per-request look for closed IFFs still holding unfiled documents.
            models.Index(
                fields=["period"],
                condition=models.Q(form="IFF", filed_at__isnull=True),
                name="document_open_iff",
            ),
        ]


class SummaryRow(models.Model):
    """A row of a GSTR-1 summary table (R-3.13): B2C small, advances received and adjusted, nil-rated /
    exempt / non-GST, HSN summary, documents issued, supplies through e-commerce operators, and their
    amendments. Owned by the supplier; keyed within its return by the row's natural key (``key``), so saving
    the same key again edits it while the return is open (R-3.8). ``data`` keeps the row as GSTN shapes it;
    the columns carry what the returns sum."""

    supplier = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="summary_rows")
    period = models.PositiveIntegerField()
    form = models.CharField(max_length=6, choices=Form.choices)
    filed_at = models.DateTimeField(null=True, blank=True)
    section = models.CharField(max_length=10)
    key = models.CharField(max_length=120)
    data = models.JSONField()
    content_hash = models.CharField(max_length=32)
    pos = models.CharField(max_length=2, blank=True, default="")
    sply_ty = models.CharField(max_length=8, blank=True, default="")
    rt = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Amendments: the original month and the row amended (counted by difference, R-6.2).
    omon = models.PositiveIntegerField(null=True, blank=True)
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    txval = models.DecimalField(default=0, **MONEY)
    iamt = models.DecimalField(default=0, **MONEY)
    camt = models.DecimalField(default=0, **MONEY)
    samt = models.DecimalField(default=0, **MONEY)
    csamt = models.DecimalField(default=0, **MONEY)
    nil_amt = models.DecimalField(default=0, **MONEY)
    expt_amt = models.DecimalField(default=0, **MONEY)
    ngsup_amt = models.DecimalField(default=0, **MONEY)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "period", "form", "section", "key"], name="summary_row_once_per_return"
            ),
            *[
                models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"summary_row_{f}_non_negative")
                for f in ("txval", "iamt", "camt", "samt", "csamt", "nil_amt", "expt_amt", "ngsup_amt")
            ],
        ]
        indexes = [
            # GSTR-1 screens, filing and 3B: a supplier's rows of one return period.
            models.Index(fields=["supplier", "period", "form"], name="summary_row_return"),
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

    # None for a customs feed file: its bills of entry belong to many importers.
    taxpayer = models.ForeignKey(Taxpayer, null=True, on_delete=models.CASCADE, related_name="uploads")
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
