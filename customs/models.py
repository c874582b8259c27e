from django.db import models

from taxpayers.models import Taxpayer

MONEY = {"max_digits": 15, "decimal_places": 2}


class BillOfEntry(models.Model):
    """A bill of entry as customs last reported it (R-10.1), owned by its current importer. One row per
    BoE, known by port, number and date; its IMS record in force is ``record`` (the importer's copy, with
    its amendments as records of their own)."""

    importer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+")
    portcode = models.CharField(max_length=6)
    boenum = models.CharField(max_length=7)
    boedt = models.DateField()
    refdt = models.DateField()
    recdt = models.DateField()
    sez_ctin = models.CharField(max_length=15, blank=True, default="")
    txval = models.DecimalField(**MONEY)
    igst = models.DecimalField(**MONEY)
    cess = models.DecimalField(**MONEY)
    amended = models.BooleanField(default=False)
    record = models.ForeignKey("ims.ImsRecord", null=True, on_delete=models.SET_NULL, related_name="+")
    content_hash = models.CharField(max_length=32)
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "bills of entry"
        permissions = [("customs_feed", "Can post bills of entry as the customs feed")]
        constraints = [
            # A BoE is reported once; a later report of the same key is an amendment or a repeat.
            models.UniqueConstraint(fields=["portcode", "boenum", "boedt"], name="boe_once"),
        ]
        indexes = [models.Index(fields=["importer", "id"], name="boe_importer")]
