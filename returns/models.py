from django.db import models

from taxpayers.models import Taxpayer


class Gstr3bFiling(models.Model):
    """A filed GSTR-3B (a month, or a quarter's last month for a quarterly taxpayer)."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="gstr3b_filings")
    period = models.PositiveIntegerField()
    filed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "period"], name="gstr3b_once_per_period"),
        ]
