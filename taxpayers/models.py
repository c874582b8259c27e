from django.conf import settings
from django.db import models


class Taxpayer(models.Model):
    """A GSTIN registered in the portal. Every other row of taxpayer data hangs from one of these."""

    gstin = models.CharField(max_length=15, unique=True)
    legal_name = models.CharField(max_length=200)
    trade_name = models.CharField(max_length=200, blank=True, default="")
    state_code = models.CharField(max_length=2)
    # yyyymm of the first period of every sequence.
    ims_start_period = models.PositiveIntegerField(default=202410)
    created_at = models.DateTimeField(null=True, blank=True)
    # registered as an e-commerce operator (set by staff): only such a taxpayer reports ECO documents.
    eco_operator = models.BooleanField(default=False)
    # Issue 17: maker-checker, set by an owner: "" off; "reject" a preparer's rejects, "all" every action of
    # a preparer, become proposals an owner approves or returns.
    maker_checker = models.CharField(max_length=6, blank=True, default="")

    class Meta:
        ordering = ["gstin"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ims_start_period__gte=202410), name="taxpayer_start_after_launch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gstin} {self.trade_name or self.legal_name}"

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name


class Frequency(models.TextChoices):
    MONTHLY = "M", "Monthly"
    QUARTERLY = "Q", "Quarterly (QRMP)"


class FilingFrequency(models.Model):
    """R-1.3: frequency from a quarter's first month on, until the next change."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="frequencies")
    from_period = models.PositiveIntegerField()
    frequency = models.CharField(max_length=1, choices=Frequency.choices)

    class Meta:
        ordering = ["taxpayer_id", "from_period"]
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "from_period"], name="frequency_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} from {self.from_period}"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    PREPARER = "preparer", "Preparer"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["taxpayer_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "user"], name="membership_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.taxpayer_id}"
