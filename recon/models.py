"""Purchase registers and their matches (issue 16). Owned by the recipient GSTIN (ARCHITECTURE.md):
reconciliation reads only the recipient's rows — its register lines and its IMS records."""

from django.db import models
from django.db.models import Q

from ims.models import MONEY, Action, DocType
from taxpayers.models import Taxpayer


class Register(models.Model):
    """One import of a GSTIN's purchase register for one return period: versioned (a re-import is the next
    version and becomes the current one; earlier versions stay readable)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveIntegerField()  # yyyymm, the books' month
    version = models.PositiveIntegerField()
    current = models.BooleanField(default=True)
    source = models.CharField(max_length=10)  # csv, xlsx, json
    filename = models.CharField(max_length=200, blank=True, default="")
    lines = models.PositiveIntegerField(default=0)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "period", "version"], name="recon_register_version"),
            models.UniqueConstraint(
                fields=["taxpayer", "period"], condition=Q(current=True), name="recon_register_one_current"
            ),
        ]


class Line(models.Model):
    """One document of the books, as imported (amounts in rupees, non-negative). Its owner's composite index
    serves every lookup: no index (or constraint check) per key, for a 2,00,000-line import's sake."""

    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    row = models.PositiveIntegerField()  # the row of the file (header = 1) or the index in the JSON
    stin = models.CharField(max_length=15)
    pan = models.CharField(max_length=10)
    trdnm = models.CharField(max_length=200, blank=True, default="")
    doc_type = models.CharField(max_length=3, choices=DocType.choices)
    number = models.CharField(max_length=16)
    number_key = models.CharField(max_length=16)
    number_norm = models.CharField(max_length=16)
    doc_date = models.DateField()
    pos = models.CharField(max_length=2, blank=True, default="")
    rchrg = models.BooleanField(default=False)
    txval = models.DecimalField(**MONEY)
    iamt = models.DecimalField(**MONEY)
    camt = models.DecimalField(**MONEY)
    samt = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["taxpayer", "register", "row"], name="recon_line_register")]


class Category(models.TextChoices):
    """The outcome of matching, as practitioners name it."""

    MATCHED = "matched", "Matched"
    MISMATCH = "mismatch", "Mismatch"
    SUGGESTED = "suggested", "Suggested match"
    BOOKS_ONLY = "books_only", "Missing in IMS"
    IMS_ONLY = "ims_only", "Missing in books"
    DUPLICATE = "duplicate", "Duplicate in books"


class How(models.TextChoices):
    """How a pair was found."""

    EXACT = "exact", "Same GSTIN and number"
    NUMBER = "number", "Number alike once normalised"
    PAN = "pan", "Same PAN, another GSTIN"
    MANUAL = "manual", "Matched by hand"


class Match(models.Model):
    """One row of a register's reconciliation: a pair (line and record), a line alone (missing in IMS,
    duplicate) or a record alone (missing in books). Differences are the record's amount minus the books'."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False)
    record = models.ForeignKey(
        "ims.ImsRecord",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    category = models.CharField(max_length=10, choices=Category.choices)
    how = models.CharField(max_length=6, choices=How.choices, blank=True, default="")
    fields = models.CharField(max_length=60, blank=True, default="")  # comma-separated differing fields
    d_days = models.IntegerField(null=True, blank=True)
    d_txval = models.DecimalField(null=True, blank=True, **MONEY)
    d_iamt = models.DecimalField(null=True, blank=True, **MONEY)
    d_camt = models.DecimalField(null=True, blank=True, **MONEY)
    d_samt = models.DecimalField(null=True, blank=True, **MONEY)
    d_cess = models.DecimalField(null=True, blank=True, **MONEY)
    record_hash = models.CharField(max_length=32, blank=True, default="")  # the record as it was matched
    # The user's edit of the proposed action ("" = the rules' proposal; "-" = no action) and remarks.
    action = models.CharField(max_length=1, blank=True, default="")
    remarks = models.CharField(max_length=500, null=True, blank=True)

    class Meta:
        indexes = [
            # The page: one category of a register in id order; the counts per category.
            models.Index(fields=["taxpayer", "register", "category", "id"], name="recon_match_category"),
            models.Index(fields=["taxpayer", "register", "line"], name="recon_match_line"),
            models.Index(fields=["taxpayer", "record"], name="recon_match_record"),
        ]


class Pin(models.Model):
    """A user's decision that survives matching again: this line goes with this record (``paired``) or
    must never be paired with it (not ``paired``)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey("ims.ImsRecord", on_delete=models.CASCADE, related_name="+")
    paired = models.BooleanField()
    by = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "register", "line", "record"], name="recon_pin_pair"),
        ]


class Settings(models.Model):
    """A GSTIN's reconciliation rules, shown on the page and changed by its owner or preparer: tolerances
    and the action proposed per category."""

    taxpayer = models.OneToOneField(Taxpayer, on_delete=models.CASCADE, related_name="+")
    tolerance = models.DecimalField(max_digits=9, decimal_places=2, default=1)
    date_window = models.PositiveSmallIntegerField(default=5)
    on_matched = models.CharField(max_length=1, choices=Action.choices, blank=True, default="A")
    on_mismatch = models.CharField(max_length=1, choices=Action.choices, blank=True, default="P")
    on_ims_only = models.CharField(max_length=1, choices=Action.choices, blank=True, default="P")
    on_suggested = models.CharField(max_length=1, choices=Action.choices, blank=True, default="")
