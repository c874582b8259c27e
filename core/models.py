from django.db import models


class SandboxClock(models.Model):
    """R-2.4/R-9.4: one row; business time = business_at + (real now - set_at). Shared by all processes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    business_at = models.DateTimeField()
    set_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="sandbox_clock_single_row")]

    def __str__(self) -> str:
        return f"business time {self.business_at.isoformat()} set at {self.set_at.isoformat()}"
