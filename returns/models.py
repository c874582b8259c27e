from django.db import models

from taxpayers.models import Taxpayer

MONEY = {"max_digits": 15, "decimal_places": 2}


class Gstr3bFiling(models.Model):
    """A filed GSTR-3B (a month, or a quarter's last month for a quarterly taxpayer), with its tables
    frozen as filed (R-6.3)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="gstr3b_filings")
    period = models.PositiveIntegerField()
    filed_at = models.DateTimeField()
    tables = models.JSONField(null=True, blank=True)
    gstr2b_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "period"], name="gstr3b_once_per_period"),
        ]


class Trigger(models.TextChoices):
    SCHEDULE = "schedule"
    ADMIN = "admin"
    RECOMPUTE = "recompute"
    FILED_3B = "3b_filed"


class Gstr2bVersion(models.Model):
    """One generation of a recipient's GSTR-2B for a period (R-5.5). Its lines are held as slices and notes
    (``Gstr2bSlice``, ``Gstr2bNote``) and read through the ``Gstr2bLine`` view; the summary (``itcsumm``)
    was aggregated by the database at generation."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="gstr2b_versions")
    period = models.PositiveIntegerField()
    version = models.PositiveIntegerField()
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    by = models.CharField(max_length=150)
    generated_at = models.DateTimeField()
    itcsumm = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "period", "version"], name="gstr2b_version_unique"),
        ]
        indexes = [
            # Latest version of one recipient's period.
            models.Index(fields=["taxpayer", "period", "-version"], name="gstr2b_latest"),
        ]


class Gstr2bSlice(models.Model):
    """A 2B version's lines of one group, sub-group and key (R-5.4), as the version holds them (issue 12):
    which records, and each one's action as it stood at generation (its remarks and R-4.6 declaration, the
    rest of what can change after the version, are ``Gstr2bNote`` rows). A record's document fields are
    fixed once its document is filed (a filed document is changed only by an amendment, a new record), and
    a 2B holds filed documents only, so a line reads them from the record (``Gstr2bLine``, a view). A
    generation writes a few such rows by one ``INSERT … SELECT … GROUP BY`` instead of copying every line.

    ``records``: the records' ids, comma-separated; ``actions``: their actions, one letter each, in the
    same order; remarks and R-4.6 declarations, where a record had any, are ``Gstr2bNote`` rows. The
    slice's counted totals (part B tax as declared, R-4.6) make ``itcsumm``. No database constraint on its
    keys (written once, with its version, in one transaction); Django's CASCADE removes it with its version
    or taxpayer."""

    version = models.ForeignKey(
        Gstr2bVersion, on_delete=models.CASCADE, related_name="slices", db_constraint=False, db_index=False
    )
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period = models.PositiveIntegerField()
    grp = models.CharField(max_length=12)
    sub = models.CharField(max_length=10)
    key = models.CharField(max_length=8)
    records = models.TextField()
    actions = models.TextField()
    lines = models.PositiveIntegerField()
    txval = models.DecimalField(**MONEY)
    igst = models.DecimalField(**MONEY)
    cgst = models.DecimalField(**MONEY)
    sgst = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["taxpayer", "version"], name="gstr2b_slice_version")]


class AsAtGeneration(models.Model):
    """A 2B line's remarks and R-4.6 declaration as at generation: kept by a note, shown by a line."""

    remarks = models.CharField(max_length=500, null=True)
    itc_red_req = models.CharField(max_length=1, null=True)
    decl_igst = models.DecimalField(null=True, **MONEY)
    decl_cgst = models.DecimalField(null=True, **MONEY)
    decl_sgst = models.DecimalField(null=True, **MONEY)
    decl_cess = models.DecimalField(null=True, **MONEY)

    class Meta:
        abstract = True


class Gstr2bNote(AsAtGeneration):
    """A 2B version's line's remarks and R-4.6 declaration as at generation, for the records that had any
    (issue 12: most have none, so a version writes few of these)."""

    version = models.ForeignKey(
        Gstr2bVersion, on_delete=models.CASCADE, related_name="notes", db_constraint=False, db_index=False
    )
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    record_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["taxpayer", "version", "record_id"], name="gstr2b_note_record")]


