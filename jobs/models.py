from django.conf import settings
from django.db import models
from django.db.models import Q

from taxpayers.models import Taxpayer


class JobKind(models.TextChoices):
    """Every kind of long work (R-9.3). Apps register a handler per kind at start-up (jobs.runner)."""

    GSTR2B_GENERATE = "gstr2b_generate", "GSTR-2B generation"
    GSTR2B_RECOMPUTE = "gstr2b_recompute", "GSTR-2B recompute"
    PENDING_EXPIRY = "pending_expiry", "Pending expiry sweep"
    GSTR1_UPLOAD = "gstr1_upload", "GSTR-1 upload"
    IMS_BULK = "ims_bulk", "Bulk IMS action"
    IMS_IMPORT = "ims_import", "IMS Excel import"
    IMS_EXPORT = "ims_export", "IMS Excel export"
    GSTR2B_EXPORT = "gstr2b_export", "GSTR-2B Excel export"
    CUSTOMS_BOE_UPLOAD = "customs_boe_upload", "Customs feed of bills of entry"
    GSTN_IMS_SAVE = "gstn_ims_save", "IMS save or reset (GSTN API)"
    GSTR2B_GENERATE_CHUNK = "gstr2b_generate_chunk", "GSTR-2B generation (part)"
    PENDING_EXPIRY_CHUNK = "pending_expiry_chunk", "Pending expiry sweep (part)"
    OUTWARD_EXPORT = "outward_export", "IMS Outward Excel export"
    IMS_RULE = "ims_rule", "IMS auto-action rule"
    RECON_IMPORT = "recon_import", "Purchase register import"
    RECON_MATCH = "recon_match", "Purchase register matching"
    RECON_APPLY = "recon_apply", "Reconciliation: proposed actions applied"
    RECON_EXPORT = "recon_export", "Reconciliation Excel export"


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(models.Model):
    """Long work (R-9.3): status, progress and outcome, readable at /jobs/{id}."""

    kind = models.CharField(max_length=40, choices=JobKind.choices)
    taxpayer = models.ForeignKey(
        Taxpayer, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness, in wall-clock time (not the business clock, which an admin may move): when the job was last
    # handed to the broker (queued) or last heard from its worker (running); the latest moment it may still
    # be unfinished; how many times a worker has taken it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Fan-out (issue 13): an all-taxpayers job splits into child jobs (chunks of GSTINs) that any worker
    # runs; the parent ends when its last child does. ``worker`` names the Celery node that ran the job.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    worker = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0), name="job_progress_sane"
            ),
        ]
        indexes = [
            models.Index(fields=["taxpayer", "-id"], name="job_taxpayer_recent"),
            # A parent's children by state (settling it, the reaper's "still waiting" check).
            models.Index(fields=["parent", "status"], name="job_children"),
            # The reaper's look at unfinished jobs.
            models.Index(
                fields=["heartbeat_at"], condition=Q(status__in=("queued", "running")), name="job_unfinished"
            ),
        ]