class Gstr2bLine(AsAtGeneration):
    """A document line of a 2B version: a database view (issue 12) joining each record of a version's slices
    (``Gstr2bSlice``) with the record, which gives the document's fields; the action is the slice's and the
    remarks and declaration the note's (``Gstr2bNote``), as at generation. Read-only: ``id`` is the record's
    id. The view's SQL is in ``returns/migrations/0010_gstr2b_slices.py`` (PostgreSQL's and SQLite's)."""

    id = models.BigIntegerField(primary_key=True)
    version = models.ForeignKey(
        Gstr2bVersion, on_delete=models.DO_NOTHING, related_name="lines", db_constraint=False, db_index=False
    )
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    period = models.PositiveIntegerField()
    record_id = models.BigIntegerField()
    grp = models.CharField(max_length=12)  # itcavl, itcunavl, itcRejected
    sub = models.CharField(max_length=10)  # nonrevsup, revsup, othersup, imports
    key = models.CharField(max_length=8)  # b2b, b2ba, cdnr, cdnra, ecom, ecoma, cdnrrev
    section = models.CharField(max_length=8)  # docdata section: b2b, b2ba, cdnr, cdnra, ecom, ecoma, impg…
    ims_section = models.CharField(max_length=8)
    ctin = models.CharField(max_length=15)
    trdnm = models.CharField(max_length=200, blank=True, default="")
    supprd = models.PositiveIntegerField()
    supfildt = models.DateTimeField(null=True)
    number = models.CharField(max_length=16)
    doc_date = models.DateField()
    orig_number = models.CharField(max_length=16, blank=True, default="")
    orig_date = models.DateField(null=True)
    doc_type = models.CharField(max_length=3)
    inv_typ = models.CharField(max_length=5)
    val = models.DecimalField(**MONEY)
    pos = models.CharField(max_length=2)
    portcode = models.CharField(max_length=6, blank=True, default="")  # a bill of entry
    refdt = models.DateField(null=True)
    recdt = models.DateField(null=True)
    rev = models.BooleanField()
    items = models.JSONField(default=list)  # rate-wise, copied from the record (GSTN's items with rt)
    diffprcnt = models.DecimalField(max_digits=4, decimal_places=2, null=True)
    rsn = models.CharField(max_length=1, null=True)
    txval = models.DecimalField(**MONEY)
    igst = models.DecimalField(**MONEY)
    cgst = models.DecimalField(**MONEY)
    sgst = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)
    # The counted effect: own values, or an amendment's effect (its ``delta``). Always positive
    # magnitudes. Group totals add these up, except part B tax, which is summed as declared (decl_*).
    c_txval = models.DecimalField(**MONEY)
    c_igst = models.DecimalField(**MONEY)
    c_cgst = models.DecimalField(**MONEY)
    c_sgst = models.DecimalField(**MONEY)
    c_cess = models.DecimalField(**MONEY)
    is_amendment = models.BooleanField(default=False)
    action = models.CharField(max_length=1)

    class Meta:
        managed = False
        db_table = "returns_gstr2bline"


class AddBack(models.Model):
    """R-6.4: an entry raising (or, reversal, negating) a supplier's 3B liability for a rejected
    ITC-reducing record. Owned by the supplier whose 3B it is added to."""

    supplier = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="addbacks")
    record_id = models.BigIntegerField()
    ctin = models.CharField(max_length=15)  # the recipient
    section = models.CharField(max_length=6)
    number = models.CharField(max_length=16)
    doc_type = models.CharField(max_length=3)
    txval = models.DecimalField(**MONEY)
    igst = models.DecimalField(**MONEY)
    cgst = models.DecimalField(**MONEY)
    sgst = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)
    rejected_in_period = models.PositiveIntegerField()
    added_in_period = models.PositiveIntegerField()
    reversal = models.BooleanField(default=False)
    negates = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One add-back per rejected record, and one reversal per add-back: filing twice adds nothing.
            models.UniqueConstraint(
                fields=["supplier", "record_id", "reversal"], name="addback_once_per_record"
            ),
        ]
        indexes = [models.Index(fields=["supplier", "added_in_period"], name="addback_supplier_period")]


class Webhook(models.Model):
    """Issue 17: an endpoint of an ERP that wants a GSTIN's events, each POSTed as JSON signed with
    HMAC-SHA256 of the body under ``secret`` (header ``X-IMS-Signature: sha256=<hex>``)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list)  # event names (core.events.EVENTS); empty means all
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()


class WebhookDelivery(models.Model):
    """One event for one webhook: its body, idempotency key (``X-IMS-Delivery``), attempts and outcome."""

    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    key = models.CharField(max_length=36, unique=True)
    body = models.JSONField()
    status = models.CharField(max_length=10, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["webhook", "id"], name="webhook_delivery_log")]
